/**
 * Fitting a compiled model to longitudinal patient data: one observable against one measured series per subject
 * (or all subjects pooled), the log10-normal error model with Tobit censoring of objective.ts, parameters bounded by
 * their ranges, and the result a subject would want: estimates, likelihood, AIC/BIC, residuals, a fine-grid
 * trajectory, starts, profile-likelihood intervals and identifiability verdicts.
 *
 * Least squares form. With z = (log10 y_obs - log10 (s * y_model(t)))/sigma, a measured point contributes the
 * residual r = z and a left-censored point (true value <= the limit c) the pseudo-residual r = sqrt(-2 log Phi(z)),
 * so 0.5 ||r||^2 equals seriesNll of objective.ts exactly. Derivatives by the chain rule:
 *   measured:  dr/dtheta = -(1/(sigma ln 10)) (dy/dtheta)/y,
 *   censored:  dr/dtheta = -(phi(z)/Phi(z)) / r * dz/dtheta, dz/dtheta = the measured formula,
 * with phi/Phi evaluated as exp(log phi - log Phi) so that it stays finite in the far tails. The solver works in
 * coordinates w = ln theta for log-scale parameters and w = theta otherwise; bounds are the specs' ranges.
 *
 * sigma. Given, or estimated by maximum likelihood. Without censored points the theta-optimum does not depend on
 * sigma (all residuals scale by 1/sigma), and the ML sigma is sqrt(mean z^2 sigma^2) in closed form. With censored
 * points neither holds; every local fit alternates: fit theta at fixed sigma, then set sigma to the 1-D ML value
 * given the residuals (golden-section search on ln sigma of the full NLL), until sigma changes by < 0.1 % (at most
 * 12 rounds, starting from the ML sigma at the fit's own start point; the fixed point of this coordinate descent is
 * a stationary point of the joint likelihood; model-fit-run.ts). Profiles re-optimise sigma at every point the same
 * way (the profile over sigma of the full NLL).
 *
 * Full NLL (for AIC/BIC and profiles): sum_measured (z^2/2 + ln sigma + ln(2 pi)/2) - sum_censored log Phi(z),
 * on the log10 scale (the density of log10 y; the Jacobian of y -> log10 y is the same for every model, so AIC and
 * BIC compare models on the same data correctly). k counts the fitted parameters plus sigma when estimated.
 */
import type { CompiledModel } from '../models/compile/compile.js';
import { type PreparedSimulation, prepareSimulation } from '../models/prepared-simulation.js';
import { prepareSensitivities, type SensitivitySystem } from '../models/sensitivity.js';
import { simulateModel } from '../models/simulate.js';
import type { Series } from './data.js';
import { nelderMead } from './nelder-mead.js';
import { logNormalCdf, type Residual, seriesResiduals } from './objective.js';
import { checkSpec, defaultInitial, type ParameterSpec } from './transform.js';

export class ModelFitError extends Error {
  override name = 'ModelFitError';
}

export type SigmaMode = number | 'estimate';

export interface OdeSettings {
  readonly method?: string;
  readonly rtol?: number;
  readonly atol?: number;
  readonly maxSteps?: number;
}

/** What is fitted to what: the part of a fit that does not depend on the data. */
export interface ModelFitSetup {
  readonly model: CompiledModel;
  /** Observable id of the compiled model (an assignment rule such as bcr_abl_percent, or a species). */
  readonly observable: string;
  /** Multiplies the observable before it meets the data (100 for a fraction against percent data; default 1). */
  readonly observableScale?: number;
  /** Model time = timeOffset + timeScale * data time (defaults 0 and 1). */
  readonly timeScale?: number;
  readonly timeOffset?: number;
  /** Model start time of every simulation (default 0); observations must not precede it. */
  readonly tStart?: number;
  readonly parameters: readonly ParameterSpec[];
  /** Parameter values held fixed (overriding the model's). */
  readonly fixed?: Readonly<Record<string, number>>;
  /** Residual sd on log10, or 'estimate' (default). */
  readonly sigma?: SigmaMode;
  /** Model values below this are raised to it before log10 (default 1e-12, as objective.ts). */
  readonly floor?: number;
  readonly ode?: OdeSettings;
  /**
   * How the residual Jacobian gets d(observable)/d(theta): 'forward' sensitivities (src/models/sensitivity.ts,
   * the default) or central 'finite-difference's of the solution. 'forward' falls back to finite differences when
   * the model does not support it (an event time that depends on a fitted parameter); `jacobianMethod` says which.
   */
  readonly jacobian?: 'forward' | 'finite-difference';
}

/** Default ODE settings for fitting: tight enough that finite differences of the solution are smooth. */
export const FIT_ODE_DEFAULTS: Required<Pick<OdeSettings, 'rtol' | 'atol'>> = { rtol: 1e-8, atol: 1e-10 };

const LN10 = Math.LN10;
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** phi(z)/Phi(z) (inverse Mills ratio at -z), finite for all z. */
export function millsRatio(z: number): number {
  return Math.exp(-0.5 * z * z - HALF_LN_2PI - logNormalCdf(z));
}

/**
 * A fit problem over a set of series (one subject, or all of them pooled): simulation at the data times, residuals
 * and their Jacobian in working coordinates, likelihoods. Counts its model solves.
 */
export class ModelFitProblem {
  readonly specs: readonly ParameterSpec[];
  readonly names: readonly string[];
  /** Total observations (residual count). */
  readonly m: number;
  readonly n: number;
  readonly measured: number;
  readonly censored: number;
  solves = 0;
  /** What the Jacobian uses (after a fallback, with the reason). */
  jacobianMethod: 'forward' | 'finite-difference';
  jacobianNote = '';
  private sens: SensitivitySystem | undefined;
  private readonly p0: Float64Array;
  private readonly keep: Uint8Array;
  private readonly index: Int32Array;
  private readonly obsIndex: number;
  private readonly scale: number;
  private readonly floor: number;
  /** Per series: model times (sorted, unique) and, per observation, its position in them. */
  private readonly grids: { times: Float64Array; at: Int32Array }[];
  private readonly logObs: Float64Array;
  private readonly isCensored: Uint8Array;
  private readonly pred: Float64Array;
  private readonly dpred: Float64Array;
  /** Scratch for finite differences and objective evaluations (allocated once). */
  private readonly wp: Float64Array;
  private readonly plus: Float64Array;
  private readonly minus: Float64Array;
  private readonly r: Float64Array;
  /**
   * Plain solves reuse one prepared simulation (built on first use): Nelder-Mead, SAEM, MCMC and profile
   * refits call `predict` tens of thousands of times, and simulateModel rebuilt the stepper, its LU buffers and
   * the event machinery on each call. Results are bit-identical (prepared-simulation.ts).
   */
  private prepared: PreparedSimulation | undefined;
  /** Full parameter vector and observable rows handed to the prepared simulation (grown on demand). */
  private readonly pFull: Float64Array;
  private simOut: Float64Array;
  /** One series' scaled observable at its grid times (predict). */
  private readonly gridOut: Float64Array;

  constructor(
    readonly setup: ModelFitSetup,
    readonly series: readonly Series[],
  ) {
    const model = setup.model;
    this.specs = setup.parameters;
    this.names = this.specs.map((s) => s.name);
    this.n = this.specs.length;
    if (this.n === 0) throw new ModelFitError('no parameters to fit');
    const ids = model.parameterIds;
    const seen = new Set<string>();
    this.index = Int32Array.from(this.specs, (s) => {
      checkSpec(s);
      if (seen.has(s.name)) throw new ModelFitError(`parameter '${s.name}' listed twice`);
      seen.add(s.name);
      const j = ids.indexOf(s.name);
      if (j < 0)
        throw new ModelFitError(
          `unknown parameter '${s.name}' of model '${model.id}'; parameters: ${ids.join(', ')}`,
        );
      return j;
    });
    this.p0 = model.p0.slice();
    this.keep = new Uint8Array(ids.length);
    for (const [id, v] of Object.entries(setup.fixed ?? {})) {
      const j = ids.indexOf(id);
      if (j < 0)
        throw new ModelFitError(
          `unknown fixed parameter '${id}' of model '${model.id}'; parameters: ${ids.join(', ')}`,
        );
      if (seen.has(id)) throw new ModelFitError(`parameter '${id}' is both fitted and fixed`);
      if (!Number.isFinite(v))
        throw new ModelFitError(`fixed parameter '${id}': expected a finite number, got ${v}`);
      this.p0[j] = v;
      this.keep[j] = 1;
    }
    for (const j of this.index) this.keep[j] = 1;
    this.obsIndex = model.observableIds.indexOf(setup.observable);
    if (this.obsIndex < 0)
      throw new ModelFitError(
        `unknown observable '${setup.observable}' of model '${model.id}'; observables: ${model.observableIds.join(', ')}`,
      );
    this.scale = setup.observableScale ?? 1;
    if (!(this.scale > 0)) throw new ModelFitError(`observable scale must be > 0, got ${this.scale}`);
    this.floor = setup.floor ?? 1e-12;
    if (typeof setup.sigma === 'number' && !(setup.sigma > 0))
      throw new ModelFitError(`sigma must be > 0 or 'estimate', got ${setup.sigma}`);
    const tStart = setup.tStart ?? 0;
    const ts = setup.timeScale ?? 1;
    const to = setup.timeOffset ?? 0;
    if (!(ts > 0) || !Number.isFinite(to))
      throw new ModelFitError(`time scale must be > 0 and the offset finite`);
    let m = 0;
    let cens = 0;
    this.grids = series.map((s) => {
      if (s.observations.length === 0) throw new ModelFitError(`series '${s.id}' has no observations`);
      const mt = s.observations.map((o) => to + ts * o.t);
      for (const [i, t] of mt.entries())
        if (t < tStart - 1e-12)
          throw new ModelFitError(
            `series '${s.id}': observation at data time ${s.observations[i].t} maps to model time ${t}, before the start ${tStart} (set the model start time earlier or shift the data)`,
          );
      const times = Float64Array.from([...new Set(mt)].sort((a, b) => a - b));
      const at = Int32Array.from(mt, (t) => times.indexOf(t));
      m += mt.length;
      for (const o of s.observations) if (o.censored) cens++;
      return { times, at };
    });
    this.m = m;
    this.censored = cens;
    this.measured = m - cens;
    this.logObs = new Float64Array(m);
    this.isCensored = new Uint8Array(m);
    let i = 0;
    for (const s of series)
      for (const o of s.observations) {
        this.logObs[i] = Math.log10(o.value);
        this.isCensored[i++] = o.censored ? 1 : 0;
      }
    this.pred = new Float64Array(m);
    this.dpred = new Float64Array(m * this.n);
    this.wp = new Float64Array(this.n);
    this.plus = new Float64Array(m);
    this.minus = new Float64Array(m);
    this.r = new Float64Array(m);
    this.pFull = new Float64Array(ids.length);
    this.simOut = new Float64Array(Math.max(1, ...this.grids.map((g) => g.times.length)));
    this.gridOut = new Float64Array(this.simOut.length);
    this.jacobianMethod = setup.jacobian ?? 'forward';
    if (this.jacobianMethod === 'forward') {
      try {
        this.sens = prepareSensitivities(model, {
          wrt: this.names,
          observables: [setup.observable],
          rtol: setup.ode?.rtol ?? FIT_ODE_DEFAULTS.rtol,
          atol: setup.ode?.atol ?? FIT_ODE_DEFAULTS.atol,
          ...(setup.ode?.method !== undefined ? { method: setup.ode.method } : {}),
          ...(setup.ode?.maxSteps !== undefined ? { maxSteps: setup.ode.maxSteps } : {}),
        });
      } catch (err) {
        this.jacobianMethod = 'finite-difference';
        this.jacobianNote = (err as Error).message;
      }
    }
  }

  /** Natural values from working coordinates (ln for log-scale specs). */
  toNatural(w: ArrayLike<number>, out = new Float64Array(this.n)): Float64Array {
    for (let j = 0; j < this.n; j++) out[j] = this.specs[j].scale === 'log' ? Math.exp(w[j]) : w[j];
    return out;
  }

  toWorking(x: ArrayLike<number>, out = new Float64Array(this.n)): Float64Array {
    for (let j = 0; j < this.n; j++) out[j] = this.specs[j].scale === 'log' ? Math.log(x[j]) : x[j];
    return out;
  }

  /** Working-coordinate bounds (the specs' ranges). */
  bounds(): { lo: Float64Array; hi: Float64Array } {
    return {
      lo: Float64Array.from(this.specs, (s) => (s.scale === 'log' ? Math.log(s.lo) : s.lo)),
      hi: Float64Array.from(this.specs, (s) => (s.scale === 'log' ? Math.log(s.hi) : s.hi)),
    };
  }

  initial(): Float64Array {
    return Float64Array.from(this.specs, (s) => defaultInitial(s));
  }

  /** The full parameter vector of the model for natural values x of the fitted parameters. */
  parameterVector(x: ArrayLike<number>): Record<string, number> {
    const rec: Record<string, number> = {};
    const ids = this.setup.model.parameterIds;
    for (let j = 0; j < ids.length; j++) if (this.keep[j]) rec[ids[j]] = this.p0[j];
    for (let k = 0; k < this.n; k++) rec[ids[this.index[k]]] = x[k];
    return rec;
  }

  /** Simulates at the given model times (sorted); the observable (scaled) or null when the solve failed. */
  simulate(x: ArrayLike<number>, times: ArrayLike<number>): Float64Array | null {
    const out = new Float64Array(times.length);
    return this.simulateInto(x, times, out) ? out : null;
  }

  /** As `simulate`, into out[0 .. times.length); false when the solve failed or a value is not finite. */
  private simulateInto(x: ArrayLike<number>, times: ArrayLike<number>, out: Float64Array): boolean {
    const tStart = this.setup.tStart ?? 0;
    const nt = times.length;
    this.solves++;
    // A grid that ends at tStart: simulateModel integrates to tStart + 1e-9 (kept as it was).
    if (!(times[nt - 1] > tStart)) return this.simulateOnce(x, times, out);
    const p = this.pFull;
    p.set(this.p0);
    for (let k = 0; k < this.n; k++) p[this.index[k]] = x[k];
    if (this.simOut.length < nt) this.simOut = new Float64Array(nt);
    const y = this.simOut;
    try {
      // Inside the try: bad ODE settings fail the solve (null), as simulateModel's errors did.
      const sim = this.prepared ?? this.prepare();
      if (sim.run(p, times, y, tStart) !== 'Success') return false;
    } catch {
      return false;
    }
    for (let k = 0; k < nt; k++) {
      out[k] = this.scale * y[k];
      if (!Number.isFinite(out[k])) return false;
    }
    return true;
  }

  private prepare(): PreparedSimulation {
    const model = this.setup.model;
    const ode = this.setup.ode ?? {};
    this.prepared = prepareSimulation(model, {
      observables: [this.setup.observable],
      rtol: ode.rtol ?? FIT_ODE_DEFAULTS.rtol,
      atol: ode.atol ?? FIT_ODE_DEFAULTS.atol,
      ...(ode.method !== undefined ? { method: ode.method } : {}),
      ...(ode.maxSteps !== undefined ? { maxSteps: ode.maxSteps } : {}),
      maxOutputTimes: this.simOut.length,
      // simulateModel received every fitted and fixed value in `params`: they win over initial assignments.
      keep: model.parameterIds.filter((_, j) => this.keep[j] === 1),
    });
    return this.prepared;
  }

  /** One simulateModel solve (a grid that does not extend past tStart). */
  private simulateOnce(x: ArrayLike<number>, times: ArrayLike<number>, out: Float64Array): boolean {
    const tStart = this.setup.tStart ?? 0;
    const ode = this.setup.ode ?? {};
    let tc: ReturnType<typeof simulateModel>;
    try {
      tc = simulateModel(this.setup.model, {
        tStart,
        tEnd: tStart + 1e-9,
        saveat: times,
        params: this.parameterVector(x),
        rtol: ode.rtol ?? FIT_ODE_DEFAULTS.rtol,
        atol: ode.atol ?? FIT_ODE_DEFAULTS.atol,
        ...(ode.method !== undefined ? { method: ode.method } : {}),
        ...(ode.maxSteps !== undefined ? { maxSteps: ode.maxSteps } : {}),
      });
    } catch {
      return false;
    }
    if (tc.retcode !== 'Success') return false;
    const no = tc.ids.length;
    // Post-event value at a save time that coincides with an event (the solution repeats such a time).
    let i = 0;
    for (let k = 0; k < times.length; k++) {
      while (i < tc.time.length && tc.time[i] < times[k]) i++;
      while (i + 1 < tc.time.length && tc.time[i + 1] === times[k]) i++;
      if (i >= tc.time.length) return false;
      out[k] = this.scale * tc.values[i * no + this.obsIndex];
      if (!Number.isFinite(out[k])) return false;
    }
    return true;
  }

  /** Model predictions at every observation (in series order) into this.pred; false when a solve failed. */
  predict(x: ArrayLike<number>, out: Float64Array = this.pred): boolean {
    let i = 0;
    for (const g of this.grids) {
      const y = this.gridOut;
      if (!this.simulateInto(x, g.times, y)) return false;
      for (let k = 0; k < g.at.length; k++) out[i++] = y[g.at[k]];
    }
    return true;
  }

  /** Predictions of series k (a copy). */
  predictions(x: ArrayLike<number>): Float64Array | null {
    const out = new Float64Array(this.m);
    return this.predict(x, out) ? out : null;
  }

  /**
   * Predictions into this.pred and d pred_i / d w_j (working coordinates) into this.dpred (row-major m x n):
   * forward sensitivities (d obs/d theta times theta for log-scale parameters), or central differences with step
   * h = 1e-4 max(1, |w_j|) (solver noise at rtol 1e-8 then limits them to about 1e-3 relative).
   */
  private sensitivities(w: Float64Array): boolean {
    const n = this.n;
    const m = this.m;
    const x = this.toNatural(w);
    if (this.sens) {
      const params = this.parameterVector(x);
      const tStart = this.setup.tStart ?? 0;
      let i = 0;
      for (const g of this.grids) {
        this.solves++;
        let run: ReturnType<SensitivitySystem['run']>;
        try {
          const last = g.times[g.times.length - 1];
          run = this.sens.run(
            params,
            last > tStart ? g.times : Float64Array.of(...g.times, tStart + 1e-9),
            tStart,
          );
        } catch {
          return false;
        }
        if (run.retcode !== 'Success') return false;
        for (let q = 0; q < g.at.length; q++, i++) {
          const a = g.at[q];
          this.pred[i] = this.scale * run.obs[a];
          for (let j = 0; j < n; j++) {
            const d = this.scale * run.obsS[a * n + j];
            this.dpred[i * n + j] = this.specs[j].scale === 'log' ? d * x[j] : d;
          }
        }
      }
      for (let q = 0; q < m; q++) if (!Number.isFinite(this.pred[q])) return false;
      return true;
    }
    const { wp, plus, minus } = this;
    for (let j = 0; j < n; j++) {
      const h = 1e-4 * Math.max(1, Math.abs(w[j]));
      wp.set(w);
      wp[j] = w[j] + h;
      if (!this.predict(this.toNatural(wp), plus)) return false;
      wp[j] = w[j] - h;
      if (!this.predict(this.toNatural(wp), minus)) return false;
      for (let i = 0; i < m; i++) this.dpred[i * n + j] = (plus[i] - minus[i]) / (2 * h);
    }
    return this.predict(x);
  }

  /** Least-squares residuals at working coordinates w for a given sigma (0.5 ||r||^2 = seriesNll). */
  residuals(w: Float64Array, sigma: number, r: Float64Array): boolean {
    if (!this.predict(this.toNatural(w))) return false;
    this.residualsFromPred(sigma, r);
    return true;
  }

  private residualsFromPred(sigma: number, r: Float64Array): void {
    const floor = this.floor;
    for (let i = 0; i < this.m; i++) {
      const z = (this.logObs[i] - Math.log10(Math.max(this.pred[i], floor))) / sigma;
      r[i] = this.isCensored[i] ? Math.sqrt(-2 * logNormalCdf(z)) : z;
    }
  }

  /** Residual Jacobian dr/dw (row-major m x n) at w; also leaves the residuals in r when given. */
  jacobian(w: Float64Array, sigma: number, J: Float64Array, r?: Float64Array): boolean {
    if (!this.sensitivities(w)) return false;
    const n = this.n;
    const floor = this.floor;
    for (let i = 0; i < this.m; i++) {
      const y = this.pred[i];
      const z = (this.logObs[i] - Math.log10(Math.max(y, floor))) / sigma;
      // dz/dw_j = -(1/(sigma ln 10)) (dy/dw_j)/y (zero where the floor is active).
      const c = y > floor ? -1 / (sigma * LN10 * y) : 0;
      let f = c;
      if (this.isCensored[i]) {
        const rc = Math.sqrt(-2 * logNormalCdf(z));
        // d sqrt(-2 log Phi(z))/dz = -(phi/Phi)/rc; the limit for rc -> 0 (z -> +inf) is 0.
        f = rc > 0 ? (-millsRatio(z) / rc) * c : 0;
        if (r) r[i] = rc;
      } else if (r) r[i] = z;
      for (let j = 0; j < n; j++) J[i * n + j] = f * this.dpred[i * n + j];
    }
    return true;
  }

  /** objective.ts's seriesNll summed over the series at natural x and sigma (no constants); NaN on failure. */
  objective(x: ArrayLike<number>, sigma: number): number {
    if (!this.predict(x)) return Number.NaN;
    const r = this.r;
    this.residualsFromPred(sigma, r);
    let s = 0;
    for (let i = 0; i < this.m; i++) s += 0.5 * r[i] * r[i];
    return s;
  }

  /** Full NLL (with constants) of log10 residuals d_i = log10 obs - log10 pred at sigma. */
  fullNllFromLogResiduals(d: Float64Array, sigma: number): number {
    let s = 0;
    for (let i = 0; i < this.m; i++) {
      const z = d[i] / sigma;
      s += this.isCensored[i] ? -logNormalCdf(z) : 0.5 * z * z + Math.log(sigma) + HALF_LN_2PI;
    }
    return s;
  }

  /** log10 residuals at natural x (null on a failed solve). */
  logResiduals(x: ArrayLike<number>): Float64Array | null {
    if (!this.predict(x)) return null;
    const d = new Float64Array(this.m);
    for (let i = 0; i < this.m; i++) d[i] = this.logObs[i] - Math.log10(Math.max(this.pred[i], this.floor));
    return d;
  }

  /** The ML sigma given log10 residuals: closed form without censoring, golden section on ln sigma otherwise. */
  mlSigma(d: Float64Array): number {
    let ss = 0;
    for (let i = 0; i < this.m; i++) if (!this.isCensored[i]) ss += d[i] * d[i];
    if (this.censored === 0) return Math.max(Math.sqrt(ss / this.m), 1e-6);
    const g = (ls: number) => this.fullNllFromLogResiduals(d, Math.exp(ls));
    let a = Math.log(1e-4);
    let b = Math.log(10);
    const phi = (Math.sqrt(5) - 1) / 2;
    let c = b - phi * (b - a);
    let e = a + phi * (b - a);
    let fc = g(c);
    let fe = g(e);
    for (let it = 0; it < 80 && b - a > 1e-9; it++) {
      if (fc < fe) {
        b = e;
        e = c;
        fe = fc;
        c = b - phi * (b - a);
        fc = g(c);
      } else {
        a = c;
        c = e;
        fc = fe;
        e = a + phi * (b - a);
        fe = g(e);
      }
    }
    return Math.exp(0.5 * (a + b));
  }

  /** Full NLL at natural x: at the given sigma, or at its ML value when sigma is estimated. */
  fullNll(x: ArrayLike<number>, sigma?: number): { nll: number; sigma: number } {
    const d = this.logResiduals(x);
    if (!d) return { nll: Number.NaN, sigma: Number.NaN };
    const s = sigma ?? this.mlSigma(d);
    return { nll: this.fullNllFromLogResiduals(d, s), sigma: s };
  }

  /** Residual table at natural x and sigma (objective.ts's Residual rows, series by series). */
  residualTable(x: ArrayLike<number>, sigma: number): Residual[] {
    const pred = this.predictions(x);
    if (!pred) throw new ModelFitError('the model solve failed at the estimates');
    const rows: Residual[] = [];
    let i = 0;
    for (const s of this.series) {
      const k = s.observations.length;
      rows.push(...seriesResiduals(s, pred.subarray(i, i + k), { sigma, floor: this.floor }));
      i += k;
    }
    return rows;
  }

  /** The model curve of each series on `points` times spanning its data (data time units). */
  trajectory(x: ArrayLike<number>, points = 200): { id: string; t: number[]; y: number[] }[] {
    const ts = this.setup.timeScale ?? 1;
    const to = this.setup.timeOffset ?? 0;
    const tStart = this.setup.tStart ?? 0;
    return this.series.map((s) => {
      const obs = s.observations;
      const d0 = Math.max(obs[0].t, (tStart - to) / ts);
      const d1 = obs[obs.length - 1].t;
      const t: number[] = [];
      for (let k = 0; k < points; k++) t.push(d0 + ((d1 - d0) * k) / Math.max(1, points - 1));
      const mt = [...new Set(t.map((u) => Math.max(tStart, to + ts * u)))];
      const y = this.simulate(x, mt);
      if (!y) return { id: s.id, t: [], y: [] };
      return { id: s.id, t: mt.map((u) => (u - to) / ts), y: Array.from(y) };
    });
  }
}

/** Nelder-Mead on the full NLL in logit coordinates of the ranges (the derivative-free local method). */
export function nelderMeadLocal(
  f: (x: Float64Array) => number,
  specs: readonly ParameterSpec[],
  x0: ArrayLike<number>,
  toU: (x: ArrayLike<number>) => Float64Array,
  fromU: (u: ArrayLike<number>) => Float64Array,
  maxEvaluations?: number,
): { x: Float64Array; value: number; evaluations: number; converged: boolean } {
  const r = nelderMead((u) => f(fromU(u)), toU(x0), {
    fTol: 1e-9,
    xTol: 1e-7,
    ...(maxEvaluations !== undefined ? { maxEvaluations } : { maxEvaluations: 300 * specs.length }),
    restarts: 1,
  });
  return { x: fromU(r.x), value: r.value, evaluations: r.evaluations, converged: r.converged };
}
