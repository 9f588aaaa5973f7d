/**
 * Locating the earliest sign change among several event indicators inside one step, on the dense output.
 *
 * Alternates a secant (regula falsi) step on the indicator whose root is estimated earliest with a bisection
 * step, in the spirit of the Hiebert-Shampine root finder used by LSODAR and CVODE: the bracket shrinks by at
 * least half every two iterations, so the cost is bounded even for indicators that are not smooth (e.g. step
 * functions of a boolean trigger), while smooth indicators converge superlinearly.
 */

/** Does the change gl -> gr count, for direction d (+1 rising, -1 falling, 0 either)? */
export function crosses(gl: number, gr: number, d: number): boolean {
  if (d >= 0 && gl <= 0 && gr > 0) return true;
  if (d <= 0 && gl > 0 && gr <= 0) return true;
  return false;
}

export interface RootScratch {
  gl: Float64Array;
  gr: Float64Array;
  gm: Float64Array;
  y: Float64Array;
}

export function createRootScratch(nIndicators: number, nState: number): RootScratch {
  return {
    gl: new Float64Array(nIndicators),
    gr: new Float64Array(nIndicators),
    gm: new Float64Array(nIndicators),
    y: new Float64Array(nState),
  };
}

/**
 * Find the earliest crossing in (tl, tr]. `gAt(t, out)` evaluates every indicator at t on the dense output.
 * On entry `s.gl` and `s.gr` hold the indicators at tl and tr, and at least one crosses. Returns the right end
 * of the final bracket (a time at which the crossing has happened), with `s.gr` holding the indicators there.
 */
export function locateRoot(
  tl: number,
  tr: number,
  gAt: (t: number, out: Float64Array) => void,
  directions: Int8Array | undefined,
  s: RootScratch,
): number {
  const m = s.gl.length;
  const ttol = 4 * Number.EPSILON * Math.max(Math.abs(tl), Math.abs(tr)) + Number.MIN_VALUE;
  for (let iter = 0; iter < 400 && Math.abs(tr - tl) > ttol; iter++) {
    let tm: number;
    if (iter % 2 === 0) {
      // secant estimate: the earliest predicted crossing among the indicators that cross
      let best = 0;
      for (let k = 0; k < m; k++) {
        const d = directions ? directions[k] : 1;
        if (!crosses(s.gl[k], s.gr[k], d)) continue;
        const denom = s.gr[k] - s.gl[k];
        const frac = denom !== 0 && Number.isFinite(denom) ? s.gr[k] / denom : 0.5;
        if (frac > best) best = frac;
      }
      tm = tr - best * (tr - tl);
      // keep the trial point away from the ends so the bracket always shrinks
      const minGap = 0.05 * (tr - tl);
      if (Math.abs(tm - tl) < Math.abs(minGap)) tm = tl + minGap;
      if (Math.abs(tr - tm) < Math.abs(minGap)) tm = tr - minGap;
    } else {
      tm = tl + 0.5 * (tr - tl);
    }
    if (tm === tl || tm === tr) break;
    gAt(tm, s.gm);
    let left = false;
    for (let k = 0; k < m; k++) {
      if (crosses(s.gl[k], s.gm[k], directions ? directions[k] : 1)) {
        left = true;
        break;
      }
    }
    if (left) {
      tr = tm;
      s.gr.set(s.gm);
    } else {
      tl = tm;
      s.gl.set(s.gm);
    }
  }
  return tr;
}
