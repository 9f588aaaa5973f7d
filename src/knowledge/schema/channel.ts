/** Exosome crosstalk channels and conflicts between studies. (Placeholder shape.) */
import { z } from 'zod';

export const Channel = z.looseObject({ id: z.string() });
export type Channel = z.infer<typeof Channel>;
export const Conflict = z.looseObject({ id: z.string() });
export type Conflict = z.infer<typeof Conflict>;
