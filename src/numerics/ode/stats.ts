/** Work counters of one solve. */
export interface SolverStats {
  /** Accepted steps. */
  steps: number;
  /** Rejected steps (error test or convergence failure). */
  rejected: number;
  /** Right-hand-side evaluations (including those made for finite-difference Jacobians). */
  fEvals: number;
  /** Jacobian evaluations (analytic or finite-difference). */
  jacEvals: number;
  /** LU factorisations. */
  luDecomps: number;
  /** Linear solves with an existing factorisation. */
  linSolves: number;
  /** Newton iterations (implicit multistep methods). */
  newtonIters: number;
  /** Newton convergence failures. */
  newtonFails: number;
  /** Events that fired. */
  events: number;
  /** Method switches (auto). */
  switches: number;
}

export function emptyStats(): SolverStats {
  return {
    steps: 0,
    rejected: 0,
    fEvals: 0,
    jacEvals: 0,
    luDecomps: 0,
    linSolves: 0,
    newtonIters: 0,
    newtonFails: 0,
    events: 0,
    switches: 0,
  };
}

export function addStats(into: SolverStats, from: SolverStats): void {
  for (const k of Object.keys(into) as (keyof SolverStats)[]) into[k] += from[k];
}
