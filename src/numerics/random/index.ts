/** Reproducible random numbers: Philox4x32-10 keyed streams and exact samplers. See docs/random.md. */
export {
  deriveStreamKey,
  KeyHasher,
  type PathComponent,
  type PathRecord,
  type PathSpec,
  type PathValue,
  type Seed,
  type StreamKey,
} from './keys.js';
export { mulhi32, philox4x32, philox4x32Blocks, threefry4x32 } from './philox.js';
export { AliasTable, categorical } from './samplers/categorical.js';
export { exponential, gamma, normal, standardNormal, uniform } from './samplers/continuous.js';
export {
  BINOMIAL_INVERSION_BELOW,
  bernoulli,
  binomial,
  POISSON_INVERSION_BELOW,
  poisson,
  uniformInt,
} from './samplers/discrete.js';
export { logFactorial } from './samplers/log-factorial.js';
export {
  createStreamFactory,
  fromPosition,
  RandomStream,
  StreamFactory,
  type StreamState,
  streamFor,
  type UniformSource,
} from './stream.js';
