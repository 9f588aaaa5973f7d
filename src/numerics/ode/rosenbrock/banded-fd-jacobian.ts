/** Moved to src/numerics/ode/banded-fd-jacobian.ts (shared with BDF); re-exported for existing imports. */
export { bandedDifferenceJacobian, bandedFiniteDifferenceJacobian } from '../banded-fd-jacobian.js';
