/** Strict parsing of command-line values: a bad value is a usage error that names the option. */
import { CliError, EXIT } from './exit-codes.js';

export function parseNumber(option: string, raw: string, check?: (x: number) => string | undefined): number {
  const x = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(x))
    throw new CliError(`${option}: expected a finite number, got '${raw}'`, EXIT.usage);
  const problem = check?.(x);
  if (problem) throw new CliError(`${option}: ${problem}, got ${raw}`, EXIT.usage);
  return x;
}

export const positive = (x: number) => (x > 0 ? undefined : 'expected a positive number');
export const positiveInteger = (x: number) =>
  Number.isInteger(x) && x > 0 ? undefined : 'expected a positive integer';

/** `ID=VALUE` pairs into a record; repeated ids are an error. */
export function parseAssignments(option: string, pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`${option}: expected ID=VALUE, got '${pair}'`, EXIT.usage);
    const id = pair.slice(0, eq).trim();
    if (id in out) throw new CliError(`${option}: '${id}' is given twice`, EXIT.usage);
    out[id] = parseNumber(`${option} ${id}`, pair.slice(eq + 1));
  }
  return out;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
