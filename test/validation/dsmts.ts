/**
 * The DSMTS stochastic cases of the SBML Test Suite (Evans, Gillespie & Wilkinson 2008, Bioinformatics 24,
 * 285) run with the suite's rules: N replicates, and at each time point
 *   Z = sqrt(N) (mean - mu) / sigma   must lie in meanRange (usually (-3, 3)),
 *   Y = sqrt(N/2) (S^2 / sigma^2 - 1) must lie in sdRange   (usually (-5, 5)),
 * with mu, sigma from NNNNN-results.csv. Points with sigma = 0 (deterministic values, e.g. the initial state
 * or a value just reset by an event) pass when the ensemble is exactly mu with SD 0.
 *
 * `npm run dsmts [-- --replicates N --engine ssa|nrm|tau|hybrid --cases 1-39 --seed S --skip 00005,00023]` runs the
 * core cases (00005 and 00023 start from 10^4 molecules: ~8e8 reactions each at N = 10^4) and prints
 * failures per case; `test/validation/dsmts.test.ts` runs a subset in `npm test`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSbml } from '../../src/io/sbml/index.js';
import { type ApproximateEngine, simulateApproximate } from '../../src/models/simulate-approximate.js';
import { type StochasticEngine, simulateStochastic } from '../../src/models/simulate-stochastic.js';
import { SBML_STOCHASTIC_ROOT } from '../support/sbml-test-suite.js';

/** Exact engines, and the approximate ones (tau-leaping, hybrid): those are reported on, not expected to pass. */
export type DsmtsEngine = StochasticEngine | ApproximateEngine;

export const DSMTS_DIR = SBML_STOCHASTIC_ROOT;

export interface DsmtsCase {
  readonly id: string;
  readonly dir: string;
  readonly start: number;
  readonly duration: number;
  readonly steps: number;
  readonly variables: string[];
  readonly outputs: string[];
  readonly meanRange: [number, number];
  readonly sdRange: [number, number];
  readonly header: string[];
  readonly rows: number[][];
}

export function dsmtsCaseIds(from = 1, to = 39): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const id = String(i).padStart(5, '0');
    if (existsSync(join(DSMTS_DIR, id, `${id}-sbml-l3v2.xml`))) out.push(id);
  }
  return out;
}

const range = (s: string): [number, number] => {
  const m = /\(\s*([-\d.eE+]+)\s*,\s*([-\d.eE+]+)\s*\)/.exec(s);
  if (!m) throw new Error(`bad range '${s}'`);
  return [Number(m[1]), Number(m[2])];
};

export function loadDsmtsCase(id: string): DsmtsCase {
  const dir = join(DSMTS_DIR, id);
  const settings = new Map<string, string>();
  for (const line of readFileSync(join(dir, `${id}-settings.txt`), 'utf8').split('\n')) {
    const k = line.indexOf(':');
    if (k > 0) settings.set(line.slice(0, k).trim(), line.slice(k + 1).trim());
  }
  const list = (key: string): string[] =>
    (settings.get(key) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const lines = readFileSync(join(dir, `${id}-results.csv`), 'utf8')
    .trim()
    .split(/\r?\n/);
  return {
    id,
    dir,
    start: Number(settings.get('start') ?? 0),
    duration: Number(settings.get('duration')),
    steps: Number(settings.get('steps')),
    variables: list('variables'),
    outputs: list('output'),
    meanRange: range(settings.get('meanRange') ?? '(-3, 3)'),
    sdRange: range(settings.get('sdRange') ?? '(-5, 5)'),
    header: lines[0].split(',').map((s) => s.trim()),
    rows: lines.slice(1).map((l) => l.split(',').map(Number)),
  };
}

export interface DsmtsOutcome {
  readonly id: string;
  readonly replicates: number;
  readonly meanPoints: number;
  readonly meanFailures: number;
  readonly sdPoints: number;
  readonly sdFailures: number;
  /** Expected failures of a correct simulator: P(|Z| >= 3) per mean point; for SD points P(|Y| >= 5) with Y
   * ~ N(0, 1 + kappa/2), kappa the sample excess kurtosis at that point (normal approximation to S^2). */
  readonly expectedMeanFailures: number;
  readonly expectedSdFailures: number;
  /** Largest |Z| and |Y| seen. */
  readonly maxZ: number;
  readonly maxY: number;
  readonly failures: string[];
  readonly firings: number;
  readonly ms: number;
}

export function runDsmtsCase(
  c: DsmtsCase,
  options: {
    replicates: number;
    engine?: DsmtsEngine /** Base seed; the case number is added. */;
    seed?: number;
  },
): DsmtsOutcome {
  const model = readSbml(readFileSync(join(c.dir, `${c.id}-sbml-l3v2.xml`), 'utf8'), `${c.id}-sbml-l3v2.xml`);
  const t0 = performance.now();
  const engine = options.engine ?? 'ssa';
  const common = {
    tStart: c.start,
    tEnd: c.start + c.duration,
    steps: c.steps,
    replicates: options.replicates,
    // One seed per case (base + case number) so that cases sharing a model are independent checks.
    seed: (options.seed ?? 20260127) + Number(c.id),
    ids: c.variables,
  };
  const res =
    engine === 'tau' || engine === 'hybrid'
      ? simulateApproximate(model, { ...common, engine })
      : simulateStochastic(model, { ...common, engine });
  const ms = performance.now() - t0;
  const N = options.replicates;
  const col = (name: string): number => c.header.indexOf(name);
  let meanPoints = 0;
  let meanFailures = 0;
  let sdPoints = 0;
  let sdFailures = 0;
  let maxZ = 0;
  let maxY = 0;
  let expectedMeanFailures = 0;
  let expectedSdFailures = 0;
  const failures: string[] = [];
  for (const out of c.outputs) {
    const isMean = out.endsWith('-mean');
    const v = out.slice(0, out.lastIndexOf('-'));
    const k = res.ids.indexOf(v);
    if (k < 0) throw new Error(`${c.id}: output '${v}' not simulated`);
    const muCol = col(`${v}-mean`);
    const sdCol = col(`${v}-sd`);
    for (let i = 0; i < c.rows.length; i++) {
      const row = c.rows[i];
      const t = row[0];
      const ti = res.time.findIndex((x) => Math.abs(x - t) <= 1e-9 * Math.max(1, Math.abs(t)));
      if (ti < 0) throw new Error(`${c.id}: time ${t} not saved`);
      const mean = res.mean[ti * res.ids.length + k];
      const sd = res.sd[ti * res.ids.length + k];
      const mu = row[muCol];
      const sigma = row[sdCol];
      let ok: boolean;
      let stat: number;
      if (sigma === 0) {
        ok = isMean ? sd === 0 && Math.abs(mean - mu) <= 1e-9 * Math.max(1, Math.abs(mu)) : sd === 0;
        stat = ok ? 0 : Number.POSITIVE_INFINITY;
      } else if (isMean) {
        expectedMeanFailures += normalTwoSided(c.meanRange[1]);
        stat = (Math.sqrt(N) * (mean - mu)) / sigma;
        ok = stat > c.meanRange[0] && stat < c.meanRange[1];
        maxZ = Math.max(maxZ, Math.abs(stat));
      } else {
        const kappa = res.kurtosis[ti * res.ids.length + k];
        if (kappa > -2) expectedSdFailures += normalTwoSided(c.sdRange[1] / Math.sqrt(1 + kappa / 2));
        stat = Math.sqrt(N / 2) * ((sd * sd) / (sigma * sigma) - 1);
        ok = stat > c.sdRange[0] && stat < c.sdRange[1];
        maxY = Math.max(maxY, Math.abs(stat));
      }
      if (isMean) meanPoints++;
      else sdPoints++;
      if (!ok) {
        if (isMean) meanFailures++;
        else sdFailures++;
        failures.push(`${out}@t=${t}: ${isMean ? 'Z' : 'Y'} = ${stat.toFixed(2)}`);
      }
    }
  }
  return {
    id: c.id,
    replicates: N,
    meanPoints,
    meanFailures,
    sdPoints,
    sdFailures,
    maxZ,
    maxY,
    expectedMeanFailures,
    expectedSdFailures,
    failures,
    firings: res.firings,
    ms,
  };
}

/** P(|Z| >= z) for a standard normal, by the complementary error function (W. J. Cody's rational fit is
 * overkill here: Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7). */
export function normalTwoSided(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return y * Math.exp(-x * x);
}

/** Smallest k with P(Binomial(n, q) >= k) <= alpha. */
export function binomialUpperBound(n: number, q: number, alpha: number): number {
  let pk = (1 - q) ** n; // P(X = 0)
  let cdf = pk;
  let k = 0;
  while (1 - cdf > alpha && k < n) {
    pk *= ((n - k) / (k + 1)) * (q / (1 - q));
    cdf += pk;
    k++;
  }
  return k + 1;
}

/** Smallest k with P(Poisson(lambda) >= k) <= alpha. */
export function poissonUpperBound(lambda: number, alpha: number): number {
  let pk = Math.exp(-lambda);
  let cdf = pk;
  let k = 0;
  while (1 - cdf > alpha) {
    k++;
    pk *= lambda / k;
    cdf += pk;
  }
  return k + 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, dflt: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const N = Number(arg('replicates', '10000'));
  const engine = arg('engine', 'ssa') as DsmtsEngine;
  const seed = Number(arg('seed', '20260127'));
  const [a, b] = arg('cases', '1-39').split('-').map(Number);
  const skip = new Set(arg('skip', '').split(',').filter(Boolean));
  let mp = 0;
  let mf = 0;
  let sp = 0;
  let sf = 0;
  let total = 0;
  let em = 0;
  let es = 0;
  console.log(`DSMTS, engine ${engine}, ${N} replicates, seed ${seed} + case number`);
  console.log(
    'case   mean-fail/points (expected)  sd-fail/points (expected)  max|Z|  max|Y|   reactions    ms',
  );
  for (const id of dsmtsCaseIds(a, b ?? a)) {
    if (skip.has(id)) continue;
    const o = runDsmtsCase(loadDsmtsCase(id), { replicates: N, engine, seed });
    mp += o.meanPoints;
    mf += o.meanFailures;
    sp += o.sdPoints;
    sf += o.sdFailures;
    total += o.ms;
    em += o.expectedMeanFailures;
    es += o.expectedSdFailures;
    console.log(
      `${id}  ${`${o.meanFailures}/${o.meanPoints}`.padStart(10)} (${o.expectedMeanFailures.toFixed(2)})  ${`${o.sdFailures}/${o.sdPoints}`.padStart(14)} (${o.expectedSdFailures.toFixed(2)})  ${o.maxZ.toFixed(2).padStart(6)}  ${o.maxY.toFixed(2).padStart(6)}  ${String(o.firings).padStart(11)}  ${o.ms.toFixed(0).padStart(5)}${o.failures.length ? `  ${o.failures.join('; ')}` : ''}`,
    );
  }
  const q = normalTwoSided(3);
  console.log(
    `total: mean ${mf}/${mp} failed (expected ${em.toFixed(1)} at P(|Z|>=3) = ${q.toExponential(2)}; 99.9% binomial bound ${binomialUpperBound(mp, q, 1e-3)}), sd ${sf}/${sp} failed (expected ${es.toFixed(1)} with kurtosis-corrected Y); ${(total / 1000).toFixed(1)} s`,
  );
}
