/** One knowledge-base file: any subset of the sections below. Unknown top-level keys are errors. */
import { z } from 'zod';
import { Channel, Conflict } from './channel.js';
import { ClinicalDefinitions, TrialFigure } from './clinical.js';
import { Parameter, Reference } from './common.js';
import { Drug } from './drug.js';
import { Mutation, Sensitivity } from './mutation.js';

export const KnowledgeFile = z.strictObject({
  /** What the file holds, for people reading it. */
  description: z.string().optional(),
  references: z.array(Reference).optional(),
  parameters: z.array(Parameter).optional(),
  drugs: z.array(Drug).optional(),
  mutations: z.array(Mutation).optional(),
  sensitivities: z.array(Sensitivity).optional(),
  channels: z.array(Channel).optional(),
  conflicts: z.array(Conflict).optional(),
  /** Named sets of clinical definitions (e.g. `eln2020`, `who2017`). */
  definitions: z.record(z.string(), ClinicalDefinitions).optional(),
  trials: z.array(TrialFigure).optional(),
});
export type KnowledgeFile = z.infer<typeof KnowledgeFile>;
