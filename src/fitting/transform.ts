/**
 * Bounded parameters for unconstrained optimisers: a parameter with range [lo, hi] is mapped to the real line by
 * u = logit(s), s its position in the range, linear or logarithmic. Log positions suit rates and amounts spanning
 * decades (the knowledge base's ranges often span 2-4 decades); the logit keeps every trial point strictly inside
 * the range, so a model never sees an out-of-range value.
 */

export interface ParameterSpec {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  /** 'log' positions need 0 < lo. */
  readonly scale: 'linear' | 'log';
  /** Starting value (inside the range); default the range's (log-)midpoint. */
  readonly initial?: number;
}

export class ParameterSpecError extends Error {
  override name = 'ParameterSpecError';
}

export function checkSpec(p: ParameterSpec): void {
  if (!(Number.isFinite(p.lo) && Number.isFinite(p.hi) && p.lo < p.hi))
    throw new ParameterSpecError(`parameter '${p.name}': need finite lo < hi, got [${p.lo}, ${p.hi}]`);
  if (p.scale === 'log' && !(p.lo > 0))
    throw new ParameterSpecError(`parameter '${p.name}': log scale needs lo > 0, got ${p.lo}`);
  if (p.initial !== undefined && !(p.initial > p.lo && p.initial < p.hi))
    throw new ParameterSpecError(
      `parameter '${p.name}': initial ${p.initial} must lie strictly inside [${p.lo}, ${p.hi}]`,
    );
}

/** Position in [0, 1] of a value in the range (linear or log). */
export function toUnit(p: ParameterSpec, x: number): number {
  return p.scale === 'log'
    ? (Math.log(x) - Math.log(p.lo)) / (Math.log(p.hi) - Math.log(p.lo))
    : (x - p.lo) / (p.hi - p.lo);
}

/** Value at a position in [0, 1]; clamped to [lo, hi] against rounding (exp/log at the ends). */
export function fromUnit(p: ParameterSpec, s: number): number {
  const x =
    p.scale === 'log'
      ? Math.exp(Math.log(p.lo) + s * (Math.log(p.hi) - Math.log(p.lo)))
      : p.lo + s * (p.hi - p.lo);
  return Math.min(p.hi, Math.max(p.lo, x));
}

/** Unbounded coordinate of a value strictly inside the range. */
export function toUnbounded(p: ParameterSpec, x: number): number {
  const s = toUnit(p, x);
  return Math.log(s / (1 - s));
}

/** Value of an unbounded coordinate: inside the range (strictly, unless |u| > ~36 rounds it to an end). */
export function fromUnbounded(p: ParameterSpec, u: number): number {
  const s = u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
  return fromUnit(p, s);
}

export function defaultInitial(p: ParameterSpec): number {
  return p.initial ?? fromUnit(p, 0.5);
}
