/**
 * `npx tsx bench/hybrid.ts [--runs N] [--method M] [--rtol r]`: wall time of the hybrid engine
 * (src/numerics/hybrid) on the Michor et al. 2005 reference model with resistance mutation (u = 4e-8) over
 * ten simulated years (3650 days), imatinib from day 0 by the model's own time event (executed by the
 * engine, through simulateApproximate). The resistant stem cells z0 start at 0 and are 'auto' (discrete
 * below the thresholds, so the mutation Mz0 at rate ry*u*y0 and z0's own births and deaths are jumps until
 * z0 exceeds `high`); every other species is continuous. Goal (issue 4): under 50 ms per run. Also prints
 * the engine alone (imatinib set as a parameter, no event machinery) for comparison, and the tau-leaping
 * speed on a birth-death model.
 */
import { loadReferenceModel } from '../src/knowledge/reference-models.js';
import { simulateApproximate } from '../src/models/simulate-approximate.js';
import { prepareStochastic } from '../src/models/simulate-stochastic.js';
import { HybridSimulator, hybridStream, type PartitionMode } from '../src/numerics/hybrid/index.js';
import { createStreamFactory } from '../src/numerics/random/index.js';
import { DirectMethod } from '../src/numerics/ssa/direct.js';
import { jumpProblem } from '../src/numerics/ssa/problem.js';
import { TauLeaping } from '../src/numerics/ssa/tau-leap.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('runs') ?? 200);

const { model } = loadReferenceModel('michor2005');
const prep = prepareStochastic(model);
const { compiled, reactions } = prep;
const p = compiled.p0.slice();
p[compiled.parameterIds.indexOf('imatinib')] = 1;
const x0 = compiled.initialState(p, new Uint8Array(p.length), 0);
const problem = jumpProblem({
  x0,
  p,
  propensities: reactions.propensities,
  propensityInto: reactions.propensityInto,
  changes: reactions.changes,
  reads: reactions.reads,
  timeDependent: reactions.timeDependent,
  speciesNames: compiled.stateIds,
  reactionNames: reactions.names,
});
const partition: PartitionMode[] = compiled.stateIds.map((id) => (id === 'z0' ? 'auto' : 'continuous'));
const sim = new HybridSimulator(problem, {
  partition,
  low: 100,
  high: 200,
  method: arg('method') ?? 'auto',
  rtol: Number(arg('rtol') ?? 1e-6),
  atol: 1e-3,
});
const saveat = Float64Array.from({ length: 11 }, (_, k) => 365 * k);
const iz0 = compiled.stateIds.indexOf('z0');
const iy0 = compiled.stateIds.indexOf('y0');
for (let r = 0; r < 10; r++) sim.run(hybridStream(1, 10_000 + r), saveat); // warm-up
let firings = 0;
let withMutant = 0;
let z0sum = 0;
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let r = 0; r < RUNS; r++) {
  const res = sim.run(hybridStream(1, r), saveat);
  if (res.retcode !== 'Success') throw new Error(`run ${r}: ${res.retcode} ${res.message}`);
  firings += res.firings;
  const z = res.u[10 * compiled.stateIds.length + iz0];
  if (z > 0) withMutant++;
  z0sum += z;
}
const ms = (performance.now() - t0) / RUNS;
const cpu = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000 / RUNS; // ms per run
const msCpu = cpu(process.cpuUsage(c0));
console.log(
  `hybrid engine alone, Michor 2005 (u = 4e-8, 10 years, imatinib as a parameter): ${ms.toFixed(2)} ms/run wall, ${msCpu.toFixed(2)} ms CPU, over ${RUNS} runs ` +
    `(goal < 50 ms); ${(firings / RUNS).toFixed(1)} jumps/run; P(z0(10y) > 0) = ${(withMutant / RUNS).toFixed(3)}; ` +
    `mean z0(10y) = ${(z0sum / RUNS).toFixed(1)}; y0(0) = ${x0[iy0].toExponential(2)}`,
);

// The same through the model layer, with the imatinib start executed as the model's time event.
const hybridOptions = {
  engine: 'hybrid' as const,
  tEnd: 3650,
  saveat,
  seed: 1,
  ids: ['z0'],
  hybrid: {
    partition: Object.fromEntries(compiled.stateIds.map((id, i) => [id, partition[i]])),
    low: 100,
    high: 200,
    method: arg('method') ?? 'auto',
    rtol: Number(arg('rtol') ?? 1e-6),
    atol: 1e-3,
  },
};
simulateApproximate(prep, { ...hybridOptions, replicates: 10, firstReplicate: 10_000 }); // warm-up
const t1 = performance.now();
const c1 = process.cpuUsage();
const withEvents = simulateApproximate(prep, { ...hybridOptions, replicates: RUNS });
const msEv = (performance.now() - t1) / RUNS;
const msEvCpu = cpu(process.cpuUsage(c1));
console.log(
  `hybrid with model events (simulateApproximate), Michor 2005, 10 years: ${msEv.toFixed(2)} ms/run wall, ${msEvCpu.toFixed(2)} ms CPU, over ${RUNS} runs ` +
    `(goal < 50 ms); ${(withEvents.firings / RUNS).toFixed(1)} jumps/run; ${withEvents.eventCount / RUNS} event/run; ` +
    `mean z0(10y) = ${withEvents.column('z0')[10].toFixed(1)}`,
);

// Tau-leaping vs the exact direct method on 0 -> X (1e4), X -> 0 (x), 10 time units (about 2e5 reactions).
const bd = jumpProblem({
  x0: [0],
  p: Float64Array.of(1e4, 1),
  propensities: [(_t, _x, q) => q[0], (_t, x, q) => q[1] * x[0]],
  changes: [[[0, 1]], [[0, -1]]],
  reads: [[], [0]],
});
const f = createStreamFactory(2);
const R = 50;
let s = performance.now();
const tl = new TauLeaping(bd);
let leaps = 0;
for (let r = 0; r < R; r++) {
  tl.reset(0, f.stream({ replicate: r, purpose: 'tau' }));
  tl.advanceTo(10);
  leaps += tl.stats.leaps;
}
const tauMs = (performance.now() - s) / R;
s = performance.now();
const dm = new DirectMethod(bd);
for (let r = 0; r < R; r++) {
  dm.reset(0, f.stream({ replicate: r, purpose: 'ssa' }));
  while (dm.peek() <= 10) dm.fire();
}
const ssaMs = (performance.now() - s) / R;
console.log(
  `tau-leaping birth-death (1e4 births per unit, 10 units): ${tauMs.toFixed(2)} ms/run (${(leaps / R).toFixed(0)} leaps) ` +
    `vs direct method ${ssaMs.toFixed(2)} ms/run`,
);
