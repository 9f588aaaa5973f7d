/**
 * Model-level entry point of the approximate engines (tau-leaping, hybrid; docs/hybrid.md), with the same
 * inputs and outputs as simulateStochastic (which runs the exact engines): N replicates, means, SDs and
 * quantiles at the save points in constant memory (EnsembleStats).
 *
 * Streams: replicate r draws from keys (seed, replicate r, purpose 'tau' | 'hybrid').
 * Model events (SBML events, dosing) are not executed by these engines: a model with events is refused
 * unless `events: 'ignore'` (then set the parameters the events would set through `params`).
 */
import { HybridSimulator, type PartitionMode } from '../numerics/hybrid/hybrid.js';
import { createStreamFactory, type Seed } from '../numerics/random/index.js';
import { EnsembleStats } from '../numerics/ssa/ensemble.js';
import { jumpProblem } from '../numerics/ssa/problem.js';
import { TauLeaping, type TauLeapOptions } from '../numerics/ssa/tau-leap.js';
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
  /** 'refuse' (default) or 'ignore' the model's events. */
  readonly events?: 'refuse' | 'ignore';
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
  if (compiled.events.length > 0 && (options.events ?? 'refuse') !== 'ignore')
    throw new Error(
      `simulateApproximate: the model has ${compiled.events.length} event(s), which the ${engine} engine does not execute; pass events: 'ignore' (and set their parameters through params) or use an exact engine`,
    );
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
  const record = (i: number, t: number): void => {
    compiled.observe(t, x, p, obs);
    for (let k = 0; k < pick.length; k++) row[k] = scale[k] < 0 ? obs[pick[k]] : obs[pick[k]] * obs[scale[k]];
    stats.add(i, row);
  };
  const factory = createStreamFactory(options.seed ?? 0);
  let firings = 0;
  if (engine === 'tau') {
    const tl = new TauLeaping(problem, options.tau);
    for (let rep = first; rep < first + R; rep++) {
      tl.reset(tStart, factory.stream({ replicate: rep, purpose: 'tau' }), y0);
      for (let i = 0; i < nSave; i++) {
        tl.advanceTo(saveTimes[i]);
        x.set(tl.x);
        record(i, saveTimes[i]);
      }
      firings += tl.stats.firings;
    }
  } else {
    const h = options.hybrid ?? {};
    const partition = compiled.stateIds.map((id) => h.partition?.[id] ?? 'auto');
    const sim = new HybridSimulator(problem, { ...h, partition });
    const tEval = saveTimes[0] === tStart ? saveTimes.subarray(1) : saveTimes;
    for (let rep = first; rep < first + R; rep++) {
      const res = sim.run(factory.stream({ replicate: rep, purpose: 'hybrid' }), tEval, tStart, y0);
      if (res.retcode !== 'Success') throw new Error(`simulateApproximate: replicate ${rep}: ${res.message}`);
      let i = 0;
      if (tEval !== saveTimes) {
        x.set(y0);
        record(i++, tStart);
      }
      for (let s = 0; s < res.t.length; s++) {
        x.set(res.u.subarray(s * nState, (s + 1) * nState));
        record(i++, res.t[s]);
      }
      firings += res.firings;
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
    eventCount: 0,
    column(id, what = 'mean') {
      const k = ids.indexOf(id);
      if (k < 0) throw new Error(`ApproximateResult: unknown id '${id}'; valid ids: ${ids.join(', ')}`);
      const src = what === 'sd' ? sd : mean;
      return Float64Array.from({ length: nSave }, (_, i) => src[i * nv + k]);
    },
  };
}
