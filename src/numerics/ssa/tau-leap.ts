/**
 * Adaptive explicit tau-leaping with the non-negative, critical-reaction scheme of Cao, Gillespie & Petzold
 * (2006, J. Chem. Phys. 124, 044109; the tau selection of their eqs. 32-33 and the algorithm of their
 * section IV), on a JumpProblem:
 *
 *  1. A reaction with a_j > 0 is *critical* when it is within n_c firings of exhausting one of its reactants
 *     (L_j = min_i floor(x_i / r_ij) < n_c over its reactant stoichiometries r_ij).
 *  2. tau' = min over the reactant species i of the non-critical reactions of
 *       max(eps x_i / g_i, 1) / |mu_i|  and  max(eps x_i / g_i, 1)^2 / sigma_i^2,
 *     mu_i = sum_j nu_ij a_j, sigma_i^2 = sum_j nu_ij^2 a_j over the non-critical j, and g_i from the highest
 *     order of reaction in which species i is a reactant (HOR 1: 1; HOR 2: 2, or 2 + 1/(x_i - 1) when two
 *     molecules of i are needed; HOR 3: 3, 3/2 (2 + 1/(x_i - 1)), or 3 + 1/(x_i - 1) + 2/(x_i - 2)).
 *  3. If tau' < ssaFactor / a0 (10 in the paper) a leap would buy little: take `ssaSteps` (100) exact
 *     direct-method steps instead.
 *  4. Otherwise draw tau'' ~ Exp(a0_critical). If tau' < tau'' leap by tau' with no critical firing, else leap
 *     by tau'' with exactly one critical reaction (chosen by a_j / a0_critical); non-critical reactions fire
 *     Poisson(a_j tau) times (project sampler, keyed stream).
 *  5. If any population would go negative, the leap is rejected, tau' is halved and step 4 is redone: the
 *     state never goes negative.
 *
 * Leaps stop exactly at the target time of advanceTo(): a leap capped at tCap < tau'' fires no critical
 * reaction, which is correct by memorylessness of the critical clock.
 *
 * Reactant stoichiometries are not part of JumpProblem (which stores net changes); they are given in
 * `options.reactants` or inferred: species j's propensity reads are reactants, with stoichiometry equal to
 * the net consumption when the reaction consumes them and 1 otherwise (exact for mass action without
 * autocatalysis; a catalyst counts as order 1, which only makes tau smaller-or-equal where it matters).
 * Time-dependent propensities are frozen over a leap at their value at its start (the usual explicit
 * approximation; keep eps small for fast-varying rates).
 *
 * Events (driven from outside, see models/simulate-approximate.ts): `step(tMax)` takes one leap (or one
 * batch of exact steps) and never passes tMax, so a caller lands exactly on event times. A batch of exact
 * steps stops right after a firing for which `watch(t, x)` is true. When a leap has carried a watched
 * condition across, `refineLeap` locates the crossing inside it without bias for the leap's own law: given
 * its Poisson counts K_j over (t0, t1], the counts over the first half are Binomial(K_j, 1/2) (the firing
 * times of a Poisson process with frozen rate are uniform given their number), so bisecting with binomial
 * splits walks down to a sub-interval holding a single firing, whose time is then uniform in it; the
 * trajectory is cut there and the rest of the leap discarded (by the Markov property of the frozen-rate
 * process the continuation is drawn afresh). Cost: about log2(K) binomial draws per located crossing.
 */
import { binomial, poisson } from '../random/samplers/discrete.js';
import type { UniformSource } from '../random/stream.js';
import { type JumpProblem, type PropensityInto, propensityIntoOf } from './problem.js';

export interface TauLeapOptions {
  /** Error-control parameter epsilon (bound on the relative change of each propensity). Default 0.03. */
  readonly epsilon?: number;
  /** Critical threshold n_c. Default 10. */
  readonly nCritical?: number;
  /** Use exact steps when tau' < ssaFactor / a0. Default 10. */
  readonly ssaFactor?: number;
  /** Exact steps taken each time the SSA fallback triggers. Default 100. */
  readonly ssaSteps?: number;
  /** Per reaction, its reactants as [species, stoichiometry] pairs (default: inferred, see above). */
  readonly reactants?: readonly (readonly (readonly [number, number])[])[];
}

export interface TauLeapStats {
  /** Reactions fired (in leaps and exact steps). */
  firings: number;
  leaps: number;
  rejections: number;
  ssaSteps: number;
}

export class TauLeaping {
  t = 0;
  readonly x: Float64Array;
  readonly stats: TauLeapStats = { firings: 0, leaps: 0, rejections: 0, ssaSteps: 0 };
  private readonly problem: JumpProblem;
  private readonly into: PropensityInto;
  private readonly p: Float64Array;
  private readonly m: number;
  private readonly n: number;
  private readonly eps: number;
  private readonly nc: number;
  private readonly ssaFactor: number;
  private readonly ssaSteps: number;
  /** CSR of reactant species and stoichiometries per reaction. */
  private readonly rPtr: Int32Array;
  private readonly rSpecies: Int32Array;
  private readonly rStoich: Float64Array;
  /** Highest order of reaction in which species i is a reactant, and the largest stoichiometry of i there. */
  private readonly hor: Int32Array;
  private readonly horStoich: Int32Array;
  private readonly isReactant: Uint8Array;
  private readonly a: Float64Array;
  private readonly critical: Uint8Array;
  private readonly k: Float64Array;
  private readonly xNew: Float64Array;
  private readonly mu: Float64Array;
  private readonly sigma2: Float64Array;
  private rng: UniformSource | null = null;
  /** The last step: a leap (true) from (leapT0, leapX0) to t with Poisson counts leapK and critical leapJc. */
  private lastWasLeap = false;
  private leapT0 = 0;
  private readonly leapX0: Float64Array;
  private readonly leapK: Float64Array;
  private readonly leftK: Float64Array;
  private readonly xMid: Float64Array;
  private leapJc = -1;
  /** Exact-step batches stop after a firing for which this returns true (events). */
  watch: ((t: number, x: Float64Array) => boolean) | null = null;

  constructor(problem: JumpProblem, options: TauLeapOptions = {}) {
    this.problem = problem;
    this.into = propensityIntoOf(problem);
    this.p = problem.p;
    const m = (this.m = problem.nReactions);
    const n = (this.n = problem.nSpecies);
    this.eps = options.epsilon ?? 0.03;
    this.nc = options.nCritical ?? 10;
    this.ssaFactor = options.ssaFactor ?? 10;
    this.ssaSteps = options.ssaSteps ?? 100;
    const reactants = options.reactants ?? inferReactants(problem);
    if (reactants.length !== m)
      throw new Error(`TauLeaping: ${reactants.length} reactant lists for ${m} reactions`);
    this.rPtr = new Int32Array(m + 1);
    const rs: number[] = [];
    const rc: number[] = [];
    this.hor = new Int32Array(n);
    this.horStoich = new Int32Array(n);
    this.isReactant = new Uint8Array(n);
    for (let j = 0; j < m; j++) {
      let order = 0;
      for (const [, c] of reactants[j]) order += c;
      for (const [i, c] of reactants[j]) {
        if (!(c > 0)) continue;
        rs.push(i);
        rc.push(c);
        this.isReactant[i] = 1;
        if (order > this.hor[i] || (order === this.hor[i] && c > this.horStoich[i])) {
          this.hor[i] = order;
          this.horStoich[i] = c;
        }
      }
      this.rPtr[j + 1] = rs.length;
    }
    this.rSpecies = Int32Array.from(rs);
    this.rStoich = Float64Array.from(rc);
    this.x = new Float64Array(n);
    this.xNew = new Float64Array(n);
    this.mu = new Float64Array(n);
    this.sigma2 = new Float64Array(n);
    this.a = new Float64Array(m);
    this.critical = new Uint8Array(m);
    this.k = new Float64Array(m);
    this.leapX0 = new Float64Array(n);
    this.leapK = new Float64Array(m);
    this.leftK = new Float64Array(m);
    this.xMid = new Float64Array(n);
  }

  reset(t0: number, rng: UniformSource, x0?: ArrayLike<number>): void {
    this.t = t0;
    this.rng = rng;
    const src = x0 ?? this.problem.x0;
    for (let i = 0; i < this.n; i++) this.x[i] = src[i];
    this.stats.firings = 0;
    this.stats.leaps = 0;
    this.stats.rejections = 0;
    this.stats.ssaSteps = 0;
    this.lastWasLeap = false;
  }

  /** g_i of Cao, Gillespie & Petzold (2006), eq. 27 and the text after it. */
  private g(i: number, xi: number): number {
    const h = this.hor[i];
    const s = this.horStoich[i];
    if (h <= 1) return 1;
    if (h === 2) return s >= 2 && xi > 1 ? 2 + 1 / (xi - 1) : 2;
    if (h === 3) {
      if (s >= 3 && xi > 2) return 3 + 1 / (xi - 1) + 2 / (xi - 2);
      if (s === 2 && xi > 1) return 1.5 * (2 + 1 / (xi - 1));
      return 3;
    }
    return h; // orders above 3 are rare; h is the natural generalisation of the leading term
  }

  private propensities(): number {
    const { a, x, p, m, t } = this;
    let a0 = 0;
    for (let j = 0; j < m; j++) {
      this.into(j, t, x, p, a);
      a0 += a[j];
    }
    return a0;
  }

  private applyChange(j: number, times: number, y: Float64Array): void {
    const pr = this.problem;
    for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++)
      y[pr.changeSpecies[q]] += times * pr.changeDelta[q];
  }

  /** Simulate until t = tEnd (exactly). */
  advanceTo(tEnd: number): void {
    while (this.t < tEnd) this.step(tEnd);
  }

  /**
   * One leap, or one batch of up to ssaSteps exact steps, ending at or before tEnd (exactly at tEnd when it
   * gets there). Does nothing when t >= tEnd.
   */
  step(tEnd: number): void {
    const rng = this.rng;
    if (!rng) throw new Error('TauLeaping: reset() first');
    const { a, x, n, m, critical, k, xNew, mu, sigma2, rPtr, rSpecies, rStoich } = this;
    const pr = this.problem;
    this.lastWasLeap = false;
    if (this.t < tEnd) {
      const a0 = this.propensities();
      if (!(a0 > 0)) {
        this.t = tEnd;
        return;
      }
      // 1. critical reactions
      let a0c = 0;
      let anyNonCritical = false;
      for (let j = 0; j < m; j++) {
        critical[j] = 0;
        if (!(a[j] > 0)) continue;
        let L = Number.POSITIVE_INFINITY;
        for (let q = rPtr[j]; q < rPtr[j + 1]; q++) {
          const l = Math.floor(x[rSpecies[q]] / rStoich[q]);
          if (l < L) L = l;
        }
        // a reaction that consumes nothing it reads cannot drive anything negative through its reactants,
        // but its net change may still be negative (e.g. an inferred catalyst): treat consumption too
        for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++) {
          const d = pr.changeDelta[q];
          if (d < 0) {
            const l = Math.floor(x[pr.changeSpecies[q]] / -d);
            if (l < L) L = l;
          }
        }
        if (L < this.nc) {
          critical[j] = 1;
          a0c += a[j];
        } else anyNonCritical = true;
      }
      // 2. tau'
      let tau1 = Number.POSITIVE_INFINITY;
      if (anyNonCritical) {
        mu.fill(0);
        sigma2.fill(0);
        for (let j = 0; j < m; j++) {
          if (critical[j] || !(a[j] > 0)) continue;
          for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++) {
            const i = pr.changeSpecies[q];
            const d = pr.changeDelta[q];
            mu[i] += d * a[j];
            sigma2[i] += d * d * a[j];
          }
        }
        for (let i = 0; i < n; i++) {
          if (!this.isReactant[i]) continue;
          const b = Math.max((this.eps * x[i]) / this.g(i, x[i]), 1);
          const m1 = Math.abs(mu[i]);
          if (m1 > 0) {
            const c = b / m1;
            if (c < tau1) tau1 = c;
          }
          if (sigma2[i] > 0) {
            const c = (b * b) / sigma2[i];
            if (c < tau1) tau1 = c;
          }
        }
      }
      // 3. exact steps when a leap would be short
      if (tau1 < this.ssaFactor / a0) {
        this.exactSteps(tEnd, a0);
        return;
      }
      // 4-5. leap, rejecting and halving tau' on negativity
      const tRemain = tEnd - this.t;
      for (;;) {
        const tau2 = a0c > 0 ? -Math.log(rng.nextFloat64Open()) / a0c : Number.POSITIVE_INFINITY;
        let tau: number;
        let jc = -1;
        if (tau1 < tau2) tau = tau1;
        else {
          tau = tau2;
          jc = -2; // a critical reaction fires, if the leap is not capped
        }
        if (tau >= tRemain) {
          tau = tRemain;
          jc = -1;
        }
        if (jc === -2) {
          let u = rng.nextFloat64() * a0c;
          jc = -1;
          for (let j = 0; j < m; j++) {
            if (!critical[j]) continue;
            jc = j;
            u -= a[j];
            if (u < 0) break;
          }
        }
        for (let i = 0; i < n; i++) xNew[i] = x[i];
        for (let j = 0; j < m; j++) {
          k[j] = critical[j] || !(a[j] > 0) ? 0 : poisson(rng, a[j] * tau);
          if (k[j] > 0) this.applyChange(j, k[j], xNew);
        }
        if (jc >= 0) this.applyChange(jc, 1, xNew);
        let ok = true;
        for (let i = 0; i < n; i++)
          if (xNew[i] < 0) {
            ok = false;
            break;
          }
        if (ok) {
          this.leapT0 = this.t;
          this.leapX0.set(x);
          this.leapK.set(k);
          this.leapJc = jc;
          this.lastWasLeap = true;
          for (let i = 0; i < n; i++) x[i] = xNew[i];
          this.t = tau === tRemain ? tEnd : this.t + tau;
          this.stats.leaps++;
          for (let j = 0; j < m; j++) this.stats.firings += k[j];
          if (jc >= 0) this.stats.firings++;
          break;
        }
        this.stats.rejections++;
        tau1 /= 2;
      }
    }
  }

  /** Up to ssaSteps exact direct-method steps, stopping at tEnd. */
  private exactSteps(tEnd: number, a0First: number): void {
    const rng = this.rng as UniformSource;
    const { a, m } = this;
    let a0 = a0First;
    for (let s = 0; s < this.ssaSteps; s++) {
      if (s > 0) a0 = this.propensities();
      if (!(a0 > 0)) {
        this.t = tEnd;
        return;
      }
      const tNext = this.t - Math.log(rng.nextFloat64Open()) / a0;
      if (tNext > tEnd) {
        this.t = tEnd;
        return;
      }
      let u = rng.nextFloat64() * a0;
      let j = 0;
      for (; j < m - 1; j++) {
        u -= a[j];
        if (u < 0 && a[j] > 0) break;
      }
      while (!(a[j] > 0)) j--; // rounding pushed u past the last positive propensity
      this.applyChange(j, 1, this.x);
      this.t = tNext;
      this.stats.ssaSteps++;
      this.stats.firings++;
      if (this.watch?.(this.t, this.x)) return;
    }
  }

  /**
   * After a step(): if it was a leap over which `changed(t, x)` went from false (at its start) to true (at
   * its end), cut the trajectory at the first firing at which it holds, located by binomial bisection of
   * the leap's Poisson counts (see the module comment). Returns true when the state was moved back. An
   * intermediate state with a negative count (possible inside a leap even when both ends are fine) counts
   * as 'changed', so the trajectory is never cut at a negative state. Only the first change is sought when
   * the condition is monotone along the leap; a condition that turns on and off again within one half
   * interval may be located late.
   */
  refineLeap(changed: (t: number, x: Float64Array) => boolean): boolean {
    if (!this.lastWasLeap) return false;
    const rng = this.rng as UniformSource;
    const { n, m, leapK: kk, leftK: kl, xMid } = this;
    const xlo = this.xNew; // scratch: state at lo
    xlo.set(this.leapX0);
    let lo = this.leapT0;
    let hi = this.t;
    let critAtHi = this.leapJc >= 0;
    for (let iter = 0; iter < 200; iter++) {
      let total = critAtHi ? 1 : 0;
      for (let j = 0; j < m; j++) total += kk[j];
      if (total <= 1) break;
      const mid = lo + 0.5 * (hi - lo);
      if (!(mid > lo && mid < hi)) break;
      xMid.set(xlo);
      for (let j = 0; j < m; j++) {
        kl[j] = kk[j] > 0 ? binomial(rng, kk[j], 0.5) : 0;
        if (kl[j] > 0) this.applyChange(j, kl[j], xMid);
      }
      let left = false;
      for (let i = 0; i < n; i++)
        if (xMid[i] < 0) {
          left = true;
          break;
        }
      if (!left) left = changed(mid, xMid);
      if (left) {
        hi = mid;
        for (let j = 0; j < m; j++) kk[j] = kl[j];
        critAtHi = false;
      } else {
        lo = mid;
        xlo.set(xMid);
        for (let j = 0; j < m; j++) kk[j] -= kl[j];
      }
    }
    // (lo, hi] holds at most one firing (or cannot be halved further): it happens at a uniform time in the
    // interval (a critical firing at hi); the rest of the leap is discarded.
    let tf = hi;
    xMid.set(xlo);
    if (critAtHi) this.applyChange(this.leapJc, 1, xMid);
    else {
      let fired = false;
      for (let j = 0; j < m && !fired; j++)
        if (kk[j] > 0) {
          this.applyChange(j, kk[j], xMid);
          fired = true;
        }
      if (fired) {
        const u = lo + rng.nextFloat64Open() * (hi - lo);
        if (u > lo && u < hi) tf = u;
      }
    }
    for (let i = 0; i < n; i++) if (xMid[i] < 0) return false; // keep the whole leap rather than go negative
    if (tf === this.t) {
      let same = true;
      for (let i = 0; i < n; i++) if (xMid[i] !== this.x[i]) same = false;
      if (same) return false;
    }
    this.x.set(xMid);
    this.t = tf;
    this.lastWasLeap = false;
    return true;
  }
}

/** Reactants from the reads and net changes of a JumpProblem (see the module comment). */
export function inferReactants(problem: JumpProblem): [number, number][][] {
  const out: [number, number][][] = [];
  for (let j = 0; j < problem.nReactions; j++) {
    const list: [number, number][] = [];
    for (let q = problem.readPtr[j]; q < problem.readPtr[j + 1]; q++) {
      const i = problem.readSpecies[q];
      let c = 1;
      for (let r = problem.changePtr[j]; r < problem.changePtr[j + 1]; r++)
        if (problem.changeSpecies[r] === i && problem.changeDelta[r] < 0) c = -problem.changeDelta[r];
      list.push([i, c]);
    }
    out.push(list);
  }
  return out;
}
