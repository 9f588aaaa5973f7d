/**
 * Automatic stiffness switching in the spirit of LSODA (Petzold 1983, "Automatic selection of methods for
 * solving stiff and nonstiff systems of ordinary differential equations", SIAM J. Sci. Stat. Comput. 4):
 * integrate with a cheap explicit method while the problem is non-stiff, move to an implicit one when the
 * explicit step size is limited by stability rather than accuracy, and move back when it no longer is.
 *
 * Non-stiff -> stiff: Hairer's test (DOPRI5; see `erk/stiffness.ts`): each accepted explicit step estimates
 * h |lambda| from its last two stages at no cost; `STIFF_DETECTIONS` detections without a run of
 * `NONSTIFF_RESET` non-stiff steps in between mean the step size is stability-limited. A non-stiff method
 * without that estimate is checked with the power iteration below instead.
 *
 * Stiff -> non-stiff: every `checkEvery` accepted stiff steps the dominant eigenvalue magnitude |lambda| of
 * df/dy is estimated by a warm-started power iteration on finite differences of f along the iterate
 * (J v ~ (f(y + d v) - f(y)) / d; `powerIterations` f evaluations plus one for f(y); no Jacobian needed, the
 * iterate is kept between checks so the estimate keeps converging). With h_s the stiff method's last step,
 * the explicit method would be stable at that step when h_s |lambda| <= its stability bound. After
 * `nonstiffChecks` consecutive such checks, each with a settled step size (h_s at most twice its value at the
 * previous check, so a stiff method still ramping up from a cautious first step does not count), we switch
 * back. If the explicit method then turns out stiff again soon (within `bounceSteps` steps), the number of
 * checks required doubles (up to 64), which stops ping-ponging when the two methods' accuracy-limited steps
 * differ.
 *
 * A switch calls `reset(t, y)` on the other method at the current point: nothing is interpolated, so a switch
 * never loses accuracy. When the explicit method fails with 'DtLessThanMin' (extreme stiffness can drive its
 * steps down), the step is retried once with the stiff method.
 */

import { isStiffnessAware, StiffnessCounter } from '../erk/stiffness.js';
import type { OdeProblem } from '../problem.js';
import type { DenseSegment, OdeMethod, Stepper, StepperOptions, StepStatus } from '../stepper.js';

export interface AutoSwitchConfig {
  /** Accepted stiff steps between two eigenvalue estimates. Default 5. */
  readonly checkEvery?: number;
  /** Power iterations (f evaluations) per estimate, besides f(y). Default 2. */
  readonly powerIterations?: number;
  /** Consecutive estimates showing the explicit method stable before switching back. Default 3. */
  readonly nonstiffChecks?: number;
  /** A return to stiff within this many explicit steps is a bounce (doubles `nonstiffChecks`). Default 50. */
  readonly bounceSteps?: number;
  /**
   * Stability bound of the explicit method for h |lambda| when it does not report one itself (DP5: 3.25,
   * Tsit5: 3.45 are reported by their steppers). Default 3.25.
   */
  readonly stabilityBound?: number;
}

/** The composite stepper: a `Stepper` that also reports which method is active. */
export interface AutoStepper extends Stepper {
  /** Name of the method that took the last step (the next step may switch). */
  readonly activeMethod: string;
  readonly stiffActive: boolean;
  /** Latest power-iteration estimate of the dominant |lambda| of df/dy (NaN before the first). */
  readonly lambdaEstimate: number;
}

const SQRT_EPS = Math.sqrt(Number.EPSILON);
const MAX_CHECKS = 64;

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** A composite method: `nonstiff` while the problem is non-stiff, `stiff` while it is stiff. */
export function createAutoMethod(
  nonstiff: OdeMethod,
  stiff: OdeMethod,
  config: AutoSwitchConfig = {},
): OdeMethod {
  const name = `auto(${nonstiff.name},${stiff.name})`;
  return Object.freeze({
    name,
    order: Math.min(nonstiff.order, stiff.order),
    implicit: nonstiff.implicit || stiff.implicit,
    create: (problem: OdeProblem, options: StepperOptions): AutoStepper =>
      createAutoStepper(name, nonstiff, stiff, problem, options, config),
  });
}

function createAutoStepper(
  name: string,
  nonstiffMethod: OdeMethod,
  stiffMethod: OdeMethod,
  problem: OdeProblem,
  options: StepperOptions,
  config: AutoSwitchConfig,
): AutoStepper {
  const checkEvery = Math.max(1, Math.floor(config.checkEvery ?? 5));
  const powerIterations = Math.max(1, Math.floor(config.powerIterations ?? 2));
  const baseChecks = Math.max(1, Math.floor(config.nonstiffChecks ?? 3));
  const bounceSteps = config.bounceSteps ?? 50;
  const n = problem.y0.length;
  const f = problem.f;
  const stats = options.stats;
  // A user-given first step belongs to the start of the integration only, i.e. to the non-stiff method.
  const { h0: _h0, ...stiffOptions } = options;
  const ns = nonstiffMethod.create(problem, options);
  const st = stiffMethod.create(problem, stiffOptions);
  const nsAware = isStiffnessAware(ns) ? ns : null;
  const bound = nsAware ? nsAware.stiffnessBound : (config.stabilityBound ?? 3.25);
  const switching = options.fixedStep === undefined;

  const atol = options.atol;
  const atolNorm = typeof atol === 'number' ? Math.abs(atol) * Math.sqrt(n) : norm2(atol);
  const y = Float64Array.from(problem.y0);
  // Power-iteration state: the iterate v persists between estimates (warm start).
  const v = new Float64Array(n);
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  const initIterate = () => {
    // Deterministic, sign-alternating start with no special alignment to coordinate axes.
    for (let i = 0; i < n; i++) v[i] = (i % 2 === 0 ? 1 : -1) * (1 + ((i * 7919) % 17) / 17);
  };
  initIterate();

  let active: Stepper = ns;
  let stiffOn = false;
  let pendingSwitch = false;
  let lambdaEst = Number.NaN;
  /** Accepted steps since the last switch. */
  let stepsHere = 0;
  let nonstiffRun = 0;
  let checksNeeded = baseChecks;
  let switchCount = 0;
  /** Stiff step size at the previous eigenvalue check (0: none since the last switch). */
  let hAtCheck = 0;
  /** Fallback stiffness counters for a non-stiff method without its own estimate. */
  const fallback = new StiffnessCounter();

  /** Dominant |eigenvalue| of df/dy at (t, y) by `powerIterations` steps of the power iteration. */
  const estimateLambda = (t: number, yc: Float64Array): number => {
    f(t, yc, f0);
    stats.fEvals++;
    // Increment |d v| = sqrt(eps) * max(|y|, |atol|): relative to the state, floored at the absolute scale.
    const yNorm = Math.max(norm2(yc), atolNorm) || 1;
    let lam = Number.NaN;
    for (let it = 0; it < powerIterations; it++) {
      let vNorm = norm2(v);
      if (!(vNorm > 0 && Number.isFinite(vNorm))) {
        initIterate();
        vNorm = norm2(v);
      }
      const d = (SQRT_EPS * yNorm) / vNorm;
      for (let i = 0; i < n; i++) yp[i] = yc[i] + d * v[i];
      f(t, yp, f1);
      stats.fEvals++;
      const inv = 1 / d;
      for (let i = 0; i < n; i++) v[i] = (f1[i] - f0[i]) * inv;
      lam = norm2(v) / vNorm;
    }
    return lam;
  };

  const switchTo = (toStiff: boolean) => {
    const from = active;
    const to = toStiff ? st : ns;
    to.reset(from.t, from.y);
    if (!toStiff) fallback.reset();
    active = to;
    stiffOn = toStiff;
    stats.switches++;
    switchCount++;
    nonstiffRun = 0;
    stepsHere = 0;
    hAtCheck = 0;
    pendingSwitch = false;
  };

  /** After an accepted step: decide whether the next step should use the other method. */
  const afterStep = () => {
    stepsHere++;
    const hLast = Math.abs(active.t - active.tPrev);
    if (!stiffOn) {
      let stiffNow: boolean;
      if (nsAware) stiffNow = nsAware.isStiff();
      else if (stepsHere % checkEvery === 0) {
        lambdaEst = estimateLambda(active.t, active.y);
        stiffNow = fallback.record(hLast * lambdaEst > bound);
      } else stiffNow = fallback.isStiff();
      if (stiffNow) {
        // Back to stiff soon after leaving it: the two methods disagree near this point; be slower to leave.
        if (switchCount > 0 && stepsHere <= bounceSteps)
          checksNeeded = Math.min(2 * checksNeeded, MAX_CHECKS);
        pendingSwitch = true;
      }
    } else if (stepsHere % checkEvery === 0) {
      lambdaEst = estimateLambda(active.t, active.y);
      // Only a settled step size says anything: right after a switch the stiff method is still growing its
      // step from a cautious start, which is small for reasons that have nothing to do with stability.
      const settled = hLast <= 2 * hAtCheck;
      hAtCheck = hLast;
      if (settled && Number.isFinite(lambdaEst) && hLast * lambdaEst <= bound) nonstiffRun++;
      else nonstiffRun = 0;
      if (nonstiffRun >= checksNeeded) pendingSwitch = true;
    }
  };

  const step = (tLimit: number): StepStatus => {
    if (pendingSwitch) switchTo(!stiffOn);
    let status = active.step(tLimit);
    if (status === 'DtLessThanMin' && !stiffOn && switching) {
      switchTo(true);
      status = active.step(tLimit);
    }
    if (status === 'ok') {
      y.set(active.y);
      if (switching) afterStep();
    }
    return status;
  };

  /** Back to the state of a fresh composite stepper (see Stepper.reinit); both members must support it. */
  const reinit = (t0: number, y0: Float64Array, tEnd: number, hmax: number): void => {
    // Same order as at creation (a BDF member evaluates f when it starts).
    ns.reinit!(t0, y0, tEnd, hmax);
    st.reinit!(t0, y0, tEnd, hmax);
    y.set(y0);
    initIterate();
    active = ns;
    stiffOn = false;
    pendingSwitch = false;
    lambdaEst = Number.NaN;
    stepsHere = 0;
    nonstiffRun = 0;
    checksNeeded = baseChecks;
    switchCount = 0;
    hAtCheck = 0;
    fallback.reset();
  };

  return {
    ...(ns.reinit !== undefined && st.reinit !== undefined ? { reinit } : {}),
    method: name,
    get t() {
      return active.t;
    },
    get tPrev() {
      return active.tPrev;
    },
    y,
    step,
    interpolate: (tq: number, out: Float64Array) => active.interpolate(tq, out),
    denseSegment: (): DenseSegment => active.denseSegment(),
    reset(t: number, yNew: Float64Array): void {
      // Stay with the current method (a state jump does not change stiffness), but restart its history.
      active.reset(t, yNew);
      y.set(yNew);
      fallback.reset();
      nonstiffRun = 0;
      stepsHere = 0;
      hAtCheck = 0;
      pendingSwitch = false;
    },
    get activeMethod() {
      return stiffOn ? stiffMethod.name : nonstiffMethod.name;
    },
    get stiffActive() {
      return stiffOn;
    },
    get lambdaEstimate() {
      return lambdaEst;
    },
  };
}
