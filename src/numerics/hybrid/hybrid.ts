/**
 * Hybrid stochastic/deterministic simulation of a JumpProblem with dynamic partitioning.
 *
 * Species are *discrete* (integer counts, changed only by jumps) or *continuous* (real values following ODEs).
 * A reaction whose net change touches only continuous species is a *continuous* reaction: its propensity is
 * used as a deterministic rate law in the ODE right-hand side (the reaction-rate-equation limit,
 * Haseltine & Rawlings 2002, J. Chem. Phys. 117, 6959). Every other reaction is a *jump* reaction.
 *
 * Coupling (exact given the ODE solution): between jumps the discrete state is constant and the continuous
 * state follows the ODE, so the jump reactions form a Poisson process with time-varying total hazard
 * a0J(t) = sum_{j jump} a_j(t, y(t)). The next jump happens when Lambda(t) = int a0J ds reaches E ~ Exp(1);
 * the reaction fired is j with probability a_j / a0J at that time (the random time change representation;
 * Alfonsi, Cances, Turinici, Di Ventura & Huisinga 2005, ESAIM Proc. 14, 1; Salis & Kaznessis 2005,
 * J. Chem. Phys. 122, 054103, who integrate the jump hazards along the ODE solution in the same way).
 * Lambda is an extra ODE component; the crossing Lambda - E = 0 is a state event located by the ODE driver's
 * root finder (src/numerics/ode/events.ts) on the dense output, so the firing time is exact to the
 * integration tolerance, and the driver restarts the method cleanly after each firing.
 *
 * Repartitioning, with hysteresis: a continuous species that falls below `low` (an event, located by root
 * finding, or after a jump) becomes discrete and is rounded stochastically to floor(y) + Bernoulli(y -
 * floor(y)) (mean-preserving); a discrete species that rises above `high` after a jump becomes continuous.
 * Initially a species is discrete when x0 < high. Per-species overrides fix a species in one partition
 * (`partition`), which plays the role of a per-reaction physical scale (Catalyst's PhysicalScale): one IR,
 * the engine decides what is a jump and what a rate law.
 *
 * Random numbers come from one keyed stream per trajectory (keys (seed, replicate, purpose 'hybrid'), see
 * hybridStream); the ODE part is deterministic, so the same key gives the same bits.
 *
 * External events (model events, dosing; `HybridEvents`): their indicators join the driver's, so a
 * crossing by the continuous part is located by the same root finder, and their scheduled times are exact
 * time stops of the driver (ctx.schedule). A crossing caused by a jump is not a root of anything (the
 * state jumps), so after every jump `afterJump` is called with the pre-jump state and decides itself. After
 * any external event the partition is re-applied (thresholds) and the jump set recomputed; propensities are
 * evaluated live from y and p, so a parameter changed by an event takes effect at once. Lambda keeps
 * running across an event: the residual E - Lambda is still Exp(1) for the new hazard (memorylessness).
 */
import type { EventContext, EventSet } from '../ode/events.js';
import { odeProblem } from '../ode/problem.js';
import type { ReturnCode } from '../ode/return-code.js';
import { solve } from '../ode/solve.js';
import type { Seed } from '../random/keys.js';
import type { UniformSource } from '../random/stream.js';
import { createStreamFactory, type RandomStream } from '../random/stream.js';
import { type JumpProblem, type PropensityInto, propensityIntoOf } from '../ssa/problem.js';

export type PartitionMode = 'auto' | 'discrete' | 'continuous';

export interface HybridOptions {
  /** A continuous species below this becomes discrete. Default 100. */
  readonly low?: number;
  /** A discrete species above this becomes continuous. Default 200 (must be >= low). */
  readonly high?: number;
  /** Per species: 'auto' (thresholds), or fixed 'discrete' / 'continuous'. Default all 'auto'. */
  readonly partition?: readonly PartitionMode[];
  /** ODE method name (see solve). Default 'auto'. */
  readonly method?: string;
  readonly rtol?: number;
  /** Absolute tolerance for the species (the hazard component uses rtol-scaled 1e-8). Default 1e-6. */
  readonly atol?: number;
  readonly maxSteps?: number;
}

/**
 * Events driven from outside the engine (the model layer builds them from SBML events). Indicators are
 * watched by the ODE driver's root finder exactly as in `EventSet`; `ctx.y` has nSpecies + 1 entries (the
 * last is the engine's integrated hazard: leave it alone).
 */
export interface HybridEvents extends EventSet {
  /** Called right after each jump (at the jump time, state already changed); `yBefore` is the pre-jump state. */
  afterJump?(ctx: EventContext, yBefore: Float64Array): void;
}

export interface HybridResult {
  /** Save times. */
  readonly t: Float64Array;
  /** State at the save times, row-major (t.length x nSpecies). */
  readonly u: Float64Array;
  readonly retcode: ReturnCode;
  readonly message: string;
  /** Jumps fired. */
  readonly firings: number;
  /** Species moved between partitions. */
  readonly repartitions: number;
}

/** The stream for replicate r under a run seed: keys (seed, replicate, purpose 'hybrid'). */
export function hybridStream(seed: Seed, replicate: number): RandomStream {
  return createStreamFactory(seed).stream({ replicate, purpose: 'hybrid' });
}

export class HybridSimulator {
  readonly problem: JumpProblem;
  private readonly n: number;
  private readonly m: number;
  private readonly into: PropensityInto;
  private readonly low: number;
  private readonly high: number;
  private readonly mode: Uint8Array; // 0 auto, 1 discrete, 2 continuous
  private readonly options: HybridOptions;
  /** Current partition: 1 = discrete. */
  readonly discrete: Uint8Array;
  /** 1 = jump reaction. */
  private readonly jump: Uint8Array;
  private readonly a: Float64Array;
  private rng: UniformSource | null = null;
  private threshold = 1;
  private firings = 0;
  private repartitions = 0;

  constructor(problem: JumpProblem, options: HybridOptions = {}) {
    this.problem = problem;
    this.options = options;
    this.n = problem.nSpecies;
    this.m = problem.nReactions;
    this.into = propensityIntoOf(problem);
    this.low = options.low ?? 100;
    this.high = options.high ?? Math.max(200, this.low);
    if (!(this.high >= this.low) || !(this.low >= 0))
      throw new Error(`HybridSimulator: need 0 <= low <= high (got ${this.low}, ${this.high})`);
    this.mode = new Uint8Array(this.n);
    if (options.partition) {
      if (options.partition.length !== this.n)
        throw new Error(
          `HybridSimulator: partition has ${options.partition.length} entries for ${this.n} species`,
        );
      for (let i = 0; i < this.n; i++)
        this.mode[i] =
          options.partition[i] === 'discrete' ? 1 : options.partition[i] === 'continuous' ? 2 : 0;
    }
    this.discrete = new Uint8Array(this.n);
    this.jump = new Uint8Array(this.m);
    this.a = new Float64Array(this.m);
  }

  /** Recompute which reactions are jumps from the species partition. */
  private classifyReactions(): void {
    const pr = this.problem;
    for (let j = 0; j < this.m; j++) {
      let jmp = 0;
      for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++)
        if (this.discrete[pr.changeSpecies[q]]) {
          jmp = 1;
          break;
        }
      this.jump[j] = jmp;
    }
  }

  /** Apply thresholds to every 'auto' species (after a jump or at a crossing); true if anything moved. */
  private repartition(y: Float64Array): boolean {
    const rng = this.rng as UniformSource;
    let moved = false;
    for (let i = 0; i < this.n; i++) {
      if (this.mode[i] !== 0) continue;
      if (this.discrete[i]) {
        if (y[i] > this.high) {
          this.discrete[i] = 0;
          moved = true;
          this.repartitions++;
        }
      } else if (y[i] < this.low) {
        const f = Math.floor(y[i]);
        y[i] = Math.max(0, f + (rng.nextFloat64() < y[i] - f ? 1 : 0));
        this.discrete[i] = 1;
        moved = true;
        this.repartitions++;
      }
    }
    if (moved) this.classifyReactions();
    return moved;
  }

  /**
   * One trajectory from t0 (default 0) and x0 (default problem.x0), saved at `saveat` (increasing times;
   * the last is the end time). `rng` should be hybridStream(seed, replicate).
   */
  run(
    rng: UniformSource,
    saveat: ArrayLike<number>,
    t0 = 0,
    x0: ArrayLike<number> = this.problem.x0,
    external?: HybridEvents,
  ): HybridResult {
    const { n, m, a, jump, discrete, into, problem } = this;
    const p = problem.p;
    const pr = problem;
    this.rng = rng;
    this.firings = 0;
    this.repartitions = 0;
    const y0 = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      y0[i] = x0[i];
      discrete[i] = this.mode[i] === 1 ? 1 : this.mode[i] === 2 ? 0 : x0[i] < this.high ? 1 : 0;
      if (discrete[i] && y0[i] !== Math.round(y0[i]))
        throw new Error(`HybridSimulator: discrete species ${i} starts at non-integer ${y0[i]}`);
    }
    this.classifyReactions();
    this.threshold = -Math.log(rng.nextFloat64Open());
    const tEnd = saveat[saveat.length - 1];

    // y[0..n) species, y[n] = Lambda (integrated jump hazard since the last jump)
    const f = (t: number, y: Float64Array, dy: Float64Array): void => {
      dy.fill(0);
      let haz = 0;
      for (let j = 0; j < m; j++) {
        into(j, t, y, p, a);
        const aj = a[j];
        if (jump[j]) haz += aj;
        else if (aj !== 0)
          for (let q = pr.changePtr[j]; q < pr.changePtr[j + 1]; q++)
            dy[pr.changeSpecies[q]] += pr.changeDelta[q] * aj;
      }
      dy[n] = haz;
    };

    const self = this;
    const nExt = external?.count ?? 0;
    const nOwn = 1 + n;
    const directions = new Int8Array(nOwn + nExt).fill(1);
    if (external) {
      if (external.directions) directions.set(external.directions, nOwn);
    }
    const extOut = new Float64Array(nExt);
    const extFired = new Int32Array(nExt);
    const extRising = new Uint8Array(nExt);
    const yBefore = new Float64Array(n + 1);
    const events: EventSet = {
      count: nOwn + nExt,
      directions,
      indicators(t, y, out) {
        out[0] = y[n] - self.threshold;
        for (let i = 0; i < n; i++) out[1 + i] = discrete[i] || self.mode[i] !== 0 ? -1 : self.low - y[i];
        if (external) {
          external.indicators(t, y, extOut);
          for (let k = 0; k < nExt; k++) out[nOwn + k] = extOut[k];
        }
      },
      start(ctx: EventContext) {
        if (!external?.start) return;
        external.start(ctx);
        self.repartition(ctx.y);
      },
      onTime(ctx: EventContext, tag: number) {
        if (!external?.onTime) return;
        external.onTime(ctx, tag);
        self.repartition(ctx.y);
      },
      handle(ctx: EventContext, fired, rising, nFired) {
        const y = ctx.y;
        let jumped = false;
        let ne = 0;
        for (let k = 0; k < nFired; k++) {
          if (fired[k] === 0) jumped = true;
          else if (fired[k] >= nOwn) {
            extFired[ne] = fired[k] - nOwn;
            extRising[ne] = rising[k];
            ne++;
          }
        }
        // external events crossed by the continuous part first (they happened at this root), then the jump
        if (ne > 0) (external as HybridEvents).handle(ctx, extFired, extRising, ne);
        if (jumped) {
          yBefore.set(y);
          // choose the reaction by the jump propensities at the firing time
          let a0 = 0;
          for (let j = 0; j < m; j++) {
            if (!jump[j]) continue;
            into(j, ctx.t, y, p, a);
            a0 += a[j];
          }
          if (a0 > 0) {
            let u = (rng as UniformSource).nextFloat64() * a0;
            let jf = -1;
            for (let j = 0; j < m; j++) {
              if (!jump[j] || !(a[j] > 0)) continue;
              jf = j;
              u -= a[j];
              if (u < 0) break;
            }
            for (let q = pr.changePtr[jf]; q < pr.changePtr[jf + 1]; q++) {
              const i = pr.changeSpecies[q];
              y[i] += pr.changeDelta[q];
              if (y[i] < 0 && discrete[i]) y[i] = 0; // cannot happen for propensities that vanish at 0
            }
            self.firings++;
          }
          y[n] = 0;
          self.threshold = -Math.log((rng as UniformSource).nextFloat64Open());
          external?.afterJump?.(ctx, yBefore);
        }
        self.repartition(y);
      },
    };

    const rtol = this.options.rtol ?? 1e-6;
    const atolS = this.options.atol ?? 1e-6;
    const atol = new Float64Array(n + 1).fill(atolS);
    atol[n] = 1e-8;
    const sol = solve(odeProblem(f, y0, [t0, tEnd]), {
      method: this.options.method ?? 'auto',
      rtol,
      atol,
      saveat,
      events,
      maxSteps: this.options.maxSteps ?? 10_000_000,
    });
    const ns = sol.t.length;
    const u = new Float64Array(ns * n);
    for (let s = 0; s < ns; s++) for (let i = 0; i < n; i++) u[s * n + i] = sol.u[s * (n + 1) + i];
    return {
      t: sol.t,
      u,
      retcode: sol.retcode,
      message: sol.message,
      firings: this.firings,
      repartitions: this.repartitions,
    };
  }
}
