/**
 * Morris elementary effects (Morris 1991, "Factorial sampling plans for preliminary computational experiments",
 * Technometrics 33:161-174) with the mu* screening measure of Campolongo, Cariboni & Saltelli (2007, "An effective
 * screening design for sensitivity analysis of large models", Environ. Model. Softw. 22:1509-1518).
 *
 * Each of r trajectories is d + 1 points on the p-level grid {0, 1/(p-1), ..., 1} of the unit hypercube (mapped to
 * the parameter ranges, uniform or log-uniform); consecutive points differ in one coordinate by +-Delta with
 * Delta = p / (2 (p - 1)) (Morris's choice: every level is equally likely to be visited), the coordinates taken in a
 * random order with random directions. The elementary effect of parameter i is the change in f divided by the
 * step in unit coordinates (so effects are comparable across parameters with different ranges).
 * Randomness: trajectory t is drawn from the keyed stream (seed, ['gsa', 'morris'], ['trajectory', t]).
 */

import { uniformInt } from '../../numerics/random/samplers/discrete.js';
import { streamFor } from '../../numerics/random/stream.js';
import type { ParameterSpec } from '../transform.js';
import { fromUnit } from '../transform.js';
import { checkGsaSpec, checkSeed, GsaError, type GsaSpec } from './sobol.js';

export interface MorrisDesign {
  readonly kind: 'morris';
  readonly names: readonly string[];
  readonly d: number;
  /** Trajectories. */
  readonly r: number;
  /** Grid levels p (even). */
  readonly levels: number;
  /** Step in unit coordinates, p / (2 (p - 1)). */
  readonly delta: number;
  readonly seed: number;
  /** r (d + 1) rows of d values, row-major; trajectory t is rows [t (d + 1), (t + 1) (d + 1)). Any evaluation order. */
  readonly points: Float64Array;
  /** The same rows as unit-hypercube grid positions. */
  readonly unit: Float64Array;
  readonly rows: number;
  /** For trajectory t and step k (0 <= k < d): the parameter changed between rows k and k + 1 ... */
  readonly steps: Int32Array;
  /** ... and the sign (+1 or -1) of its change. */
  readonly signs: Int8Array;
}

export function morrisDesign(spec: GsaSpec, r: number, levels: number, seed: number): MorrisDesign {
  checkGsaSpec(spec);
  if (!Number.isInteger(r) || r < 2 || r > 1e6)
    throw new GsaError(`morrisDesign: r (trajectories) must be an integer in [2, 1e6], got ${r}`);
  if (!Number.isInteger(levels) || levels < 2 || levels % 2 !== 0 || levels > 1000)
    throw new GsaError(`morrisDesign: levels must be an even integer in [2, 1000], got ${levels}`);
  checkSeed(seed, 'morrisDesign');
  const d = spec.length;
  const rows = r * (d + 1);
  const unit = new Float64Array(rows * d);
  const points = new Float64Array(rows * d);
  const steps = new Int32Array(r * d);
  const signs = new Int8Array(r * d);
  const half = levels / 2;
  const delta = half / (levels - 1);
  const base = new Int32Array(d); // grid index of the lower of the two levels each coordinate takes
  const perm = new Int32Array(d);
  const dir = new Int8Array(d); // direction of each coordinate's step
  for (let t = 0; t < r; t++) {
    const s = streamFor(seed, ['gsa', 'morris'], ['trajectory', t]);
    const r0 = t * (d + 1) * d;
    for (let k = 0; k < d; k++) {
      base[k] = uniformInt(s, half); // lower level in {0, ..., p/2 - 1}, so lower + Delta <= 1
      const sign = s.nextUint32() & 1 ? 1 : -1;
      dir[k] = sign;
      unit[r0 + k] = (base[k] + (sign > 0 ? 0 : half)) / (levels - 1);
    }
    // Fisher-Yates shuffle of the coordinate order.
    for (let k = 0; k < d; k++) perm[k] = k;
    for (let k = d - 1; k > 0; k--) {
      const m = uniformInt(s, k + 1);
      const tmp = perm[k] as number;
      perm[k] = perm[m] as number;
      perm[m] = tmp;
    }
    for (let k = 0; k < d; k++) {
      const i = perm[k] as number;
      const prev = r0 + k * d;
      const next = prev + d;
      unit.copyWithin(next, prev, prev + d);
      const sign = dir[i] as number;
      unit[next + i] = (base[i] + (sign > 0 ? half : 0)) / (levels - 1);
      steps[t * d + k] = i;
      signs[t * d + k] = sign;
    }
  }
  for (let q = 0; q < rows; q++)
    for (let k = 0; k < d; k++)
      points[q * d + k] = fromUnit(spec[k] as ParameterSpec, unit[q * d + k] as number);
  return {
    kind: 'morris',
    names: spec.map((p) => p.name),
    d,
    r,
    levels,
    delta,
    seed,
    points,
    unit,
    rows,
    steps,
    signs,
  };
}

export interface MorrisIndices {
  readonly names: readonly string[];
  /** Mean elementary effect (signed; effects of opposite sign cancel). */
  readonly mu: Float64Array;
  /** Mean absolute elementary effect (Campolongo et al. 2007), the screening measure. */
  readonly muStar: Float64Array;
  /** Standard deviation of the elementary effects (denominator r - 1): nonlinearity or interactions. */
  readonly sigma: Float64Array;
}

/** Elementary-effect statistics from the model values of a Morris design (values[q] = f(row q)). */
export function morrisIndices(design: MorrisDesign, values: Float64Array): MorrisIndices {
  if (design.kind !== 'morris') throw new GsaError('morrisIndices: not a Morris design');
  const { d, r, delta } = design;
  if (!(values instanceof Float64Array) || values.length !== design.rows)
    throw new GsaError(
      `morrisIndices: need ${design.rows} values (r (d + 1) = ${r} x ${d + 1}), got ${values?.length}`,
    );
  for (let q = 0; q < values.length; q++)
    if (!Number.isFinite(values[q]))
      throw new GsaError(`morrisIndices: value of row ${q} is not finite (${values[q]})`);
  const sum = new Float64Array(d);
  const sumAbs = new Float64Array(d);
  const sumSq = new Float64Array(d);
  for (let t = 0; t < r; t++) {
    const q0 = t * (d + 1);
    for (let k = 0; k < d; k++) {
      const i = design.steps[t * d + k] as number;
      const ee =
        ((values[q0 + k + 1] as number) - (values[q0 + k] as number)) /
        ((design.signs[t * d + k] as number) * delta);
      sum[i] = (sum[i] as number) + ee;
      sumAbs[i] = (sumAbs[i] as number) + Math.abs(ee);
      sumSq[i] = (sumSq[i] as number) + ee * ee;
    }
  }
  const mu = new Float64Array(d);
  const muStar = new Float64Array(d);
  const sigma = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const m = (sum[i] as number) / r;
    mu[i] = m;
    muStar[i] = (sumAbs[i] as number) / r;
    sigma[i] = Math.sqrt(Math.max(0, ((sumSq[i] as number) - r * m * m) / (r - 1)));
  }
  return { names: design.names, mu, muStar, sigma };
}
