/**
 * Latin hypercube designs in [0,1)^d (McKay, Beckman & Conover 1979, Technometrics 21:239): each axis is cut into
 * n equal strata and every stratum of every axis holds exactly one point, so n starts cover each parameter's range
 * evenly however many parameters there are (uniform random starts leave gaps). Optionally the best of a few
 * candidate designs by the maximin distance criterion (Johnson, Moore & Ylvisaker 1990, J. Stat. Plan. Inference
 * 26:131) is kept, which also spreads the points jointly. Randomness comes from keyed streams (seed, purpose,
 * candidate), so a design is reproducible from its seed whatever else draws random numbers.
 */
import { streamFor, uniformInt } from '../numerics/random/index.js';

export interface LatinHypercubeOptions {
  /** Candidate designs drawn; the one with the largest smallest pairwise distance wins (default 1). */
  readonly candidates?: number;
}

function checkDims(n: number, d: number): void {
  if (!(Number.isInteger(n) && n >= 1))
    throw new RangeError(`latinHypercube: n must be an integer >= 1, got ${n}`);
  if (!(Number.isInteger(d) && d >= 1))
    throw new RangeError(`latinHypercube: d must be an integer >= 1, got ${d}`);
}

/** One random Latin hypercube into `out` (n*d row-major); `perm` is an n-long work array. */
function drawDesign(
  out: Float64Array,
  n: number,
  d: number,
  seed: number,
  purpose: string,
  c: number,
  perm: Int32Array,
) {
  const s = streamFor(seed, ['purpose', purpose], ['candidate', c]);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    // Fisher-Yates shuffle: a uniformly random assignment of strata to points on this axis.
    for (let i = n - 1; i > 0; i--) {
      const k = uniformInt(s, i + 1);
      const t = perm[i];
      perm[i] = perm[k];
      perm[k] = t;
    }
    for (let i = 0; i < n; i++) {
      const k = perm[i];
      let x = (k + s.nextFloat64()) / n;
      // (k + u) / n can round up to the next stratum's edge when u is within an ulp of 1: keep it in stratum k.
      if (x * n >= k + 1) x = k / n;
      out[i * d + j] = x;
    }
  }
}

function minDistance2(x: Float64Array, n: number, d: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[a * d + j] - x[b * d + j]) ** 2;
      if (s < best) best = s;
    }
  return best;
}

/** n points in [0,1)^d, row-major (point i, coordinate j at i*d + j), one point per stratum on every axis. */
export function latinHypercube(
  n: number,
  d: number,
  seed: number,
  purpose = 'lhs',
  options: LatinHypercubeOptions = {},
): Float64Array {
  checkDims(n, d);
  const candidates = options.candidates ?? 1;
  if (!(Number.isInteger(candidates) && candidates >= 1))
    throw new RangeError(`latinHypercube: candidates must be an integer >= 1, got ${candidates}`);
  const perm = new Int32Array(n);
  const best = new Float64Array(n * d);
  drawDesign(best, n, d, seed, purpose, 0, perm);
  if (candidates === 1 || n < 2) return best;
  let bestScore = minDistance2(best, n, d);
  const trial = new Float64Array(n * d);
  for (let c = 1; c < candidates; c++) {
    drawDesign(trial, n, d, seed, purpose, c, perm);
    const score = minDistance2(trial, n, d);
    if (score > bestScore) {
      bestScore = score;
      best.set(trial);
    }
  }
  return best;
}
