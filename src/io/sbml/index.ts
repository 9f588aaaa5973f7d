/**
 * SBML import and export: `readSbml(xml, file)` (SBML L2V1-L3V2 core -> model IR) and `writeSbml(model)`
 * (model IR -> SBML L3V2 core). See docs/sbml.md for what is supported and what is refused.
 */
export {
  type ReadSbmlOptions,
  type ReadSbmlResult,
  readSbml,
  readSbmlWithWarnings,
  SbmlError,
} from './read.js';
export { writeSbml } from './write.js';
