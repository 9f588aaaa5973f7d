/** TKIs: identity, regimens, pharmacokinetics and potency. (Owned by the therapy work; placeholder shape.) */
import { z } from 'zod';

export const Drug = z.looseObject({ id: z.string() });
export type Drug = z.infer<typeof Drug>;
