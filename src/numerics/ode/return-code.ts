/** How a solve ended. A closed set (after SciMLBase's retcodes); only `Success` and `Terminated` mean the result is complete. */
export type ReturnCode =
  | 'Success' // reached the final time
  | 'Terminated' // an event asked to stop
  | 'MaxIters' // the step budget ran out
  | 'DtLessThanMin' // the step size underflowed: likely a singularity or a too-tight tolerance
  | 'Unstable' // the solution became NaN or infinite
  | 'ConvergenceFailure' // Newton iterations failed repeatedly
  | 'InitialFailure'; // the problem could not be started (bad y0, f(t0, y0) not finite)

export function isSuccessful(code: ReturnCode): boolean {
  return code === 'Success' || code === 'Terminated';
}
