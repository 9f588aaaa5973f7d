/**
 * Local sensitivity ranking: central differences of a vector output with respect to each parameter's position in
 * its range (linear or log, transform.ts), i.e. the change of the output per unit of the range, so parameters with
 * different units and spans compare. The score is the RMS over output components of the derivative.
 */
import { fromUnit, type ParameterSpec, toUnit } from './transform.js';

export interface SensitivityEntry {
  readonly name: string;
  /** RMS over outputs of d output / d position (position in [0, 1] across the range). */
  readonly score: number;
  /** Largest |derivative| over outputs. */
  readonly max: number;
}

/**
 * Scores of each parameter at x0 (natural values), step h in range position (default 0.05, clipped inside
 * [0, 1]); `f` returns the output vector (same length every call). Sorted by score, largest first.
 */
export function localSensitivity(
  f: (x: Float64Array) => ArrayLike<number>,
  specs: readonly ParameterSpec[],
  x0: ArrayLike<number>,
  h = 0.05,
): SensitivityEntry[] {
  const out: SensitivityEntry[] = [];
  const x = Float64Array.from(x0);
  specs.forEach((p, j) => {
    const s0 = toUnit(p, x0[j]);
    const sp = Math.min(1, s0 + h);
    const sm = Math.max(0, s0 - h);
    x[j] = fromUnit(p, sp);
    const yp = Array.from(f(x));
    x[j] = fromUnit(p, sm);
    const ym = Array.from(f(x));
    x[j] = x0[j];
    let ss = 0;
    let mx = 0;
    let n = 0;
    for (let k = 0; k < yp.length; k++) {
      const d = (yp[k] - ym[k]) / (sp - sm);
      if (!Number.isFinite(d)) continue;
      ss += d * d;
      mx = Math.max(mx, Math.abs(d));
      n++;
    }
    out.push({ name: p.name, score: n > 0 ? Math.sqrt(ss / n) : Number.NaN, max: mx });
  });
  return out.sort((a, b) => b.score - a.score);
}
