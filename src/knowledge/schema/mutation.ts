/** BCR-ABL1 kinase-domain mutations and their sensitivity to each TKI. (Placeholder shape.) */
import { z } from 'zod';

export const Mutation = z.looseObject({ id: z.string() });
export type Mutation = z.infer<typeof Mutation>;
export const Sensitivity = z.looseObject({ mutation: z.string(), drug: z.string() });
export type Sensitivity = z.infer<typeof Sensitivity>;
