/** Clinical definitions: molecular response levels, ELN milestones, phase criteria, trial figures. (Placeholder shape.) */
import { z } from 'zod';

export const ClinicalDefinitions = z.looseObject({});
export type ClinicalDefinitions = z.infer<typeof ClinicalDefinitions>;
export const TrialFigure = z.looseObject({ id: z.string() });
export type TrialFigure = z.infer<typeof TrialFigure>;
