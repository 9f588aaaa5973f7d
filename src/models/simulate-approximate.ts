/**
 * Model-level entry point of the approximate engines (tau-leaping, hybrid; docs/hybrid.md), with the same
 * inputs and outputs as simulateStochastic (which runs the exact engines): N replicates, means, SDs and
 * quantiles at the save points in constant memory (EnsembleStats).
 *
 * Streams: replicate r draws from keys (seed, replicate r, purpose 'tau' | 'hybrid').
 *
 * Model events (SBML events, dosing, therapy switches) run with the semantics of the exact engines
 * (`createModelEvents`: delays, priorities, persistence, useValuesFromTriggerTime, cascades; at a save point
 * the events due at that instant execute first, so the reported state is the post-event one):
 *  - tau: before each step every trigger relation is evaluated at both ends with the state held; one that
 *    switches in time gets its switching time located by bisection and the step is cut there, and delayed
 *    executions are step ends, so time events land exactly (also both ends of a window between two save
 *    points); state triggers are checked after every leap or exact step, and a leap that
 *    crossed one is cut at the firing that made it true (TauLeaping.refineLeap: binomial bisection of the
 *    leap's Poisson counts), so trigger times are resolved to a single firing, not to the leap.
 *  - hybrid: the triggers' relations join the ODE driver's indicators (root finding on the dense output for
 *    crossings by the continuous part); relations that depend on time only get their switching time
 *    located by bisection and scheduled as an exact stop (and are kept out of root finding); after each
 *    jump the relations are re-evaluated and a change is handed to the event set at the jump time.
 * `events: 'ignore'` skips them (then set what they would set through `params`).
 */
import { type HybridEvents, HybridSimulator, type PartitionMode } from '../numerics/hybrid/hybrid.js';
import type { EventContext } from '../numerics/ode/events.js';
import { createStreamFactory, type Seed } from '../numerics/random/index.js';
import { EnsembleStats } from '../numerics/ssa/ensemble.js';
import { jumpProblem } from '../numerics/ssa/problem.js';
import { TauLeaping, type TauLeapOptions } from '../numerics/ssa/tau-leap.js';
import type { CompiledModel } from './compile/compile.js';
import { createModelEvents } from './compile/events.js';
import { isConcentration } from './compile/state-layout.js';
import type { Model } from './ir.js';
import { prepareStochastic, type StochasticModel, type StochasticResult } from './simulate-stochastic.js';

export type ApproximateEngine = 'tau' | 'hybrid';

export interface ApproximateOptions {
  readonly engine: ApproximateEngine;
  readonly tStart?: number;
  readonly tEnd: number;
  /** Number of equal output intervals (default 100); `saveat` overrides. */
  readonly steps?: number;
  readonly saveat?: ArrayLike<number>;
  readonly seed?: Seed;
  readonly replicates?: number;
  readonly firstReplicate?: number;
  /** Observables to report (default: every non-rate observable). */
  readonly ids?: readonly string[];
  readonly quantiles?: readonly number[];
  readonly params?: Readonly<Record<string, number>>;
  /** 'execute' (default) or 'ignore' the model's events. */
  readonly events?: 'execute' | 'ignore';
  /** Tau-leaping options. */
  readonly tau?: TauLeapOptions;
  /** Hybrid thresholds, per-species partition by id (others 'auto'), ODE method and tolerances. */
  readonly hybrid?: {
    readonly low?: number;
    readonly high?: number;
    readonly partition?: Readonly<Record<string, PartitionMode>>;
    readonly method?: string;
    readonly rtol?: number;
    readonly atol?: number;
  };
}

export type ApproximateResult = Omit<StochasticResult, 'engine'> & { readonly engine: ApproximateEngine };

const isPrepared = (m: Model | StochasticModel): m is StochasticModel => 'reactions' in m && 'compiled' in m;

export function simulateApproximate(
  input: Model | StochasticModel,
  options: ApproximateOptions,
): ApproximateResult {
  const prepared = isPrepared(input) ? input : prepareStochastic(input);
  const { compiled, reactions } = prepared;
  const engine = options.engine;
  if (engine !== 'tau' && engine !== 'hybrid')
    throw new Error(`simulateApproximate: unknown engine '${engine}' (tau, hybrid)`);
  const eventMode = options.events ?? 'execute';
  if (eventMode !== 'execute' && eventMode !== 'ignore')
    throw new Error(`simulateApproximate: events must be 'execute' or 'ignore', got '${eventMode}'`);
  const withEvents = compiled.events.length > 0 && eventMode === 'execute';
  const tStart = options.tStart ?? 0;
  const { tEnd } = options;
  if (!(tEnd > tStart)) throw new Error(`simulateApproximate: tEnd ${tEnd} must be > tStart ${tStart}`);
  const R = options.replicates ?? 1;
  if (!Number.isInteger(R) || R < 1)
    throw new Error('simulateApproximate: replicates must be a positive integer');
  const first = options.firstReplicate ?? 0;
  let saveTimes: Float64Array;
  if (options.saveat) {
    saveTimes = Float64Array.from(options.saveat);
    for (let i = 0; i < saveTimes.length; i++)
      if (!(saveTimes[i] >= tStart && saveTimes[i] <= tEnd && (i === 0 || saveTimes[i] > saveTimes[i - 1])))
        throw new Error('simulateApproximate: saveat must be increasing and within [tStart, tEnd]');
  } else {
    const steps = Math.max(1, options.steps ?? 100);
    saveTimes = Float64Array.from({ length: steps + 1 }, (_, i) =>
      i === steps ? tEnd : tStart + ((tEnd - tStart) * i) / steps,
    );
  }
  const nSave = saveTimes.length;
  const p = compiled.p0.slice();
  const keep = new Uint8Array(p.length);
  for (const [id, value] of Object.entries(options.params ?? {})) {
    const j = compiled.parameterIds.indexOf(id);
    if (j < 0) throw new Error(`simulateApproximate: unknown parameter '${id}'`);
    p[j] = value;
    keep[j] = 1;
  }
  const y0 = compiled.initialState(p, keep, tStart);
  const pStart = p.slice(); // after overrides and initial assignments; events change p, reset per replicate
  const problem = jumpProblem({
    x0: y0,
    p,
    propensities: reactions.propensities,
    propensityInto: reactions.propensityInto,
    changes: reactions.changes,
    reads: reactions.reads,
    timeDependent: reactions.timeDependent,
    speciesNames: compiled.stateIds,
    reactionNames: reactions.names,
  });
  const allIds = compiled.observableIds;
  const ids = options.ids ?? allIds.filter((id) => !id.startsWith('rate:'));
  const pick = Int32Array.from(
    ids.map((id) => {
      const k = allIds.indexOf(id);
      if (k < 0) throw new Error(`simulateApproximate: unknown output '${id}'; valid: ${allIds.join(', ')}`);
      return k;
    }),
  );
  // Species whose symbol is a concentration are reported as amounts (as simulateStochastic does by default).
  const scale = new Int32Array(pick.length).fill(-1);
  ids.forEach((id, k) => {
    const sp = prepared.model.species.find((s) => s.id === id);
    if (sp && isConcentration(sp, prepared.model)) scale[k] = allIds.indexOf(sp.compartment);
  });
  const obs = new Float64Array(allIds.length);
  const row = new Float64Array(ids.length);
  const stats = new EnsembleStats(nSave, ids.length, options.quantiles ?? []);
  const nState = compiled.stateIds.length;
  const x = new Float64Array(nState);
  const record = (i: number, t: number, state: Float64Array): void => {
    compiled.observe(t, state, p, obs);
    for (let k = 0; k < pick.length; k++) row[k] = scale[k] < 0 ? obs[pick[k]] : obs[pick[k]] * obs[scale[k]];
    stats.add(i, row);
  };
  const factory = createStreamFactory(options.seed ?? 0);
  let firings = 0;
  let eventCount = 0;
  if (engine === 'tau') {
    const tl = new TauLeaping(problem, options.tau);
    const run = withEvents ? tauWithEvents(compiled, tl, p, saveTimes) : undefined;
    for (let rep = first; rep < first + R; rep++) {
      p.set(pStart);
      tl.reset(tStart, factory.stream({ replicate: rep, purpose: 'tau' }), y0);
      if (run) eventCount += run((i, t) => record(i, t, tl.x));
      else
        for (let i = 0; i < nSave; i++) {
          tl.advanceTo(saveTimes[i]);
          record(i, saveTimes[i], tl.x);
        }
      firings += tl.stats.firings;
    }
  } else {
    const h = options.hybrid ?? {};
    const partition = compiled.stateIds.map((id) => h.partition?.[id] ?? 'auto');
    const sim = new HybridSimulator(problem, { ...h, partition });
    const tEval = saveTimes[0] === tStart ? saveTimes.subarray(1) : saveTimes;
    // Parameters as they were at each time (events change p during the ODE solve; observables need them).
    const pLog: { t: number; p: Float64Array }[] = [];
    const ev = withEvents
      ? hybridModelEvents(compiled, p, tEnd, y0, (t) => pLog.push({ t, p: p.slice() }))
      : undefined;
    for (let rep = first; rep < first + R; rep++) {
      p.set(pStart);
      pLog.length = 0;
      const res = sim.run(
        factory.stream({ replicate: rep, purpose: 'hybrid' }),
        tEval,
        tStart,
        y0,
        ev?.events,
      );
      if (res.retcode !== 'Success') throw new Error(`simulateApproximate: replicate ${rep}: ${res.message}`);
      let i = 0;
      const pAt = (t: number): void => {
        let q: Float64Array = pStart;
        for (const e of pLog) {
          if (e.t <= t) q = e.p;
          else break;
        }
        p.set(q);
      };
      if (tEval !== saveTimes) {
        x.set(y0);
        pAt(tStart);
        record(i++, tStart, x);
      }
      for (let s = 0; s < res.t.length; s++) {
        x.set(res.u.subarray(s * nState, (s + 1) * nState));
        pAt(res.t[s]);
        record(i++, res.t[s], x);
      }
      firings += res.firings;
      if (ev) eventCount += ev.executed();
    }
  }
  const nv = ids.length;
  const mean = new Float64Array(nSave * nv);
  const sd = new Float64Array(nSave * nv);
  const kurtosis = new Float64Array(nSave * nv);
  const qs = stats.probabilities;
  const quantiles = Array.from(qs, (q) => ({ p: q, values: new Float64Array(nSave * nv) }));
  for (let i = 0; i < nSave; i++)
    for (let k = 0; k < nv; k++) {
      mean[i * nv + k] = stats.mean(i, k);
      sd[i * nv + k] = stats.sd(i, k);
      kurtosis[i * nv + k] = stats.excessKurtosis(i, k);
      for (let q = 0; q < qs.length; q++) quantiles[q].values[i * nv + k] = stats.quantile(i, k, q);
    }
  return {
    engine,
    ids,
    time: saveTimes,
    replicates: R,
    mean,
    sd,
    kurtosis,
    quantiles,
    firings,
    eventCount,
    column(id, what = 'mean') {
      const k = ids.indexOf(id);
      if (k < 0) throw new Error(`ApproximateResult: unknown id '${id}'; valid ids: ${ids.join(', ')}`);
      const src = what === 'sd' ? sd : mean;
      return Float64Array.from({ length: nSave }, (_, i) => src[i * nv + k]);
    },
  };
}

/**
 * The tau-leaping loop of one replicate with model events (same structure as simulate-stochastic.ts). Returns
 * a function that runs the replicate (engine already reset), calling `save(i, t)` at each save point, and
 * returns the number of event executions.
 */
function tauWithEvents(
  compiled: CompiledModel,
  tl: TauLeaping,
  p: Float64Array,
  saveTimes: Float64Array,
): (save: (i: number, t: number) => void) => number {
  const nEv = compiled.events.length;
  const evSet = createModelEvents(compiled, p);
  const triggers = compiled.eventTriggers;
  const gPrev = new Float64Array(nEv);
  const gNew = new Float64Array(nEv);
  const gTmp = new Float64Array(nEv);
  const fired = new Int32Array(nEv);
  const rising = new Uint8Array(nEv);
  const scheduled: { t: number; tag: number }[] = [];
  const x = tl.x;
  const relValues = compiled.relationValues;
  const nRel = compiled.relationEvent.length;
  const rNow = new Float64Array(nRel);
  const rEnd = new Float64Array(nRel);
  const rMid = new Float64Array(nRel);
  const ctx = {
    t: 0,
    y: x,
    terminate(): void {},
    schedule(tAt: number, tag: number): void {
      let i = scheduled.length;
      while (i > 0 && scheduled[i - 1].t > tAt) i--;
      scheduled.splice(i, 0, { t: tAt, tag });
    },
  };
  const differs = (g: Float64Array): boolean => {
    for (let k = 0; k < nEv; k++) if ((g[k] !== 0) !== (gPrev[k] !== 0)) return true;
    return false;
  };
  /** Some trigger differs from its latched-side value at (t, y). */
  const changedAt = (t: number, y: Float64Array): boolean => {
    triggers(t, y, p, gTmp);
    return differs(gTmp);
  };
  const handleChanges = (): void => {
    let nf = 0;
    for (let k = 0; k < nEv; k++) {
      const now = gNew[k] !== 0;
      if (now !== (gPrev[k] !== 0)) {
        fired[nf] = k;
        rising[nf] = now ? 1 : 0;
        nf++;
      }
    }
    evSet.handle(ctx, fired, rising, nf);
    triggers(ctx.t, x, p, gPrev);
  };
  const nSave = saveTimes.length;
  return (save) => {
    tl.watch = changedAt;
    let t = tl.t;
    let iSave = 0;
    scheduled.length = 0;
    ctx.t = t;
    evSet.start!(ctx);
    triggers(t, x, p, gPrev);
    while (iSave < nSave) {
      let tStop = saveTimes[iSave];
      if (scheduled.length > 0 && scheduled[0].t <= tStop) tStop = scheduled[0].t;
      // A relation of a trigger that switches with time while the state is held (`time >= 5`, either end of
      // a window `time >= 4 && time < 4.5`): cut the step at the earliest such switch, located by bisection.
      if (tStop > t && nRel > 0) {
        relValues(t, x, p, rNow);
        relValues(tStop, x, p, rEnd);
        for (let r = 0; r < nRel; r++) {
          if (rNow[r] === rEnd[r]) continue;
          let lo = t;
          let hi = tStop;
          for (let it = 0; it < 200; it++) {
            const mid = lo + 0.5 * (hi - lo);
            if (!(mid > lo && mid < hi)) break;
            relValues(mid, x, p, rMid);
            if (rMid[r] !== rNow[r]) hi = mid;
            else lo = mid;
          }
          if (hi < tStop) tStop = hi;
        }
      }
      if (t < tStop) {
        tl.step(tStop);
        triggers(tl.t, x, p, gNew);
        if (differs(gNew) && tl.refineLeap(changedAt)) triggers(tl.t, x, p, gNew);
        t = tl.t;
        if (differs(gNew)) {
          ctx.t = t;
          handleChanges();
          continue;
        }
        if (t < tStop) continue;
      }
      // t === tStop: delayed executions due now, then the save point (post-event state).
      if (scheduled.length > 0 && scheduled[0].t <= t) {
        const s = scheduled.shift()!;
        ctx.t = t;
        evSet.onTime!(ctx, s.tag);
        triggers(t, x, p, gPrev);
        continue;
      }
      if (t === saveTimes[iSave]) {
        save(iSave, t);
        iSave++;
      }
    }
    tl.watch = null;
    return evSet.executed.length;
  };
}

/**
 * Model events for the hybrid engine: the model's event set over the triggers' relations (as the ODE path
 * uses it), plus exact stops at the switching times of relations that depend on time only, plus the check
 * after each jump.
 */
function hybridModelEvents(
  compiled: CompiledModel,
  p: Float64Array,
  tEnd: number,
  y0: Float64Array,
  onExecute: (t: number) => void,
): { events: HybridEvents; executed: () => number } {
  const model = createModelEvents(compiled, p, { perRelation: true, onExecute: (t) => onExecute(t) });
  const nRel = compiled.relationEvent.length;
  const relValues = compiled.relationValues;
  // Time-only relations: indicators unchanged when the state is moved (probed at two distant states).
  const timeOnly = new Uint8Array(nRel);
  {
    const n = y0.length;
    const ya = new Float64Array(n);
    const yb = new Float64Array(n);
    const yc = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ya[i] = y0[i];
      yb[i] = 1.37 * y0[i] + 3.1;
      yc[i] = 0.41 * y0[i] + 17.3 + i;
    }
    const ga = new Float64Array(nRel);
    const gb = new Float64Array(nRel);
    const gc = new Float64Array(nRel);
    compiled.relationIndicators(0, ya, p, ga);
    compiled.relationIndicators(0, yb, p, gb);
    compiled.relationIndicators(0, yc, p, gc);
    for (let r = 0; r < nRel; r++) timeOnly[r] = ga[r] === gb[r] && ga[r] === gc[r] ? 1 : 0;
  }
  const anyTimeOnly = timeOnly.some((v) => v === 1);
  const rA = new Float64Array(nRel);
  const rB = new Float64Array(nRel);
  const rNow = new Float64Array(nRel);
  const rEnd = new Float64Array(nRel);
  const rMid = new Float64Array(nRel);
  const fired = new Int32Array(nRel);
  const rising = new Uint8Array(nRel);
  const stopAt = new Float64Array(nRel).fill(Number.NaN);
  const TIME_SWITCH = -1;
  /** Schedule the next switch of each time-only relation (state held; exact for time-only ones). */
  const scheduleSwitches = (ctx: EventContext): void => {
    if (!anyTimeOnly || !(ctx.t < tEnd)) return;
    relValues(ctx.t, ctx.y, p, rNow);
    relValues(tEnd, ctx.y, p, rEnd);
    for (let r = 0; r < nRel; r++) {
      if (!timeOnly[r] || rNow[r] === rEnd[r]) continue;
      let lo = ctx.t;
      let hi = tEnd;
      for (let it = 0; it < 200; it++) {
        const mid = lo + 0.5 * (hi - lo);
        if (!(mid > lo && mid < hi)) break;
        relValues(mid, ctx.y, p, rMid);
        if (rMid[r] !== rNow[r]) hi = mid;
        else lo = mid;
      }
      if (stopAt[r] !== hi) {
        stopAt[r] = hi;
        ctx.schedule(hi, TIME_SWITCH);
      }
    }
  };
  /** Hand the relations that differ between rA (before) and rB (now) to the model's event set. */
  const handleDiff = (ctx: EventContext): void => {
    let nf = 0;
    for (let r = 0; r < nRel; r++)
      if ((rA[r] !== 0) !== (rB[r] !== 0)) {
        fired[nf] = r;
        rising[nf] = rB[r] !== 0 ? 1 : 0;
        nf++;
      }
    if (nf > 0) {
      model.handle(ctx, fired, rising, nf);
      scheduleSwitches(ctx);
    }
  };
  /** Relation values as last seen by the events (for the time-switch stops). */
  const seen = new Float64Array(nRel);
  const events: HybridEvents = {
    count: model.count,
    directions: model.directions,
    indicators(t, y, out) {
      model.indicators(t, y, out);
      // time-only relations are handled by the exact stops below, not by root finding (a root of theirs
      // located exactly on a scheduled stop would otherwise race with it)
      for (let r = 0; r < nRel; r++) if (timeOnly[r]) out[r] = -1;
    },
    start(ctx) {
      stopAt.fill(Number.NaN);
      model.start!(ctx);
      relValues(ctx.t, ctx.y, p, seen);
      scheduleSwitches(ctx);
    },
    handle(ctx, f, r, nf) {
      model.handle(ctx, f, r, nf);
      relValues(ctx.t, ctx.y, p, seen);
      scheduleSwitches(ctx);
    },
    onTime(ctx, tag) {
      if (tag !== TIME_SWITCH) {
        model.onTime!(ctx, tag);
        relValues(ctx.t, ctx.y, p, seen);
        scheduleSwitches(ctx);
        return;
      }
      // a time-only relation switches now: hand over every relation that differs from what was seen
      rA.set(seen);
      relValues(ctx.t, ctx.y, p, rB);
      for (let r = 0; r < nRel; r++) if (!timeOnly[r]) rB[r] = rA[r];
      handleDiff(ctx);
      relValues(ctx.t, ctx.y, p, seen);
    },
    afterJump(ctx, yBefore) {
      relValues(ctx.t, yBefore, p, rA);
      relValues(ctx.t, ctx.y, p, rB);
      handleDiff(ctx);
      relValues(ctx.t, ctx.y, p, seen);
    },
  };
  return { events, executed: () => model.executed.length };
}
