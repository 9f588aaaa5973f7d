/** Exit codes with a meaning (after BSD sysexits), so scripts can tell a bad input from a failed run. */
export const EXIT = {
  ok: 0,
  /** The simulation ran but did not finish (step-size underflow, budget exhausted, ...). */
  simulationFailed: 1,
  /** Wrong command-line usage. */
  usage: 64,
  /** Input data (a model, a parameter value) is invalid. */
  dataError: 65,
  /** An input file does not exist or cannot be read. */
  noInput: 66,
  /** A bug in exoniche. */
  internal: 70,
  /** An output file cannot be written. */
  cantCreate: 73,
} as const;

/** An error meant for the user: printed without a stack trace, with its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
