/**
 * simulateStochastic: exact stochastic simulation of a model (Gillespie's direct method or the Gibson-Bruck
 * next-reaction method), one trajectory or an ensemble of N replicates summarised at the save points by mean,
 * SD and optional quantiles in memory independent of N.
 *
 * Reproducibility: replicate r draws only from the stream keyed (seed, replicate r, purpose 'ssa'), so a
 * replicate's trajectory does not depend on how replicates are split across workers or in which order they
 * run (`firstReplicate` selects a slice).
 *
 * Events (SBML semantics through `createModelEvents`: delays, priorities, persistence, cascades) are exact:
 * between reactions the state is constant, so
 *  - triggers are re-evaluated after every reaction (state triggers fire at the reaction that makes them true);
 *  - before every reaction (and every stop: save point or scheduled event time) the triggers are evaluated at
 *    the would-be time with the current state; if one changed, the switching time is located by bisection on
 *    the boolean trigger (to the last bit) and the event fires there, the pending reaction draw being
 *    discarded and redrawn after the event, which is exact by memorylessness. A trigger that switches on and
 *    off again within one inter-reaction interval without being seen at either end is missed (this needs a
 *    non-monotone function of time).
 *  - At a save point the events due at that time execute first: the reported state is the post-event one
 *    (the convention of the SBML test suite, e.g. DSMTS 002-09 reports X = 50 at t = 25 for `t >= 25`).
 * Species are counts; reported values are the model's observables, with species as amounts by default
 * (`species: 'symbol'` reports concentration species as concentrations, as `simulateModel` does).
 */
import { createStreamFactory, type Seed } from '../numerics/random/index.js';
import { DirectMethod } from '../numerics/ssa/direct.js';
import { EnsembleStats } from '../numerics/ssa/ensemble.js';
import { NextReactionMethod } from '../numerics/ssa/next-reaction.js';
import { type JumpProblem, jumpProblem, type SsaEngine } from '../numerics/ssa/problem.js';
import { type CompiledModel, compileModel } from './compile/compile.js';
import { createModelEvents } from './compile/events.js';
import { compilePropensities, type StochasticReactions } from './compile/propensities.js';
import { isConcentration } from './compile/state-layout.js';
import type { Model } from './ir.js';

export type StochasticEngine = 'ssa' | 'nrm';

export interface StochasticOptions {
  /** 'ssa': sorting direct method (default); 'nrm': next-reaction method. */
  readonly engine?: StochasticEngine;
  readonly tStart?: number;
  readonly tEnd: number;
  /** Number of equal output intervals (steps + 1 save points). Default 100. */
  readonly steps?: number;
  /** Save times (increasing, within [tStart, tEnd]); overrides `steps`. */
  readonly saveat?: ArrayLike<number>;
  /** Run seed (default 0). */
  readonly seed?: Seed;
  /** Number of replicates (default 1). */
  readonly replicates?: number;
  /** Index of the first replicate (default 0): replicates firstReplicate .. firstReplicate + replicates - 1. */
  readonly firstReplicate?: number;
  /** Observables to report (default: every species, compartment and parameter observable). */
  readonly ids?: readonly string[];
  /**
   * 'amount' (default): species are reported as amounts (molecule counts, what the exact engines simulate),
   * also those whose symbol means a concentration; 'symbol': as their symbol means (SBML reporting, as
   * `simulateModel` does).
   */
  readonly species?: 'amount' | 'symbol';
  /** Quantile probabilities to estimate (P-squared), e.g. [0.05, 0.5, 0.95]. */
  readonly quantiles?: readonly number[];
  /** Overrides of parameter-vector entries by id. */
  readonly params?: Readonly<Record<string, number>>;
  /** Safety limit on reactions per replicate (default 1e9). */
  readonly maxFirings?: number;
  /** Direct method: longest quadrature sub-interval for time-dependent propensities (default (tEnd - tStart)/1000). */
  readonly hazardStep?: number;
  /** Called after each replicate with its index (progress). */
  readonly onReplicate?: (replicate: number) => void;
}

export interface StochasticResult {
  readonly engine: StochasticEngine;
  readonly ids: readonly string[];
  readonly time: Float64Array;
  readonly replicates: number;
  /** Row-major (time x ids): the ensemble mean; with one replicate, the trajectory itself. */
  readonly mean: Float64Array;
  /** Row-major sample SD (divisor N - 1); NaN with one replicate. */
  readonly sd: Float64Array;
  /** Row-major sample excess kurtosis (tells how far the SD's sampling law is from normal-theory). */
  readonly kurtosis: Float64Array;
  /** One row-major array per requested probability. */
  readonly quantiles: readonly { readonly p: number; readonly values: Float64Array }[];
  /** Reactions fired, over all replicates. */
  readonly firings: number;
  /** Events executed, over all replicates. */
  readonly eventCount: number;
  column(id: string, what?: 'mean' | 'sd'): Float64Array;
}

/** A model prepared once for many stochastic runs. */
export interface StochasticModel {
  readonly model: Model;
  readonly compiled: CompiledModel;
  readonly reactions: StochasticReactions;
}

export function prepareStochastic(model: Model): StochasticModel {
  for (const r of model.rules)
    if (r.kind === 'rate')
      throw new Error(
        `stochastic simulation: rate rule for '${r.variable}' is not supported by the exact engines (continuous dynamics need the hybrid engine)`,
      );
  const compiled = compileModel(model, { noJacobian: true });
  return { model, compiled, reactions: compilePropensities(model, compiled) };
}

const isPrepared = (m: Model | StochasticModel): m is StochasticModel => 'reactions' in m && 'compiled' in m;

export function simulateStochastic(
  input: Model | StochasticModel,
  options: StochasticOptions,
): StochasticResult {
  const prepared = isPrepared(input) ? input : prepareStochastic(input);
  const { compiled, reactions } = prepared;
  const engineName = options.engine ?? 'ssa';
  if (engineName !== 'ssa' && engineName !== 'nrm')
    throw new Error(`simulateStochastic: unknown engine '${engineName}' (ssa, nrm)`);
  const tStart = options.tStart ?? 0;
  const { tEnd } = options;
  if (!(tEnd >= tStart)) throw new Error(`simulateStochastic: tEnd ${tEnd} must be >= tStart ${tStart}`);
  const R = options.replicates ?? 1;
  if (!Number.isInteger(R) || R < 1)
    throw new Error(`simulateStochastic: replicates must be a positive integer`);
  const first = options.firstReplicate ?? 0;
  const maxFirings = options.maxFirings ?? 1e9;

  // Save times.
  let saveTimes: Float64Array;
  if (options.saveat) {
    saveTimes = Float64Array.from(options.saveat);
    for (let i = 0; i < saveTimes.length; i++)
      if (!(saveTimes[i] >= tStart && saveTimes[i] <= tEnd && (i === 0 || saveTimes[i] > saveTimes[i - 1])))
        throw new Error('simulateStochastic: saveat must be increasing and within [tStart, tEnd]');
  } else {
    const steps = Math.max(1, options.steps ?? 100);
    saveTimes = new Float64Array(steps + 1);
    for (let i = 0; i <= steps; i++)
      saveTimes[i] = i === steps ? tEnd : tStart + ((tEnd - tStart) * i) / steps;
  }
  const nSave = saveTimes.length;

  // Parameters and initial state.
  const p = compiled.p0.slice();
  const keep = new Uint8Array(p.length);
  for (const [id, value] of Object.entries(options.params ?? {})) {
    const j = compiled.parameterIds.indexOf(id);
    if (j < 0) throw new Error(`simulateStochastic: unknown parameter '${id}'`);
    p[j] = value;
    keep[j] = 1;
  }
  const y0 = compiled.initialState(p, keep, tStart);
  const pStart = p.slice();

  const problem: JumpProblem = jumpProblem({
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
  const engine: SsaEngine =
    engineName === 'nrm'
      ? new NextReactionMethod(problem, { horizon: tEnd })
      : new DirectMethod(problem, {
          horizon: tEnd,
          hazardStep: options.hazardStep ?? (tEnd > tStart ? (tEnd - tStart) / 1000 : 1),
        });
  const x = engine.x;

  // Observables to report.
  const allIds = compiled.observableIds;
  const ids = options.ids ?? allIds.filter((id) => !id.startsWith('rate:'));
  const pick = Int32Array.from(
    ids.map((id) => {
      const k = allIds.indexOf(id);
      if (k < 0) throw new Error(`simulateStochastic: unknown output '${id}'; valid: ${allIds.join(', ')}`);
      return k;
    }),
  );
  // Species whose symbol is a concentration are scaled back to amounts by their compartment's size.
  const scale = new Int32Array(pick.length).fill(-1);
  if ((options.species ?? 'amount') === 'amount')
    ids.forEach((id, k) => {
      const sp = prepared.model.species.find((s) => s.id === id);
      if (sp && isConcentration(sp, prepared.model)) scale[k] = allIds.indexOf(sp.compartment);
    });
  const obs = new Float64Array(allIds.length);
  const row = new Float64Array(ids.length);
  const stats = new EnsembleStats(nSave, ids.length, options.quantiles ?? []);
  const record = (i: number, t: number): void => {
    compiled.observe(t, x, p, obs);
    for (let k = 0; k < pick.length; k++) row[k] = scale[k] < 0 ? obs[pick[k]] : obs[pick[k]] * obs[scale[k]];
    stats.add(i, row);
  };

  // Events.
  const nEv = compiled.events.length;
  const evSet = nEv > 0 ? createModelEvents(compiled, p) : undefined;
  const gPrev = new Float64Array(nEv);
  const gNew = new Float64Array(nEv);
  const fired = new Int32Array(nEv);
  const rising = new Uint8Array(nEv);
  const scheduled: { t: number; tag: number }[] = [];
  let terminated = false;
  const ctx = {
    t: tStart,
    y: x,
    terminate(): void {
      terminated = true;
    },
    schedule(tAt: number, tag: number): void {
      let i = scheduled.length;
      while (i > 0 && scheduled[i - 1].t > tAt) i--;
      scheduled.splice(i, 0, { t: tAt, tag });
    },
  };
  const triggers = compiled.eventTriggers;
  const differs = (): boolean => {
    for (let k = 0; k < nEv; k++) if ((gNew[k] !== 0) !== (gPrev[k] !== 0)) return true;
    return false;
  };
  /** Hand the changed triggers (gNew vs gPrev) at ctx.t to the event set; refresh the engine. */
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
    evSet!.handle(ctx, fired, rising, nf);
    engine.refresh();
    triggers(ctx.t, x, p, gPrev);
  };

  let totalFirings = 0;
  let eventCount = 0;
  // The prefix (seed, purpose 'ssa') is hashed once; each replicate adds its index. Same keys as
  // stream({ replicate, purpose: 'ssa' }) (record labels are sorted: purpose < replicate).
  const factory = createStreamFactory(options.seed ?? 0).child({ purpose: 'ssa' });
  for (let rep = first; rep < first + R; rep++) {
    p.set(pStart);
    engine.reset(tStart, factory.stream({ replicate: rep }), y0);
    let t = tStart;
    let iSave = 0;
    terminated = false;
    scheduled.length = 0;
    if (evSet) {
      ctx.t = t;
      evSet.start!(ctx);
      engine.refresh();
      triggers(t, x, p, gPrev);
    }
    while (iSave < nSave && !terminated) {
      const tn = engine.peek();
      let tStop = saveTimes[iSave];
      let sched = false;
      if (scheduled.length > 0 && scheduled[0].t <= tStop) {
        tStop = scheduled[0].t;
        sched = true;
      }
      if (evSet) {
        // A trigger that turns with time while the state is constant: locate the switch and fire there.
        const tc = Math.min(tn, tStop);
        triggers(tc, x, p, gNew);
        if (differs()) {
          let lo = t;
          let hi = tc;
          for (let it = 0; it < 200; it++) {
            const mid = lo + 0.5 * (hi - lo);
            if (!(mid > lo && mid < hi)) break;
            triggers(mid, x, p, gNew);
            if (differs()) hi = mid;
            else lo = mid;
          }
          engine.advanceTo(hi);
          t = hi;
          ctx.t = t;
          triggers(t, x, p, gNew);
          handleChanges();
          continue;
        }
      }
      if (tn < tStop) {
        engine.fire();
        t = tn;
        if (engine.firings > maxFirings)
          throw new Error(
            `simulateStochastic: more than ${maxFirings} reactions in replicate ${rep} (t = ${t})`,
          );
        if (evSet) {
          triggers(t, x, p, gNew);
          if (differs()) {
            ctx.t = t;
            handleChanges();
          }
        }
        continue;
      }
      engine.advanceTo(tStop);
      t = tStop;
      if (sched) {
        const s = scheduled.shift()!;
        ctx.t = t;
        evSet!.onTime!(ctx, s.tag);
        engine.refresh();
        triggers(t, x, p, gPrev);
        continue;
      }
      record(iSave, t);
      iSave++;
    }
    for (; iSave < nSave; iSave++) record(iSave, t);
    totalFirings += engine.firings;
    if (evSet) eventCount += evSet.executed.length;
    options.onReplicate?.(rep);
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
    engine: engineName,
    ids,
    time: saveTimes,
    replicates: R,
    mean,
    sd,
    kurtosis,
    quantiles,
    firings: totalFirings,
    eventCount,
    column(id, what = 'mean') {
      const k = ids.indexOf(id);
      if (k < 0) throw new Error(`StochasticResult: unknown id '${id}'; valid ids: ${ids.join(', ')}`);
      const src = what === 'sd' ? sd : mean;
      const col = new Float64Array(nSave);
      for (let i = 0; i < nSave; i++) col[i] = src[i * nv + k];
      return col;
    },
  };
}
