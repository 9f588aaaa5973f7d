/**
 * Discrete (categorical) samplers over non-negative weights.
 *
 * categorical(): linear search, the "direct method" selection of Gillespie (1977), J. Phys. Chem. 81(25):
 * target = U * total, return the first i with w[0] + ... + w[i] > target. O(n), no setup, no allocation, and
 * weights may change between draws, which is what the SSA needs. Exact when `total` is the sum of the weights
 * accumulated in index order (the default); if the caller keeps a running total that differs by rounding, the
 * bias is of the order of that difference, and a target that overshoots returns the last positive weight.
 *
 * AliasTable: Walker (1977), "An efficient method for generating discrete random variables with general
 * distributions", ACM TOMS 3(3), built with the numerically stable small/large worklists of Vose (1991),
 * "A linear algorithm for generating random numbers with a given distribution", IEEE TSE 17(9). O(n) setup,
 * O(1) per draw, for weights that stay fixed.
 */
import type { UniformSource } from '../stream.js';
import { uniformInt } from './discrete.js';

/** Index i in [0, n) with probability weights[i] / total (linear search; see the file comment). */
export function categorical(
  s: UniformSource,
  weights: ArrayLike<number>,
  n: number = weights.length,
  total?: number,
): number {
  let sum = total;
  if (sum === undefined) {
    sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i];
  }
  if (!(sum > 0) || !Number.isFinite(sum))
    throw new RangeError(`categorical needs a finite positive total weight`);
  const target = s.nextFloat64() * sum;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weights[i];
    if (target < acc) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (weights[i] > 0) return i;
  throw new RangeError('categorical: every weight is zero');
}

/** Walker/Vose alias table for fixed weights: O(1) draws (see the file comment). */
export class AliasTable {
  readonly size: number;
  /** prob[i]: probability of keeping column i rather than taking alias[i]. */
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('AliasTable needs at least one weight');
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w))
        throw new RangeError(`AliasTable weight ${i} is not finite and >= 0`);
      sum += w;
    }
    if (!(sum > 0)) throw new RangeError('AliasTable needs a positive total weight');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / sum;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const l = small[--ns];
      const g = large[--nl];
      this.prob[l] = scaled[l];
      this.alias[l] = g;
      scaled[g] = scaled[g] + scaled[l] - 1;
      if (scaled[g] < 1) small[ns++] = g;
      else large[nl++] = g;
    }
    // Leftovers are 1 up to rounding (Vose): they keep their own column.
    while (nl > 0) {
      const g = large[--nl];
      this.prob[g] = 1;
      this.alias[g] = g;
    }
    while (ns > 0) {
      const l = small[--ns];
      this.prob[l] = 1;
      this.alias[l] = l;
    }
  }

  /** A draw: a uniform column, then a biased coin between it and its alias. */
  sample(s: UniformSource): number {
    const i = uniformInt(s, this.size);
    return s.nextFloat64() < this.prob[i] ? i : this.alias[i];
  }
}
