/**
 * Split-step hybrid stepper: the fast, step-by-step variant of HybridSimulator (hybrid.ts) for drivers that move
 * one step at a time (the cohort runner, src/cohort/program.ts) and cannot afford an ODE restart per jump.
 *
 * Why: on the niche model the exact engine fires about 4e4 to 6e4 jumps per 10-year patient (a few dozen cycling
 * leukaemic stem cells turning over about 500 times a month in deep response), and every jump there is a root of
 * the integrated hazard followed by a restart of the ODE method (about 0.15 ms each: 9 s per patient measured).
 * Here the ODE never restarts at a jump.
 *
 * Scheme (Lie splitting of the coupled process, as in the maximal-time-step hybrid of Puchałka & Kierzek 2004,
 * Biophys. J. 86, 1357, and the partitioned schemes reviewed by Pahle 2009, Brief. Bioinform. 10, 53):
 *  1. One accepted ODE step [t0, t1] of the continuous species, with the discrete species held at their values at
 *     t0 (their rows are zero; reactions that change a discrete species are jumps and are taken out of the
 *     right-hand side). While any species is discrete the step is at most `hJump` long.
 *  2. The jumps in [t0, t1]: the exact direct method (Gillespie 1977) with the jump propensities' continuous
 *     inputs taken from the ODE's dense output at the step midpoint (second order in the step for smooth inputs)
 *     and the discrete state live; the draws from the stream; every firing is logged so that `interpolate` gives
 *     the discrete state at any time inside the step (dense output of the jump part).
 *  3. Repartitioning at t1 with the engine's rules: an 'auto' continuous species below `low` becomes discrete,
 *     rounded stochastically to floor(y) + Bernoulli(y - floor(y)) (mean preserving); an 'auto' discrete species
 *     above `high` becomes continuous.
 * The differences from the exact engine (its jump times are roots of the integrated hazard along the exact coupled
 * path) are the lag of the continuous species behind the discrete ones (at most one step) and the midpoint
 * propensity inputs; test/numerics/hybrid/split.test.ts and test/cohort/hybrid.test.ts compare the statistics.
 *
 * Nothing is allocated per step except when the firing log outgrows its buffer (doubling).
 */

import { odeProblem } from '../ode/problem.js';
import { emptyStats, type SolverStats } from '../ode/stats.js';
import type { OdeMethod, Stepper, StepStatus } from '../ode/stepper.js';
import type { UniformSource } from '../random/stream.js';
import type { JumpProblem, PropensityInto } from '../ssa/problem.js';
import { propensityIntoOf } from '../ssa/problem.js';
import type { PartitionMode } from './hybrid.js';

/** The deterministic system of the whole model: dy = sum_j a_j nu_j (and its Jacobian), with parameters p. */
export interface SplitSystem {
  /** Reactions (propensities, stoichiometry, reads) of the same states as `rhs`. */
  readonly problem: JumpProblem;
  readonly rhs: (t: number, y: Float64Array, p: Float64Array, dy: Float64Array) => void;
  /** Dense row-major Jacobian of `rhs`; finite differences by the ODE method when absent. */
  readonly jacobian?: (t: number, y: Float64Array, p: Float64Array, J: Float64Array) => void;
  /** Live parameter vector (the driver may change entries between steps). */
  readonly p: Float64Array;
}

export interface SplitHybridOptions {
  readonly method: OdeMethod;
  readonly partition: readonly PartitionMode[];
  /** Default 100. */
  readonly low?: number;
  /** Default 200 (>= low). */
  readonly high?: number;
  readonly rtol?: number;
  readonly atol?: number;
  /** Largest step while some species is discrete (default Infinity: the ODE's own step control). */
  readonly hJump?: number;
  /** Largest step overall. */
  readonly hmax?: number;
  /**
   * ODE tolerances while some species is discrete (default rtol, atol): every change of a discrete count is a
   * step change of the forcing of the continuous species it feeds, and at tight tolerances the ODE would resolve
   * each ensuing transient far below the jump noise.
   */
  readonly discreteTolerances?: { readonly rtol: number; readonly atol: number };
  /**
   * Rate criterion of the partition (Haseltine & Rawlings 2002 partition by reaction speed as well as by count):
   * a discrete 'auto' species whose jumps fire faster than this (total propensity of the reactions changing it,
   * per unit time) becomes continuous, and a continuous one below `low` becomes discrete only when that rate is
   * below half of it. Default Infinity (counts only). Bounds the work per unit time of fast-turnover small
   * populations (e.g. a few cycling cells exchanging with a large quiescent pool a million times a month).
   */
  readonly fastRate?: number;
}

export class SplitHybridStepper {
  readonly n: number;
  /** Current partition: 1 = discrete. */
  readonly discrete: Uint8Array;
  /** Jumps fired and species moved between partitions since `start`. */
  firings = 0;
  repartitions = 0;
  readonly stats: SolverStats = emptyStats();
  private sys: SplitSystem;
  private into: PropensityInto;
  private readonly mode: Uint8Array;
  private readonly low: number;
  private readonly high: number;
  private readonly hJump: number;
  /** The ODE stepper of the last step; one per tolerance set (both the same object without discreteTolerances). */
  private ode: Stepper;
  private readonly odeContinuous: Stepper;
  private readonly odeDiscrete: Stepper;
  private rng: UniformSource | null = null;
  /** Discrete values (live) and at the start of the current step. */
  private readonly d: Float64Array;
  private readonly dStart: Float64Array;
  private readonly discreteStart: Uint8Array;
  private readonly w: Float64Array;
  private readonly wJ: Float64Array;
  private readonly yOut: Float64Array;
  private readonly yFull: Float64Array;
  private a: Float64Array;
  private jumpList: Int32Array = new Int32Array(0);
  private nJump = 0;
  /** Jump reactions that also change a continuous species (their terms are taken out of the ODE). */
  private jumpCont: Int32Array = new Int32Array(0);
  private nJumpCont = 0;
  private isJump: Uint8Array;
  /** Species -> reactions that change it (CSR), scratch propensities, step-end state. */
  private specPtr: Int32Array = new Int32Array(1);
  private specIdx: Int32Array = new Int32Array(0);
  private aTmp: Float64Array = new Float64Array(0);
  private readonly wEnd: Float64Array;
  private readonly movedScratch: Uint8Array;
  /** Per discrete species: total propensity of the jumps that change it, at the end of the last step's jumps. */
  private readonly hazard: Float64Array;
  private readonly fastRate: number;
  /** Per jump reaction: its only discrete read species, if it reads no continuous species a jump changes; else -1. */
  private linCandidate: Int32Array = new Int32Array(0);
  /** Per jump reaction in the current step: the species it is linear in (-1: evaluate), and its rate per count. */
  private linS: Int32Array = new Int32Array(0);
  private perCap: Float64Array = new Float64Array(0);
  /** Dependency graph: after reaction j fires, reactions depPtr[j]..depPtr[j+1] need new propensities. */
  private depPtr: Int32Array = new Int32Array(1);
  private depIdx: Int32Array = new Int32Array(0);
  private logT: Float64Array = new Float64Array(256);
  private logJ: Int32Array = new Int32Array(256);
  private logN = 0;
  private tCur = 0;
  private tLast = 0;
  /**
   * Jump increments of continuous species (a jump reaction that also changes a continuous species, e.g. an
   * activation X -> Y with X continuous and Y discrete): the continuous value is the ODE's plus this offset, so
   * that a jump needs no ODE restart; folded into the ODE state at the next restart. `offStart`: at the step start.
   */
  private readonly off: Float64Array;
  private readonly offStart: Float64Array;
  /** The ODE must restart at tCur before its next step (a species became continuous). */
  private pending = false;

  constructor(system: SplitSystem, x0: ArrayLike<number>, options: SplitHybridOptions) {
    this.sys = system;
    this.into = propensityIntoOf(system.problem);
    const n = system.problem.nSpecies;
    this.n = n;
    this.low = options.low ?? 100;
    this.high = options.high ?? Math.max(200, this.low);
    if (!(this.high >= this.low) || !(this.low >= 0))
      throw new Error(`SplitHybridStepper: need 0 <= low <= high (got ${this.low}, ${this.high})`);
    this.hJump = options.hJump ?? Number.POSITIVE_INFINITY;
    if (!(this.hJump > 0)) throw new Error(`SplitHybridStepper: hJump must be > 0, got ${this.hJump}`);
    if (options.partition.length !== n)
      throw new Error(
        `SplitHybridStepper: partition has ${options.partition.length} entries for ${n} species`,
      );
    this.mode = Uint8Array.from(options.partition, (m) =>
      m === 'discrete' ? 1 : m === 'continuous' ? 2 : 0,
    );
    this.discrete = new Uint8Array(n);
    this.discreteStart = new Uint8Array(n);
    this.d = new Float64Array(n);
    this.dStart = new Float64Array(n);
    this.w = new Float64Array(n);
    this.wJ = new Float64Array(n);
    this.yOut = new Float64Array(n);
    this.yFull = new Float64Array(n);
    this.off = new Float64Array(n);
    this.offStart = new Float64Array(n);
    this.wEnd = new Float64Array(n);
    this.movedScratch = new Uint8Array(n);
    this.hazard = new Float64Array(n);
    this.fastRate = options.fastRate ?? Number.POSITIVE_INFINITY;
    if (!(this.fastRate > 0))
      throw new Error(`SplitHybridStepper: fastRate must be > 0, got ${this.fastRate}`);
    this.a = new Float64Array(system.problem.nReactions);
    this.isJump = new Uint8Array(system.problem.nReactions);
    this.buildDependencies();
    const f = (t: number, y: Float64Array, dy: Float64Array) => this.rhs(t, y, dy);
    const jac = (t: number, y: Float64Array, J: Float64Array) => this.jac(t, y, J);
    const make = (rtol: number, atol: number) =>
      options.method.create(
        odeProblem(f, Float64Array.from(x0), [0, Number.POSITIVE_INFINITY], {
          ...(system.jacobian ? { jac } : {}),
        }),
        { rtol, atol, hmax: options.hmax ?? Number.POSITIVE_INFINITY, hmin: 0, stats: this.stats },
      );
    const rtol = options.rtol ?? 1e-6;
    const atol = options.atol ?? 1e-10;
    this.odeContinuous = make(rtol, atol);
    const rd = options.discreteTolerances?.rtol ?? rtol;
    const ad = options.discreteTolerances?.atol ?? atol;
    this.odeDiscrete = rd === rtol && ad === atol ? this.odeContinuous : make(rd, ad);
    this.ode = this.odeContinuous;
  }

  /** The ODE stepper for the current partition (`discreteTolerances` while some species is discrete). */
  private wanted(): Stepper {
    return this.anyDiscrete() ? this.odeDiscrete : this.odeContinuous;
  }

  /** Current time (end of the last step). */
  get t(): number {
    return this.tCur;
  }

  /** Start of the last step. */
  get tPrev(): number {
    return this.tLast;
  }

  /** Current state (discrete species at their counts). Read only; valid until the next call. */
  get y(): Float64Array {
    const o = this.yOut;
    const y = this.ode.y;
    for (let i = 0; i < this.n; i++) o[i] = this.discrete[i] ? this.d[i] : y[i] + this.off[i];
    return o;
  }

  /**
   * Begin a trajectory at (t, x) with the stream `rng`: an 'auto' species starts discrete when x < high (rounded
   * stochastically when not an integer, mean preserving), 'discrete' ones are rounded the same way.
   */
  start(t: number, x: ArrayLike<number>, rng: UniformSource): void {
    this.rng = rng;
    this.firings = 0;
    this.repartitions = 0;
    const y = this.yFull;
    for (let i = 0; i < this.n; i++) {
      y[i] = x[i];
      const disc = this.mode[i] === 1 || (this.mode[i] === 0 && x[i] < this.high);
      this.discrete[i] = disc ? 1 : 0;
      if (disc) {
        y[i] = this.round(x[i]);
        this.d[i] = y[i];
      }
    }
    this.classify();
    this.logN = 0;
    this.dStart.set(this.d);
    this.discreteStart.set(this.discrete);
    this.off.fill(0);
    this.pending = false;
    this.tCur = t;
    this.tLast = t;
    this.ode = this.wanted();
    this.ode.reset(t, y);
  }

  /**
   * Replace the deterministic system (another compiled model of the same states, e.g. another drug's) at the
   * current time; the partition, the discrete counts and the stream carry over.
   */
  setSystem(system: SplitSystem): void {
    if (system.problem.nSpecies !== this.n) throw new Error('SplitHybridStepper.setSystem: species differ');
    this.sys = system;
    this.into = propensityIntoOf(system.problem);
    if (system.problem.nReactions !== this.a.length) {
      this.a = new Float64Array(system.problem.nReactions);
      this.isJump = new Uint8Array(system.problem.nReactions);
    }
    this.buildDependencies();
    this.classify();
    this.restartOde();
  }

  /**
   * Restart at (t, y) (e.g. after the driver changed parameters there, or to rewind to a time inside the last
   * step): discrete species take y's values (integers from `interpolate`); rewinding inside the last step also
   * restores the partition of that step.
   */
  reset(t: number, y: Float64Array): void {
    if (t < this.tCur) {
      this.discrete.set(this.discreteStart);
      this.classify();
    }
    for (let i = 0; i < this.n; i++) if (this.discrete[i]) this.d[i] = Math.round(y[i]);
    this.off.fill(0);
    this.pending = false;
    this.logN = 0;
    this.dStart.set(this.d);
    this.discreteStart.set(this.discrete);
    this.tCur = t;
    this.tLast = t;
    this.ode = this.wanted();
    this.ode.reset(t, y);
  }

  /** State at tq in [tPrev, t]: continuous species from the ODE's dense output, discrete ones from the log. */
  interpolate(tq: number, out: Float64Array): void {
    if (tq >= this.tCur) {
      out.set(this.y);
      return;
    }
    this.ode.interpolate(tq, out);
    const pr = this.sys.problem;
    const w = this.wJ;
    w.set(this.dStart);
    for (let i = 0; i < this.n; i++) if (!this.discreteStart[i]) out[i] += this.offStart[i];
    for (let k = 0; k < this.logN && this.logT[k] <= tq; k++) {
      const j = this.logJ[k];
      for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++) {
        const s = pr.changeSpecies[q];
        if (this.discreteStart[s]) w[s] = Math.max(0, w[s] + pr.changeDelta[q]);
        else out[s] += pr.changeDelta[q];
      }
    }
    for (let i = 0; i < this.n; i++) if (this.discreteStart[i]) out[i] = w[i];
  }

  /** One ODE step (ending at or before tLimit, exactly on it if it would pass), its jumps, repartitioning. */
  step(tLimit: number): StepStatus {
    const t0 = this.tCur;
    if (this.pending || this.wanted() !== this.ode) this.restartOde();
    this.dStart.set(this.d);
    this.offStart.set(this.off);
    this.discreteStart.set(this.discrete);
    this.logN = 0;
    let lim = tLimit;
    if (this.nJump > 0 || this.anyDiscrete()) lim = Math.min(tLimit, t0 + this.hJump);
    const st = this.ode.step(lim);
    if (st !== 'ok') return st;
    const t1 = this.ode.t;
    this.tLast = t0;
    this.tCur = t1;
    // A species that becomes discrete needs no restart (the right-hand side reads its count from now on), nor does
    // a continuous species moved by a jump (offset); one that becomes continuous does. The restart waits for the
    // next step so that this step's dense output stays readable (interpolate).
    this.hazard.fill(0);
    if (this.nJump > 0) this.jumps(t0, t1);
    if (this.repartition()) this.pending = true;
    return 'ok';
  }

  private restartOde(): void {
    const y = this.yFull;
    y.set(this.y);
    this.off.fill(0);
    this.pending = false;
    this.ode = this.wanted();
    this.ode.reset(this.tCur, y);
  }

  private anyDiscrete(): boolean {
    for (let i = 0; i < this.n; i++) if (this.discrete[i]) return true;
    return false;
  }

  private round(x: number): number {
    const f = Math.floor(x);
    return Math.max(0, f + ((this.rng as UniformSource).nextFloat64() < x - f ? 1 : 0));
  }

  /** The direct method over [t0, t1] with continuous inputs at the midpoint. */
  private jumps(t0: number, t1: number): void {
    const { w, a, d, discrete } = this;
    const pr = this.sys.problem;
    const p = this.sys.p;
    const into = this.into;
    const rng = this.rng as UniformSource;
    const tm = 0.5 * (t0 + t1);
    this.ode.interpolate(tm, w);
    for (let i = 0; i < this.n; i++) w[i] = discrete[i] ? d[i] : w[i] + this.off[i];
    const jl = this.jumpList;
    const { linS, perCap } = this;
    let a0 = 0;
    for (let k = 0; k < this.nJump; k++) {
      const j = jl[k];
      into(j, tm, w, p, a);
      if (!(a[j] > 0)) a[j] = 0;
      a0 += a[j];
      // Linear in its one discrete species s (and reading no continuous species a jump moves): within the step
      // a_j = c_j d_s exactly, so a firing costs a multiplication instead of a propensity evaluation. Checked at
      // three counts (1, 2 and the current one) to 1e-12.
      linS[j] = -1;
      const s = this.linCandidate[j];
      if (s < 0) continue;
      const cur = w[s];
      w[s] = 1;
      into(j, tm, w, p, perCap);
      const a1 = perCap[j];
      w[s] = 2;
      into(j, tm, w, p, perCap);
      const a2 = perCap[j];
      w[s] = cur;
      const tol = 1e-12 * Math.abs(a2);
      if (
        Math.abs(a2 - 2 * a1) <= tol &&
        Math.abs(a[j] - (a[j] > 0 ? cur : 0) * a1) <= 1e-12 * Math.abs(a[j]) + tol
      ) {
        perCap[j] = a1;
        linS[j] = s;
      }
    }
    let t = t0;
    const nJump = this.nJump;
    const { depPtr, depIdx, isJump, off } = this;
    const { changePtr, changeSpecies, changeDelta } = pr;
    let logT = this.logT;
    let logJ = this.logJ;
    let logN = this.logN;
    for (;;) {
      if (!(a0 > 0)) break;
      t += -Math.log(rng.nextFloat64Open()) / a0;
      if (!(t < t1)) break;
      let u = rng.nextFloat64() * a0;
      let jf = -1;
      for (let k = 0; k < nJump; k++) {
        const j = jl[k];
        if (!(a[j] > 0)) continue;
        jf = j;
        u -= a[j];
        if (u < 0) break;
      }
      if (jf < 0) break;
      for (let q = changePtr[jf]; q < changePtr[jf + 1]; q++) {
        const s = changeSpecies[q];
        if (discrete[s]) {
          d[s] = Math.max(0, d[s] + changeDelta[q]);
          w[s] = d[s];
        } else {
          off[s] += changeDelta[q];
          w[s] += changeDelta[q];
        }
      }
      this.firings++;
      if (logN === logT.length) {
        const lt = new Float64Array(2 * logN);
        lt.set(logT);
        this.logT = logT = lt;
        const lj = new Int32Array(2 * logN);
        lj.set(logJ);
        this.logJ = logJ = lj;
      }
      logT[logN] = t;
      logJ[logN] = jf;
      logN++;
      // New propensities of the jump reactions that read a species jf changed (a0 summed afresh: no drift).
      for (let q = depPtr[jf]; q < depPtr[jf + 1]; q++) {
        const j = depIdx[q];
        if (!isJump[j]) continue;
        const ls = linS[j];
        if (ls >= 0) a[j] = perCap[j] * d[ls];
        else {
          into(j, tm, w, p, a);
          if (!(a[j] > 0)) a[j] = 0;
        }
      }
      a0 = 0;
      for (let k = 0; k < nJump; k++) a0 += a[jl[k]];
    }
    this.logN = logN;
    if (this.fastRate < Number.POSITIVE_INFINITY) {
      const hz = this.hazard;
      for (let k = 0; k < nJump; k++) {
        const j = jl[k];
        for (let q = changePtr[j]; q < changePtr[j + 1]; q++)
          if (discrete[changeSpecies[q]]) hz[changeSpecies[q]] += a[j];
      }
    }
  }

  /** Thresholds at the step end; true if a species became continuous (the ODE must restart). */
  private repartition(): boolean {
    const y = this.ode.y;
    let moved = false;
    let toContinuous = false;
    let haveEnd = false;
    for (let i = 0; i < this.n; i++) {
      if (this.mode[i] !== 0) continue;
      if (this.discrete[i]) {
        if (this.d[i] > this.high || this.hazard[i] > this.fastRate) {
          this.discrete[i] = 0;
          toContinuous = true;
          this.repartitions++;
        }
      } else if (y[i] + this.off[i] < this.low) {
        if (this.fastRate < Number.POSITIVE_INFINITY) {
          // Still fast (hazard of the reactions changing it above half the limit: hysteresis): stays continuous.
          if (!haveEnd) {
            const w = this.wEnd;
            for (let k = 0; k < this.n; k++) w[k] = this.discrete[k] ? this.d[k] : y[k] + this.off[k];
            haveEnd = true;
          }
          let hz = 0;
          for (let q = this.specPtr[i]; q < this.specPtr[i + 1]; q++) {
            const j = this.specIdx[q];
            this.into(j, this.tCur, this.wEnd, this.sys.p, this.aTmp);
            if (this.aTmp[j] > 0) hz += this.aTmp[j];
          }
          if (hz > 0.5 * this.fastRate) continue;
        }
        this.d[i] = this.round(y[i] + this.off[i]);
        this.off[i] = 0; // the ODE's value of a discrete species is not read again (restart when it returns)
        this.discrete[i] = 1;
        moved = true;
        this.repartitions++;
      }
    }
    if (moved || toContinuous) this.classify();
    return toContinuous;
  }

  /** Jump reactions from the partition; the dependency lists keep only jump reactions. */
  private classify(): void {
    const pr = this.sys.problem;
    const m = pr.nReactions;
    let nj = 0;
    let nc = 0;
    const jl = this.jumpList.length >= m ? this.jumpList : new Int32Array(m);
    const jc = this.jumpCont.length >= m ? this.jumpCont : new Int32Array(m);
    for (let j = 0; j < m; j++) {
      let jmp = 0;
      let cont = 0;
      for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++)
        if (this.discrete[pr.changeSpecies[q]]) jmp = 1;
        else cont = 1;
      this.isJump[j] = jmp;
      if (jmp) {
        jl[nj++] = j;
        if (cont) jc[nc++] = j;
      }
    }
    this.jumpList = jl;
    this.nJump = nj;
    this.jumpCont = jc;
    this.nJumpCont = nc;
    // Continuous species that jumps move; then the linear candidates.
    const moved = this.movedScratch;
    moved.fill(0);
    for (let k = 0; k < nc; k++) {
      const j = jc[k];
      for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++)
        if (!this.discrete[pr.changeSpecies[q]]) moved[pr.changeSpecies[q]] = 1;
    }
    if (this.linCandidate.length !== m) {
      this.linCandidate = new Int32Array(m);
      this.linS = new Int32Array(m);
      this.perCap = new Float64Array(m);
    }
    for (let j = 0; j < m; j++) {
      let s = -1;
      let ok = this.isJump[j] === 1;
      for (let q = pr.readPtr[j]; ok && q < pr.readPtr[j + 1]; q++) {
        const r = pr.readSpecies[q];
        if (this.discrete[r]) {
          if (s >= 0 && s !== r) ok = false;
          s = r;
        } else if (moved[r]) ok = false;
      }
      this.linCandidate[j] = ok ? s : -1;
    }
  }

  /** For every reaction j: the reactions whose propensity reads a species j changes. */
  private buildDependencies(): void {
    const pr = this.sys.problem;
    const m = pr.nReactions;
    // Per species: the reactions that change it.
    const bySpecies: number[][] = Array.from({ length: this.n }, () => []);
    for (let j = 0; j < m; j++)
      for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++) bySpecies[pr.changeSpecies[q]].push(j);
    this.specPtr = new Int32Array(this.n + 1);
    for (let i = 0; i < this.n; i++) this.specPtr[i + 1] = this.specPtr[i] + bySpecies[i].length;
    this.specIdx = Int32Array.from(bySpecies.flat());
    this.aTmp = new Float64Array(m);
    const readers: number[][] = Array.from({ length: this.n }, () => []);
    for (let k = 0; k < m; k++)
      for (let q = pr.readPtr[k]; q < pr.readPtr[k + 1]; q++) readers[pr.readSpecies[q]].push(k);
    const ptr = new Int32Array(m + 1);
    const idx: number[] = [];
    for (let j = 0; j < m; j++) {
      const set = new Set<number>();
      for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++)
        for (const k of readers[pr.changeSpecies[q]]) set.add(k);
      idx.push(...[...set].sort((x, y) => x - y));
      ptr[j + 1] = idx.length;
    }
    this.depPtr = ptr;
    this.depIdx = Int32Array.from(idx);
  }

  /** ODE right-hand side: the whole model with discrete species held, jump terms removed, discrete rows 0. */
  private rhs(t: number, y: Float64Array, dy: Float64Array): void {
    const { w, d, discrete, n } = this;
    const sys = this.sys;
    for (let i = 0; i < n; i++) w[i] = discrete[i] ? d[i] : y[i] + this.off[i];
    sys.rhs(t, w, sys.p, dy);
    if (this.nJumpCont > 0) {
      const pr = sys.problem;
      const a = this.a;
      for (let k = 0; k < this.nJumpCont; k++) {
        const j = this.jumpCont[k];
        this.into(j, t, w, sys.p, a);
        for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++) {
          const s = pr.changeSpecies[q];
          if (!discrete[s]) dy[s] -= pr.changeDelta[q] * a[j];
        }
      }
    }
    for (let i = 0; i < n; i++) if (discrete[i]) dy[i] = 0;
  }

  /** Jacobian of `rhs`: the model's, discrete rows and columns zeroed, jump terms removed (differences). */
  private jac(t: number, y: Float64Array, J: Float64Array): void {
    const { w, d, discrete, n } = this;
    const sys = this.sys;
    for (let i = 0; i < n; i++) w[i] = discrete[i] ? d[i] : y[i] + this.off[i];
    (sys.jacobian as NonNullable<SplitSystem['jacobian']>)(t, w, sys.p, J);
    if (this.nJumpCont > 0) {
      const pr = sys.problem;
      const a = this.a;
      for (let k = 0; k < this.nJumpCont; k++) {
        const j = this.jumpCont[k];
        this.into(j, t, w, sys.p, a);
        const a0 = a[j];
        for (let r = pr.readPtr[j]; r < pr.readPtr[j + 1]; r++) {
          const c = pr.readSpecies[r];
          if (discrete[c]) continue;
          const wc = w[c];
          const h = Math.sqrt(2.2e-16) * Math.max(Math.abs(wc), 1);
          w[c] = wc + h;
          this.into(j, t, w, sys.p, a);
          w[c] = wc;
          const g = (a[j] - a0) / h;
          for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++) {
            const s = pr.changeSpecies[q];
            if (!discrete[s]) J[s * n + c] -= pr.changeDelta[q] * g;
          }
        }
        a[j] = a0;
      }
    }
    for (let i = 0; i < n; i++)
      if (discrete[i])
        for (let k = 0; k < n; k++) {
          J[i * n + k] = 0;
          J[k * n + i] = 0;
        }
  }
}
