/**
 * Calibration of the blast-crisis route to the imatinib arm's progression (issue #6; docs/niche-model.md §2.7).
 *
 *   npx tsx scripts/calibrate-progression.ts [--patients M] [--untreated-patients U] [--seed S] [--max-evals E]
 *       [--from u_bc,r_bc,T_bc_pre,phi_bc] [--sigma F] [--at u_bc,r_bc,T_bc_pre,phi_bc] [--out FILE]
 *
 * `--from` starts the search there (default: the knowledge base's values), `--sigma` is CMA-ES's initial step as a
 * fraction of each (transformed) range (default 0.2); `--at` evaluates one point.
 *
 * Parameters (all assumed, A, in the knowledge base): u_bc (event probability per LSC division), r_bc (net growth of
 * blast-crisis cells), T_bc_pre (preclinical window at the diagnosis burden over which founders accrue before
 * diagnosis) and phi_bc (share of events whose blasts no longer depend on BCR-ABL kinase activity).
 *
 * Objective: binomial deviance of the IRIS imatinib arm's annual AP/BC rates, years 1-7 (data/knowledge/trials.yaml,
 * iris.imatinib.ap-bc-annual-y1..7, n = 553 each: the published rates carry no at-risk numbers, so n is the arm's
 * size, an upper bound on the information), against the model's conditional Kaplan-Meier annual rates on M
 * virtual patients of the validation cohort (imatinib 400 mg QD, src/cohort/validation.ts), plus the untreated
 * natural history as a constraint: ((median time to blast crisis - m)/s)^2 with m the knowledge base's median
 * chronic-phase duration (clinical.natural_history.cp_median_years) and s a quarter of its range. Everything else
 * (other drugs, stopping) is predicted. Common random numbers: patient k's draws come from its keyed streams at
 * every evaluation. Optimiser: CMA-ES (src/fitting/cmaes.ts) in the parameters' knowledge-base ranges (narrowed
 * where stated). Writes a JSON record (default runs/calibration/progression-imatinib.json, atomic).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { kaplanMeier, medianTime, valueAt } from '../src/cohort/km.js';
import type { PatientOutcome } from '../src/cohort/outcome.js';
import { prepareCohort, simulatePatient } from '../src/cohort/program.js';
import { eventData } from '../src/cohort/summary.js';
import { COHORT_SCENARIOS } from '../src/cohort/validation.js';
import { cmaes } from '../src/fitting/cmaes.js';
import type { ParameterSpec } from '../src/fitting/transform.js';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { parseScenario } from '../src/scenario/load.js';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const M = Number(arg('--patients') ?? 400);
const U = Number(arg('--untreated-patients') ?? 200);
const seed = Number(arg('--seed') ?? 20261127);
const maxEvals = Number(arg('--max-evals') ?? 60);
const sigma0 = Number(arg('--sigma') ?? 0.2);
if (!(sigma0 > 0 && sigma0 < 1))
  throw new RangeError(`--sigma: expected a fraction in (0, 1), got ${arg('--sigma')}`);
const out = resolve(arg('--out') ?? resolve(ROOT, 'runs/calibration/progression-imatinib.json'));
/** The command-line arguments with --out repository-relative, or dropped when it lies outside the repository. */
function recordedArgs(): string[] {
  const a = process.argv.slice(2);
  const i = a.indexOf('--out');
  if (i < 0) return a;
  const rel = relative(ROOT, out);
  const rest = [...a.slice(0, i), ...a.slice(i + 2)];
  return rel.startsWith('..') || isAbsolute(rel) ? rest : [...rest, '--out', rel];
}
const log = (s: string) => process.stderr.write(`${s}\n`);

const kb = loadKnowledgeBase();
const NAMES = ['u_bc', 'r_bc', 'T_bc_pre', 'phi_bc'] as const;
const KEYS = [
  'niche.bc.event_probability',
  'niche.bc.growth_rate',
  'niche.bc.preclinical_months',
  'niche.bc.tki_insensitive_fraction',
];
// Search boxes inside the KB ranges, narrowed where the ranges span more than the data can use: u_bc's three
// decades to where the untreated course stays within years (3e-9..2e-7), r_bc's 0.2..3 per month to 0.3..1.5 (ln(3e9)/r
// between 1.2 and 6 years to 10 % blasts), phi_bc to 0.005..0.8; T_bc_pre keeps its KB range.
const tPre = kb.parameter('niche.bc.preclinical_months').range ?? [0, 30];
const specs: ParameterSpec[] = [
  { name: 'u_bc', lo: 3e-9, hi: 2e-7, scale: 'log' },
  { name: 'r_bc', lo: 0.3, hi: 1.5, scale: 'linear' },
  { name: 'T_bc_pre', lo: tPre[0], hi: tPre[1], scale: 'linear' },
  { name: 'phi_bc', lo: 0.005, hi: 0.8, scale: 'log' },
];

const iris = Array.from({ length: 7 }, (_, y) => {
  const t = kb.trials.find((x) => x.id === `iris.imatinib.ap-bc-annual-y${y + 1}`);
  if (!t || t.n === undefined)
    throw new Error(`trials.yaml: iris.imatinib.ap-bc-annual-y${y + 1} missing or without n`);
  return { rate: t.value / 100, n: t.n };
});
const cpMedian = kb.parameter('clinical.natural_history.cp_median_years');
const [cpLo, cpHi] = cpMedian.range ?? [cpMedian.value, cpMedian.value];
const cpSd = (cpHi - cpLo) / 4;

function scenarioWith(id: string, x: ArrayLike<number>, patients: number): string {
  const base = COHORT_SCENARIOS.find((c) => c.id === id);
  if (!base) throw new Error(`no validation cohort ${id}`);
  const values = NAMES.map((n, j) => `${n}: ${x[j]}`).join(', ');
  const text = base.yaml.replace(
    'niche:\n  blastCrisis: true\n',
    `niche:\n  blastCrisis: true\npatient:\n  parameters: {${values}}\n`,
  );
  if (text === base.yaml) throw new Error(`validation cohort ${id}: no niche block to extend`);
  return `${text.replace(/^seed: \d+$/m, `seed: ${seed}`)}`.replace(
    /^cohort:\n/m,
    `cohort:\n  patients: ${patients}\n`,
  );
}

function cohort(id: string, x: ArrayLike<number>, patients: number): PatientOutcome[] {
  const program = prepareCohort(
    parseScenario(scenarioWith(id, x, patients), `calibrate-progression ${id}`, kb),
    kb,
  );
  const o: PatientOutcome[] = [];
  for (let k = 0; k < patients; k++) o.push(simulatePatient(program, k));
  return o;
}

function annualRates(o: readonly PatientOutcome[]): number[] {
  const d = eventData(o, 'timeProgression');
  const km = kaplanMeier(d.time, d.event);
  return Array.from(
    { length: 7 },
    (_, y) => 1 - valueAt(km, 12 * (y + 1)).estimate / valueAt(km, 12 * y).estimate,
  );
}

const EPS = 1e-4; // keeps the deviance finite when a model rate is 0 or 1
function deviance(q: readonly number[]): number {
  let d = 0;
  iris.forEach(({ rate: p, n }, y) => {
    const qq = Math.min(1 - EPS, Math.max(EPS, q[y]));
    d += 2 * n * ((p > 0 ? p * Math.log(p / qq) : 0) + (p < 1 ? (1 - p) * Math.log((1 - p) / (1 - qq)) : 0));
  });
  return d;
}

interface Eval {
  x: number[];
  rates: number[];
  cumulative7: number;
  untreatedMedianYears: number;
  deviance: number;
  penalty: number;
  value: number;
}
const history: Eval[] = [];
function evaluate(x: ArrayLike<number>): Eval {
  const t0 = performance.now();
  const im = cohort('imatinib-10y', x, M);
  const rates = annualRates(im);
  const d = eventData(im, 'timeProgression');
  const cumulative7 = 1 - valueAt(kaplanMeier(d.time, d.event), 84).estimate;
  const un = cohort('untreated', x, U);
  const du = eventData(un, 'timeBlastCrisis');
  const med = medianTime(kaplanMeier(du.time, du.event)).estimate / 12;
  const dev = deviance(rates);
  const penalty = Number.isFinite(med) ? ((med - cpMedian.value) / cpSd) ** 2 : 100;
  const e = {
    x: Array.from(x),
    rates,
    cumulative7,
    untreatedMedianYears: med,
    deviance: dev,
    penalty,
    value: dev + penalty,
  };
  history.push(e);
  log(
    `  [${history.length}] ${NAMES.map((n, j) => `${n}=${x[j].toPrecision(3)}`).join(' ')}: rates ${rates.map((r) => (100 * r).toFixed(1)).join(' ')} %, 7 y ${(100 * cumulative7).toFixed(1)} %, untreated median ${med.toFixed(2)} y, D ${dev.toFixed(2)} + ${penalty.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return e;
}

const at = arg('--at');
let best: Eval;
let stop = 'given (--at)';
if (at !== undefined) {
  const x = at.split(',').map(Number);
  if (x.length !== NAMES.length || !x.every(Number.isFinite))
    throw new RangeError(`--at: expected ${NAMES.length} numbers`);
  best = evaluate(x);
} else {
  const from = arg('--from');
  const initial = from ? from.split(',').map(Number) : NAMES.map((_, j) => kb.parameter(KEYS[j]).value);
  if (initial.length !== NAMES.length || !initial.every(Number.isFinite))
    throw new RangeError(`--from: expected ${NAMES.length} numbers`);
  const res = cmaes((x) => evaluate(x).value, specs, {
    seed,
    sigma0,
    initial,
    maxEvaluations: maxEvals,
    tolFun: 0.05,
    tolX: 0.005,
    onGeneration: (g) =>
      log(` generation ${g.generation}: ${g.evaluations} evaluations, best ${g.best.toFixed(2)}`),
  });
  stop = res.stop;
  best = history.reduce((a, b) => (b.value < a.value ? b : a));
}
const record = {
  // The command as run from the repository (an --out outside it is left out: the record must not name this machine).
  command: `npx tsx scripts/calibrate-progression.ts ${recordedArgs().join(' ')}`.trim(),
  generated: new Date().toISOString(),
  patients: M,
  untreatedPatients: U,
  seed,
  stop,
  data: { iris: iris.map((r, y) => ({ year: y + 1, ...r })), cpMedianYears: cpMedian.value, cpSdYears: cpSd },
  best,
  evaluations: history,
};
writeFileAtomic(out, `${JSON.stringify(record, null, 2)}\n`);
log(
  `best: ${NAMES.map((n, j) => `${n} = ${best.x[j].toPrecision(3)}`).join(', ')}; value ${best.value.toFixed(2)}; wrote ${out}`,
);
