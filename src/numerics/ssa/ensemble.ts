/**
 * Ensemble statistics in memory independent of the number of replicates N: for each (save point, variable)
 * cell, the running mean and sum of squared deviations by Welford's update (Welford 1962, Technometrics 4,
 * 419), and optional quantiles by the P-squared algorithm (Jain & Chlamtac 1985, CACM 28, 1076).
 *
 * Accuracy.
 *  - Mean and variance: Welford's recurrence avoids the cancellation of the sum-of-squares formula (whose
 *    relative error grows like eps * mean^2/variance); its error stays a small multiple of eps * N in the
 *    worst case and is usually far smaller. The variance reported is the unbiased sample variance (divisor N - 1), the
 *    S^2 of the DSMTS rules.
 *  - Quantiles: P-squared keeps five markers per quantile and moves the middle ones by piecewise-parabolic
 *    prediction; it is an estimate, not the sample quantile. For continuous laws it is typically within a
 *    few hundredths of a standard deviation of the true quantile after 10^4 observations (the tests check
 *    standard normal quantiles to 0.05 sd and exponential ones to 3% at N = 10^4). For integer counts the
 *    estimate is a real number between neighbouring integers; round it if an integer is needed. With fewer than
 *    five observations the exact sample quantile (linear interpolation) is returned.
 *  - Third and fourth central moments are accumulated with Pebay's one-pass updates (Pebay 2008, Sandia
 *    report SAND2008-6212), for the excess kurtosis: the DSMTS SD statistic Y = sqrt(N/2)(S^2/sigma^2 - 1) has
 *    standard deviation ~sqrt(1 + kurtosis/2) under the null, far above 1 for heavy-tailed counts.
 *  - merge() combines Welford states exactly (Chan, Golub & LeVeque 1979) so ensembles split across workers
 *    can be joined; P-squared markers cannot be merged, so merge() refuses accumulators with quantiles.
 */

export class EnsembleStats {
  readonly nTimes: number;
  readonly nVars: number;
  readonly probabilities: Float64Array;
  private readonly n: Float64Array;
  private readonly mu: Float64Array;
  private readonly m2: Float64Array;
  private readonly m3: Float64Array;
  private readonly m4: Float64Array;
  /** P-squared state, per (cell, quantile): 5 heights, 5 positions, 5 desired positions. */
  private readonly qh: Float64Array;
  private readonly qn: Float64Array;
  private readonly qd: Float64Array;
  private readonly dn: Float64Array;

  constructor(nTimes: number, nVars: number, quantiles: readonly number[] = []) {
    for (const p of quantiles)
      if (!(p > 0 && p < 1)) throw new RangeError(`EnsembleStats: quantile ${p} must be in (0, 1)`);
    this.nTimes = nTimes;
    this.nVars = nVars;
    this.probabilities = Float64Array.from(quantiles);
    const cells = nTimes * nVars;
    this.n = new Float64Array(nTimes);
    this.mu = new Float64Array(cells);
    this.m2 = new Float64Array(cells);
    this.m3 = new Float64Array(cells);
    this.m4 = new Float64Array(cells);
    const nq = quantiles.length;
    this.qh = new Float64Array(cells * nq * 5);
    this.qn = new Float64Array(cells * nq * 5);
    this.qd = new Float64Array(cells * nq * 5);
    this.dn = new Float64Array(nq * 5);
    quantiles.forEach((p, q) => {
      this.dn.set([0, p / 2, p, (1 + p) / 2, 1], q * 5);
    });
  }

  /** Add one replicate's values at save point iTime: values[offset + k] for variable k. Allocates nothing. */
  add(iTime: number, values: ArrayLike<number>, offset = 0): void {
    const nv = this.nVars;
    const cnt = this.n[iTime] + 1;
    this.n[iTime] = cnt;
    const base = iTime * nv;
    const nq = this.probabilities.length;
    for (let k = 0; k < nv; k++) {
      const v = values[offset + k];
      const c = base + k;
      const d = v - this.mu[c];
      const dn = d / cnt;
      const dn2 = dn * dn;
      const t1 = d * dn * (cnt - 1);
      const m2 = this.m2[c];
      this.mu[c] += dn;
      this.m4[c] += t1 * dn2 * (cnt * cnt - 3 * cnt + 3) + 6 * dn2 * m2 - 4 * dn * this.m3[c];
      this.m3[c] += t1 * dn * (cnt - 2) - 3 * dn * m2;
      this.m2[c] = m2 + t1;
      for (let q = 0; q < nq; q++) this.p2Add((c * nq + q) * 5, q * 5, cnt, v);
    }
  }

  count(iTime: number): number {
    return this.n[iTime];
  }

  mean(iTime: number, k: number): number {
    return this.n[iTime] > 0 ? this.mu[iTime * this.nVars + k] : Number.NaN;
  }

  /** Unbiased sample variance (divisor N - 1); NaN for N < 2. */
  variance(iTime: number, k: number): number {
    const cnt = this.n[iTime];
    return cnt > 1 ? this.m2[iTime * this.nVars + k] / (cnt - 1) : Number.NaN;
  }

  sd(iTime: number, k: number): number {
    return Math.sqrt(this.variance(iTime, k));
  }

  /** Sample excess kurtosis n M4 / M2^2 - 3 (NaN when the variance is 0 or N < 2). */
  excessKurtosis(iTime: number, k: number): number {
    const cnt = this.n[iTime];
    const c = iTime * this.nVars + k;
    const m2 = this.m2[c];
    return cnt > 1 && m2 > 0 ? (cnt * this.m4[c]) / (m2 * m2) - 3 : Number.NaN;
  }

  /** Estimate of the quantile probabilities[q] (see the accuracy notes above). */
  quantile(iTime: number, k: number, q: number): number {
    const cnt = this.n[iTime];
    const nq = this.probabilities.length;
    if (cnt === 0 || q < 0 || q >= nq) return Number.NaN;
    const o = ((iTime * this.nVars + k) * nq + q) * 5;
    if (cnt >= 5) return this.qh[o + 2];
    // Exact sample quantile of the first few (kept sorted in qh) with linear interpolation.
    const pos = this.probabilities[q] * (cnt - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(cnt - 1, lo + 1);
    return this.qh[o + lo] + (pos - lo) * (this.qh[o + hi] - this.qh[o + lo]);
  }

  /** Join another accumulator's Welford state (same shape, no quantiles). */
  merge(other: EnsembleStats): void {
    if (other.nTimes !== this.nTimes || other.nVars !== this.nVars)
      throw new Error('EnsembleStats.merge: shapes differ');
    if (this.probabilities.length > 0 || other.probabilities.length > 0)
      throw new Error('EnsembleStats.merge: P-squared quantile markers cannot be merged');
    for (let i = 0; i < this.nTimes; i++) {
      const na = this.n[i];
      const nb = other.n[i];
      const nt = na + nb;
      if (nb === 0) continue;
      for (let k = 0; k < this.nVars; k++) {
        // Pairwise combination (Chan, Golub & LeVeque 1979; Pebay 2008 for M3, M4).
        const c = i * this.nVars + k;
        const d = other.mu[c] - this.mu[c];
        const a2 = this.m2[c];
        const b2 = other.m2[c];
        const a3 = this.m3[c];
        const b3 = other.m3[c];
        this.mu[c] += (d * nb) / nt;
        this.m2[c] = a2 + b2 + (d * d * na * nb) / nt;
        this.m3[c] =
          a3 + b3 + (d ** 3 * na * nb * (na - nb)) / (nt * nt) + (3 * d * (na * b2 - nb * a2)) / nt;
        this.m4[c] =
          this.m4[c] +
          other.m4[c] +
          (d ** 4 * na * nb * (na * na - na * nb + nb * nb)) / nt ** 3 +
          (6 * d * d * (na * na * b2 + nb * nb * a2)) / (nt * nt) +
          (4 * d * (na * b3 - nb * a3)) / nt;
      }
      this.n[i] = nt;
    }
  }

  /** One P-squared update of the marker block at o (probability block at po) with the cnt-th value v. */
  private p2Add(o: number, po: number, cnt: number, v: number): void {
    const h = this.qh;
    const pos = this.qn;
    const want = this.qd;
    if (cnt <= 5) {
      // Insertion into the sorted initial buffer.
      let i = cnt - 1;
      while (i > 0 && h[o + i - 1] > v) {
        h[o + i] = h[o + i - 1];
        i--;
      }
      h[o + i] = v;
      if (cnt === 5) {
        const dn = this.dn;
        for (let j = 0; j < 5; j++) {
          pos[o + j] = j;
          want[o + j] = 4 * dn[po + j];
        }
      }
      return;
    }
    let k: number;
    if (v < h[o]) {
      h[o] = v;
      k = 0;
    } else if (v >= h[o + 4]) {
      h[o + 4] = v;
      k = 3;
    } else {
      k = 0;
      while (k < 3 && v >= h[o + k + 1]) k++;
    }
    for (let j = k + 1; j < 5; j++) pos[o + j] += 1;
    for (let j = 0; j < 5; j++) want[o + j] += this.dn[po + j];
    for (let j = 1; j <= 3; j++) {
      const d = want[o + j] - pos[o + j];
      const np = pos[o + j + 1] - pos[o + j];
      const nm = pos[o + j - 1] - pos[o + j];
      if ((d >= 1 && np > 1) || (d <= -1 && nm < -1)) {
        const s = d > 0 ? 1 : -1;
        const qi = h[o + j];
        const qp = h[o + j + 1];
        const qm = h[o + j - 1];
        // Piecewise-parabolic (P^2) prediction; fall back to linear when it would break monotonicity.
        let cand = qi + (s / (np - nm)) * ((-nm + s) * ((qp - qi) / np) + (np - s) * ((qi - qm) / -nm));
        if (!(qm < cand && cand < qp)) cand = s > 0 ? qi + (qp - qi) / np : qi - (qm - qi) / nm;
        h[o + j] = cand;
        pos[o + j] += s;
      }
    }
  }
}
