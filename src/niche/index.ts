/** The exoniche niche model (docs/niche-model.md). */
export { buildNiche, buildNicheModel, type NicheModel } from './build.js';
export { CARGOS, type Cargo, CHANNELS, type ChannelId, FEEDBACKS, type FeedbackId } from './channels.js';
export { nicheHybridPartition, type PartitionOptions } from './hybrid.js';
export { type NicheOptions, NicheOptionsError, resolveOptions, type TkiExposure } from './options.js';
export {
  type BlastCourse,
  blastPercent,
  type NicheTrajectory,
  type PhaseCourse,
  phaseCourse,
} from './readouts.js';
export type { ParameterUse } from './writer.js';
