/**
 * Forward sensitivities of a compiled model: dy/dtheta and d(observable)/dtheta along a solution, for
 * gradient-based fitting (Gauss-Newton / Levenberg-Marquardt need the Jacobian of the residuals).
 *
 * Method: the forward sensitivity equations, solved simultaneously with the state (CVODES user guide, sec.
 * "Forward sensitivity analysis"; Hairer, Norsett and Wanner, Solving ODEs I, sec. I.14):
 * dS/dt = (df/dy) S + (df/dp) dp/dtheta, S(t0) = dy0/dtheta, integrated with the state as one augmented
 * system z = [y, S] by the ordinary driver (`solve`) and the model's own event machinery
 * (`createModelEvents`). The augmented right-hand side and its exact Jacobian are generated code
 * (`compile/sensitivity.ts`), so stiff methods (Rodas5P) keep their order.
 *
 * Error control: over all augmented components (CVODES errconS = true). The absolute tolerance of S[., j]
 * is atol / |theta_j| (CVODES's default scaling by the parameter magnitude, pbar = |theta|), so the error
 * test on S measures the error of d y / d ln theta against atol.
 *
 * Initial sensitivities: dy0/dtheta and dp/dtheta of parameters computed by initial assignments are central
 * differences of the generated initial-value function (step cbrt(eps)*|theta_j|); for the usual linear
 * assignments (`Y = Y_init`) that is exact up to rounding (~1e-11 relative).
 *
 * Events: events at times that do not depend on theta are supported. Parameter-only assignments leave S
 * continuous (their new values' derivatives go into dp/dtheta); state assignments jump,
 * S+ = (da/dy) S- + (da/dp) dp/dtheta. An event whose trigger or delay depends on theta (directly, through a
 * derived parameter, or through the state) would need the event-time sensitivity
 * (S+ = S- + (f- - f+) dtau/dtheta + ...), which is not implemented: `prepareSensitivities` throws naming the
 * parameter and suggesting finite differences. Not detected: discontinuities inside the right-hand side
 * (piecewise in time) whose switching time depends on theta.
 *
 * Output times: `time` is exactly `saveat`. Where the driver saved a time twice (an event at t0), the
 * post-event row is reported; an event located at t_e reports, at an output time t < t_e, the pre-event
 * state (as simulateModel; a time trigger `time >= 2` is located at 2 + 1 ulp).
 *
 * Cost (Hähnel 2020 patient 1, 6 parameters, n = 3 -> 21 augmented components, 0..60 months, best of 30):
 * with `auto` (non-stiff here) one sensitivity run takes 0.3-0.7x the time of the k + 1 = 7 plain runs that
 * forward differences would need (rtol 1e-6..1e-10); with Rodas5P about 2.5x (twice the steps, from the
 * error control on S, and a 21 x 21 instead of a 3 x 3 LU per step). Large augmented systems (>= 40
 * components) use the sparse LU on the block lower triangular pattern.
 */
import type { Expr } from '../numerics/expr/ast.js';
import { odeProblem } from '../numerics/ode/problem.js';
import { solve } from '../numerics/ode/solve.js';
import type { SolverStats } from '../numerics/ode/stats.js';
import type { CompiledModel } from './compile/compile.js';
import { createModelEvents } from './compile/events.js';
import { buildSensitivityCode } from './compile/sensitivity.js';

export interface SensitivityOptions {
  /** Parameter ids (CompiledModel.parameterIds), incl. initial-value parameters like Y_init. */
  readonly wrt: readonly string[];
  /** Observable ids whose sensitivities are wanted (default none). */
  readonly observables?: readonly string[];
  /** ODE method name (default `auto`). */
  readonly method?: string;
  /** Relative tolerance of all augmented components (default 1e-6). */
  readonly rtol?: number;
  /** Absolute tolerance of the states; S[., j] uses atol / |theta_j| (default 1e-10). */
  readonly atol?: number;
  readonly maxSteps?: number;
  /**
   * Linear algebra of implicit methods for the augmented system (default 'auto': dense below 40 components,
   * the sparse LU for large augmented systems, whose Jacobian is block lower triangular).
   */
  readonly linearSolver?: 'auto' | 'dense' | 'sparse';
}

/** One solve. */
export interface SensitivityRun {
  /** = saveat */
  readonly time: Float64Array;
  readonly stateIds: readonly string[];
  readonly wrt: readonly string[];
  readonly observables: readonly string[];
  /** nt*n, y[i*n + s] */
  readonly y: Float64Array;
  /** nt*n*k, dy_s/dp_j at S[(i*n + s)*k + j] */
  readonly S: Float64Array;
  /** nt*no */
  readonly obs: Float64Array;
  /** nt*no*k, d obs_o/d p_j at obsS[(i*no + o)*k + j] */
  readonly obsS: Float64Array;
  readonly retcode: string;
  readonly message: string;
  /** Method the driver used and its work counters. */
  readonly method?: string;
  readonly stats?: SolverStats;
}

/** Compiled once per (model, wrt, observables); `run` many times. */
export interface SensitivitySystem {
  readonly wrt: readonly string[];
  run(params: Readonly<Record<string, number>>, saveat: ArrayLike<number>, tStart?: number): SensitivityRun;
}

const CBRT_EPS = Math.cbrt(Number.EPSILON);

export function prepareSensitivities(model: CompiledModel, options: SensitivityOptions): SensitivitySystem {
  const pid = model.parameterIds;
  const n = model.stateIds.length;
  const wrtIds = [...options.wrt];
  const wrt = wrtIds.map((id) => {
    const j = pid.indexOf(id);
    if (j < 0)
      throw new Error(
        `prepareSensitivities: wrt: unknown parameter '${id}'; valid ids: ${pid.join(', ') || '(none)'}`,
      );
    return j;
  });
  if (new Set(wrt).size !== wrt.length)
    throw new Error(`prepareSensitivities: wrt lists a parameter twice (${wrtIds.join(', ')})`);
  const obsIds = [...(options.observables ?? [])];
  const obsIdx = obsIds.map((id) => {
    const o = model.observableIds.indexOf(id);
    if (o < 0)
      throw new Error(
        `prepareSensitivities: observables: unknown observable '${id}'; valid ids: ${model.observableIds.join(', ')}`,
      );
    return o;
  });
  const lowered = model.lowered;
  if (!lowered) throw new Error('prepareSensitivities: the compiled model carries no lowered formulas');
  const k = wrt.length;

  // A: parameters whose values depend on theta. Initial assignments: probe the initial-value function.
  const inA = new Uint8Array(pid.length);
  for (const j of wrt) inA[j] = 1;
  const keep0 = new Uint8Array(pid.length);
  for (const j of wrt) keep0[j] = 1;
  const pBase = model.p0.slice();
  model.initialState(pBase, keep0);
  for (const j of wrt) {
    for (const rel of [1e-3, -7e-4]) {
      const pp = model.p0.slice();
      pp[j] = pp[j] !== 0 ? pp[j] * (1 + rel) : rel;
      model.initialState(pp, keep0);
      for (let a = 0; a < pid.length; a++)
        if (!Object.is(pp[a], pBase[a]) && !(Number.isNaN(pp[a]) && Number.isNaN(pBase[a]))) inA[a] = 1;
    }
  }
  // Events that set parameters from theta-dependent quantities (fixpoint).
  const readsDependent = (e: Expr): string | null => {
    const stack = [e];
    const seen = new Set<unknown>();
    let found: string | null = null;
    while (stack.length > 0 && found === null) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x.kind === 'sym') {
        if (x.name.startsWith('$y')) found = `state '${model.stateIds[Number(x.name.slice(2))]}'`;
        else if (x.name.startsWith('$p') && inA[Number(x.name.slice(2))])
          found = `parameter '${pid[Number(x.name.slice(2))]}'`;
      } else if (x.kind === 'call' || x.kind === 'apply') stack.push(...x.args);
      else if (x.kind === 'piecewise') {
        for (const p of x.pieces) stack.push(p.value, p.condition);
        if (x.otherwise) stack.push(x.otherwise);
      }
    }
    return found;
  };
  for (let changed = true; changed; ) {
    changed = false;
    lowered.events.forEach((ev, e) => {
      model.events[e].targets.forEach((tg, a) => {
        if (tg.where !== 'p' || inA[tg.index]) return;
        const vol = ev.volumes[a];
        if (readsDependent(ev.values[a]) || (vol && readsDependent(vol))) {
          inA[tg.index] = 1;
          changed = true;
        }
      });
    });
  }
  // Event times must not depend on theta.
  if (k > 0)
    lowered.events.forEach((ev, e) => {
      const cev = model.events[e];
      if (cev.targets.length === 0) return;
      for (const [what, expr] of [
        ['trigger', ev.trigger],
        ['delay', ev.delay],
      ] as const) {
        if (!expr) continue;
        const dep = readsDependent(expr);
        if (!dep) continue;
        const direct = wrtIds.filter((id) => dep === `parameter '${id}'`);
        const names = direct.length > 0 ? direct : wrtIds;
        throw new Error(
          `prepareSensitivities: event '${cev.id}': its ${what} reads ${dep}, so the event time depends on ` +
            `${names.map((x) => `'${x}'`).join(', ')}; event-time sensitivities are not supported. ` +
            `Use finite differences (e.g. central differences of simulateModel) for ${names.length > 1 ? 'these parameters' : `'${names[0]}'`}, or leave ${names.length > 1 ? 'them' : 'it'} out of wrt.`,
        );
      }
      if (cev.delay && cev.useValuesFromTriggerTime) {
        for (const v of ev.values) {
          const dep = readsDependent(v);
          if (dep)
            throw new Error(
              `prepareSensitivities: event '${cev.id}' has a delay and uses values from trigger time that read ${dep}; not supported (use finite differences)`,
            );
        }
      }
    });
  const A: number[] = [...wrt];
  for (let a = 0; a < pid.length; a++) if (inA[a] && !wrt.includes(a)) A.push(a);
  const nA = A.length;
  const code = buildSensitivityCode(model, wrt, A, obsIdx);
  const no = obsIdx.length;
  const N = n + n * k;
  const eventIndex = new Map(model.events.map((ev, e) => [ev.id, e]));

  return {
    wrt: wrtIds,
    run(params, saveat0, tStart = 0) {
      const saveat = Float64Array.from(saveat0);
      const nt = saveat.length;
      if (nt === 0) throw new Error('SensitivitySystem.run: saveat is empty');
      for (let i = 0; i < nt; i++) {
        if (!Number.isFinite(saveat[i]) || saveat[i] < tStart || (i > 0 && saveat[i] < saveat[i - 1]))
          throw new Error(
            `SensitivitySystem.run: saveat[${i}] = ${saveat[i]}: times must be finite, >= tStart (${tStart}) and non-decreasing`,
          );
      }
      const tEnd = saveat[nt - 1];

      // Parameters and initial values (as simulateModel: overrides are kept; so are the wrt parameters).
      const pIn = model.p0.slice();
      const keep = new Uint8Array(pid.length);
      for (const j of wrt) keep[j] = 1;
      for (const [id, value] of Object.entries(params)) {
        const j = pid.indexOf(id);
        if (j < 0)
          throw new Error(
            `SensitivitySystem.run: unknown parameter '${id}'; valid ids: ${pid.join(', ') || '(none)'}`,
          );
        pIn[j] = value;
        keep[j] = 1;
      }
      const p = pIn.slice();
      const y0 = model.initialState(p, keep, tStart);
      const z0 = new Float64Array(N);
      z0.set(y0);
      const W = new Float64Array(nA * k);
      for (let j = 0; j < k; j++) {
        W[j * k + j] = 1; // A starts with wrt
        const v = pIn[wrt[j]];
        const hh = CBRT_EPS * (v !== 0 ? Math.abs(v) : 1);
        const plus = pIn.slice();
        plus[wrt[j]] = v + hh;
        const minus = pIn.slice();
        minus[wrt[j]] = v - hh;
        const h2 = plus[wrt[j]] - minus[wrt[j]];
        const yp = model.initialState(plus, keep, tStart);
        const ym = model.initialState(minus, keep, tStart);
        for (let s = 0; s < n; s++) z0[n + s * k + j] = (yp[s] - ym[s]) / h2;
        for (let ia = k; ia < nA; ia++) W[ia * k + j] = (plus[A[ia]] - minus[A[ia]]) / h2;
      }

      const pStart: Float64Array = p.slice(); // before any event
      const WStart: Float64Array = W.slice();

      // Events: the model's machinery, with the sensitivity jumps hooked into value evaluation.
      const pLog: { t: number; p: Float64Array; W: Float64Array }[] = [];
      let events: ReturnType<typeof createModelEvents> | undefined;
      if (model.events.length > 0) {
        const jumpOut = model.events.map((ev) => new Float64Array(ev.targets.length * k));
        const zRef: (Float64Array | null)[] = model.events.map(() => null);
        const wrapped: CompiledModel = {
          ...model,
          events: model.events.map((ev, e) => {
            const jump = code.jumps[e];
            if (!jump) return ev;
            return {
              ...ev,
              values: (t: number, y: Float64Array, pp: Float64Array, out: Float64Array) => {
                ev.values(t, y, pp, out);
                jump(t, y, pp, W, jumpOut[e]);
                zRef[e] = y;
              },
            };
          }),
        };
        events = createModelEvents(wrapped, p, {
          perRelation: true,
          onExecute: (t, id) => {
            const e = eventIndex.get(id)!;
            const z = zRef[e];
            if (code.jumps[e] && z) {
              const out = jumpOut[e];
              model.events[e].targets.forEach((tg, a) => {
                if (tg.where === 'y') for (let j = 0; j < k; j++) z[n + tg.index * k + j] = out[a * k + j];
                else {
                  const ia = A.indexOf(tg.index);
                  if (ia >= 0) for (let j = 0; j < k; j++) W[ia * k + j] = out[a * k + j];
                }
              });
            }
            pLog.push({ t, p: p.slice(), W: W.slice() });
          },
        });
      }

      const X = new Float64Array(code.xLength);
      const fd = code.fdEntries > 0;
      const { rhs, jacobian, fill, sparseJacobian } = code;
      const problem = odeProblem(
        (t, z, dz) => {
          if (fd) fill(t, z, p, X);
          rhs(t, z, p, W, X, dz);
        },
        z0,
        [tStart, tEnd],
        {
          jac: (t, z, J) => {
            if (fd) fill(t, z, p, X);
            jacobian(t, z, p, W, X, J);
          },
          ...(code.sparsity && sparseJacobian
            ? {
                sparsity: code.sparsity,
                sparseJac: (t: number, z: Float64Array, V: Float64Array) => sparseJacobian(t, z, p, W, X, V),
                ...(options.linearSolver ? { linearSolver: options.linearSolver } : {}),
              }
            : {}),
        },
      );
      const atol = options.atol ?? 1e-10;
      const atolV = new Float64Array(N).fill(atol);
      for (let j = 0; j < k; j++) {
        const scale = Math.abs(pIn[wrt[j]]);
        if (scale > 0 && Number.isFinite(scale))
          for (let s = 0; s < n; s++) atolV[n + s * k + j] = atol / scale;
      }
      const sol = solve(problem, {
        ...(options.method !== undefined ? { method: options.method } : {}),
        rtol: options.rtol ?? 1e-6,
        atol: atolV,
        ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
        saveat,
        ...(events ? { events } : {}),
      });

      // Map saved rows onto saveat (a time saved twice around an event: the post-event row).
      const y = new Float64Array(nt * n).fill(Number.NaN);
      const S = new Float64Array(nt * n * k).fill(Number.NaN);
      const obs = new Float64Array(nt * no).fill(Number.NaN);
      const obsS = new Float64Array(nt * no * k).fill(Number.NaN);
      const zRow = new Float64Array(N);
      const out = new Float64Array(no);
      const outS = new Float64Array(no * k);
      let r = 0;
      const T = sol.t;
      for (let i = 0; i < nt; ) {
        const ti = saveat[i];
        let c = 1; // saveat may repeat a time
        while (i + c < nt && saveat[i + c] === ti) c++;
        while (r < T.length && T[r] < ti) r++;
        let m = 0; // rows saved at ti (more than c: pre-event copies come first)
        while (r + m < T.length && T[r + m] === ti) m++;
        if (m < c) break; // the solve stopped early: the rest stays NaN
        for (let q = 0; q < c; q++) {
          const row = r + m - c + q;
          const iq = i + q;
          for (let col = 0; col < N; col++) zRow[col] = sol.u[row * N + col];
          for (let s = 0; s < n; s++) y[iq * n + s] = zRow[s];
          for (let col = 0; col < n * k; col++) S[iq * n * k + col] = zRow[n + col];
          if (no > 0) {
            let pt = pStart;
            let Wt = WStart;
            for (const entry of pLog) {
              if (entry.t > ti) break;
              pt = entry.p;
              Wt = entry.W;
            }
            code.observe(ti, zRow, pt, Wt, out, outS);
            obs.set(out, iq * no);
            obsS.set(outS, iq * no * k);
          }
        }
        r += m;
        i += c;
      }
      return {
        time: saveat,
        stateIds: model.stateIds,
        wrt: wrtIds,
        observables: obsIds,
        y,
        S,
        obs,
        obsS,
        retcode: sol.retcode,
        message: sol.message,
        method: sol.method,
        stats: sol.stats,
      };
    },
  };
}
