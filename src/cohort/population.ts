/**
 * Virtual patients: the Hähnel 2020 LSC/immune parameters (Cancer Res 80:2394, Table S1: 21 fitted patients) drawn
 * per patient, further model parameters from given distributions, a risk stratum, and the patient's PK per drug.
 * docs/cohorts.md states the conventions; the short version:
 *
 * - core 'lognormal': theta = exp(mu + L z), z ~ N(0, I_8), mu and Sigma = L L^T the sample mean and covariance
 *   (denominator n - 1) of the logs of (pyx, pxy, e_tki, pz, Kz, X0, Y0, Z0) over the 21 patients, i.e. correlated
 *   as estimated. That 21 fitted patients follow a multivariate log-normal is an assumption (positive parameters,
 *   spreads over decades), not a finding of the paper. X0 is the transcriber's quasi-equilibrium pyx Y0 / pxy
 *   (rounded), so Sigma is nearly singular; the Cholesky factor is taken semi-definite (a pivot below 1e-12 of its
 *   diagonal entry gives a zero column) so that such exact relations are kept rather than failing.
 * - core 'bootstrap': one of the 21 patients uniformly; 'fixed': the scenario's hahnelPatient for everybody.
 * - Randomness: patient k's stratum and core come from the keyed stream (seed, 'cohort-patient', k) in that order
 *   (one uniform for the stratum, then 8 normals or one uniform integer); each further parameter from its own
 *   stream (seed, 'cohort-parameter', id, k), so adding a distribution changes no other draw; the PK from
 *   (seed, 'pk-variability', drug, k) as src/therapy/variability.ts draws it. Nothing depends on N or sharding.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { standardNormal, streamFor, type UniformSource, uniformInt } from '../numerics/random/index.js';
import type { CohortSpec, ParameterDistribution, Scenario } from '../scenario/schema.js';
import type { PkParams } from '../therapy/pk.js';
import { drugPk } from '../therapy/pk-params.js';
import { omegaFromCv, samplePatients } from '../therapy/variability.js';

/** The Hähnel 2020 per-patient symbols (KB key suffix) and the niche model's parameter ids they set. */
export const HAHNEL_CORE: readonly { readonly symbol: string; readonly id: string }[] = [
  { symbol: 'pyx', id: 'pyx' },
  { symbol: 'pxy', id: 'pxy' },
  { symbol: 'e_tki', id: 'e_tki' },
  { symbol: 'pz', id: 'pz' },
  { symbol: 'Kz', id: 'Kz' },
  { symbol: 'X0', id: 'X_init' },
  { symbol: 'Y0', id: 'Y_init' },
  { symbol: 'Z0', id: 'Z_init' },
];

const hahnelKey = (k: number, symbol: string) => `hahnel2020.patient${String(k).padStart(2, '0')}.${symbol}`;

/** The fitted patients' core values (row per patient 1..n, columns as HAHNEL_CORE), from the knowledge base. */
export function hahnelCoreTable(kb: KnowledgeBase): number[][] {
  const rows: number[][] = [];
  for (let k = 1; kb.parameters.has(hahnelKey(k, 'pyx')); k++)
    rows.push(HAHNEL_CORE.map((c) => kb.parameter(hahnelKey(k, c.symbol)).value));
  if (rows.length < 2) throw new Error('cohort: fewer than 2 Hähnel 2020 patients in the knowledge base');
  return rows;
}

/** Sample mean and covariance (denominator n - 1) of the logs of the table's columns. */
export function logMoments(table: readonly (readonly number[])[]): { mean: Float64Array; cov: Float64Array } {
  const n = table.length;
  const d = table[0].length;
  const mean = new Float64Array(d);
  const logs = table.map((r) =>
    r.map((v) => {
      if (!(v > 0)) throw new RangeError(`cohort: a log-normal core needs positive values, got ${v}`);
      return Math.log(v);
    }),
  );
  for (const r of logs) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const cov = new Float64Array(d * d);
  for (const r of logs)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) cov[i * d + j] += ((r[i] - mean[i]) * (r[j] - mean[j])) / (n - 1);
  return { mean, cov };
}

/** Lower Cholesky factor of a symmetric positive semi-definite matrix (row-major), zero columns at null pivots. */
export function choleskySemidefinite(a: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
    if (s <= 1e-12 * Math.abs(a[j * d + j]) || s <= 0) continue; // dependent (or constant) coordinate
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / ljj;
    }
  }
  return L;
}

/** One virtual patient. */
export interface VirtualPatient {
  readonly index: number;
  readonly stratum: string;
  /** Hähnel patient whose values the core took ('bootstrap', 'fixed'); undefined for 'lognormal'. */
  readonly hahnelPatient?: number;
  /** Model parameter overrides (niche model ids), on top of the scenario's patient.parameters. */
  readonly parameters: Readonly<Record<string, number>>;
  /** PK parameters per drug (absent: the drug's typical values). */
  readonly pk?: Readonly<Record<string, PkParams>>;
}

/** Everything drawPatient needs, computed once per cohort. */
export interface Population {
  readonly spec: CohortSpec;
  readonly seed: bigint;
  readonly table: readonly (readonly number[])[];
  readonly logMean: Float64Array;
  readonly logCov: Float64Array;
  readonly cholesky: Float64Array;
  readonly fixedPatient: number;
  /** Drugs of the plan and of the switch rule, with typical PK and CVs. */
  readonly drugs: readonly { readonly drug: string; readonly typical: PkParams; readonly cv: object }[];
  /** A scenario-level PK draw (patient.variability.pkDraw) used when spec.pk is false. */
  readonly pkDraw?: number;
  /** Cumulative stratum shares. */
  readonly cumulative: Float64Array;
  /** Upper bound of a log-normal Y0 draw: 2 Ky (the domain of the Hähnel BCR-ABL1 read-out). */
  readonly maxY0: number;
}

/** The cohort section with its defaults (an absent section: all defaults). */
export function cohortSpecOf(s: Scenario): CohortSpec {
  return (
    s.cohort ?? { patients: 1000, core: 'lognormal', pk: true, parameters: {} } // the schema's defaults
  );
}

/** Drugs a scenario can give: the plan's and the switch target, in first-use order. */
export function scenarioDrugs(s: Scenario): string[] {
  const out: string[] = [];
  for (const e of s.therapy.schedule) if (!out.includes(e.drug)) out.push(e.drug);
  const to = s.therapy.switchOnMutation?.to;
  if (to && !out.includes(to)) out.push(to);
  return out;
}

export function preparePopulation(
  s: Scenario,
  kb: KnowledgeBase,
  spec: CohortSpec = cohortSpecOf(s),
): Population {
  const table = hahnelCoreTable(kb);
  const { mean, cov } = logMoments(table);
  const fixed = s.patient.hahnelPatient;
  if (fixed > table.length)
    throw new RangeError(
      `patient.hahnelPatient ${fixed}: the knowledge base has ${table.length} Hähnel patients`,
    );
  const strata = spec.strata ?? [];
  const cumulative = new Float64Array(strata.length);
  let acc = 0;
  strata.forEach((x, i) => {
    acc += x.share;
    cumulative[i] = acc;
  });
  const pkDraw = s.patient.variability.pkDraw;
  return {
    spec,
    seed: BigInt(s.seed),
    table,
    logMean: mean,
    logCov: cov,
    cholesky: choleskySemidefinite(cov, HAHNEL_CORE.length),
    fixedPatient: fixed,
    drugs: scenarioDrugs(s).map((drug) => {
      const pk = drugPk(kb, drug);
      return { drug, typical: pk.params, cv: pk.cv };
    }),
    ...(pkDraw !== undefined ? { pkDraw } : {}),
    cumulative,
    maxY0: 2 * (s.patient.parameters.Ky ?? kb.parameter('hahnel2020.Ky').value),
  };
}

const Y_COLUMN = HAHNEL_CORE.findIndex((c) => c.symbol === 'Y0');
const MAX_TRIES = 1000;

/**
 * One untruncated draw of the log core, x = mu + L z with 8 standard normals from `s`, into `out`. drawPatient
 * rejects (redraws all 8 from the same stream) a draw with Y0 >= 2 Ky: the Hähnel read-out BCR-ABL1 = L / (2 - L),
 * L = Y / Ky, is only defined for L < 2, and the model's cycling LSCs start above twice their carrying capacity
 * in none of the 21 patients (largest Y0 = 1.63 Ky).
 */
export function drawLogCore(pop: Population, s: UniformSource, out: Float64Array): void {
  const d = HAHNEL_CORE.length;
  const z = out; // z is consumed in order: row i uses z[0..i], so it can be overwritten from the end
  for (let i = 0; i < d; i++) z[i] = standardNormal(s);
  for (let i = d - 1; i >= 0; i--) {
    let x = pop.logMean[i];
    for (let j = 0; j <= i; j++) x += pop.cholesky[i * d + j] * z[j];
    out[i] = x;
  }
}

/** One draw of a parameter distribution from a stream (one or two 53-bit uniforms). */
function drawFrom(d: ParameterDistribution, s: UniformSource): number {
  if (d.lognormal) return d.lognormal.median * Math.exp(omegaFromCv(d.lognormal.cv) * standardNormal(s));
  if (d.uniform) return d.uniform[0] + (d.uniform[1] - d.uniform[0]) * s.nextFloat64();
  if (d.normal) return d.normal.mean + d.normal.sd * standardNormal(s);
  throw new Error('cohort: empty parameter distribution');
}

/** Patient k (0-based): stratum, core, further parameters and PK, from keyed streams only. */
export function drawPatient(
  source: Population | { readonly population: Population },
  k: number,
): VirtualPatient {
  const pop = 'population' in source ? source.population : source;
  if (!Number.isSafeInteger(k) || k < 0)
    throw new RangeError(`patient index must be an integer >= 0, got ${k}`);
  const { spec } = pop;
  const s = streamFor(pop.seed, ['purpose', 'cohort-patient'], ['patient', k]);
  const u = s.nextFloat64();
  const strata = spec.strata ?? [];
  let stratumIndex = -1;
  if (strata.length > 0) {
    stratumIndex = strata.length - 1; // guards against shares summing to 1 - ulp
    for (let i = 0; i < strata.length; i++)
      if (u < pop.cumulative[i]) {
        stratumIndex = i;
        break;
      }
  }
  const parameters: Record<string, number> = {};
  let hahnelPatient: number | undefined;
  const d = HAHNEL_CORE.length;
  if (spec.core === 'lognormal') {
    const x = new Float64Array(d);
    let tries = 0;
    do {
      if (++tries > MAX_TRIES)
        throw new Error(`cohort: no log-normal core draw inside the model's domain in ${MAX_TRIES} tries`);
      drawLogCore(pop, s, x);
    } while (!(Math.exp(x[Y_COLUMN]) < pop.maxY0));
    for (let i = 0; i < d; i++) parameters[HAHNEL_CORE[i].id] = Math.exp(x[i]);
  } else {
    hahnelPatient = spec.core === 'bootstrap' ? 1 + uniformInt(s, pop.table.length) : pop.fixedPatient;
    const row = pop.table[hahnelPatient - 1];
    HAHNEL_CORE.forEach((c, i) => {
      parameters[c.id] = row[i];
    });
  }
  const dists: Record<string, ParameterDistribution> = {
    ...spec.parameters,
    ...(stratumIndex >= 0 ? strata[stratumIndex].parameters : {}),
  };
  for (const id of Object.keys(dists).sort())
    parameters[id] = drawFrom(
      dists[id],
      streamFor(pop.seed, ['purpose', 'cohort-parameter'], ['parameter', id], ['patient', k]),
    );
  const draw = spec.pk ? k : pop.pkDraw;
  let pk: Record<string, PkParams> | undefined;
  if (draw !== undefined) {
    pk = {};
    const seedNum = Number(pop.seed % 2n ** 53n);
    for (const x of pop.drugs) pk[x.drug] = samplePatients(x.typical, x.cv, seedNum, 1, x.drug, draw)[0];
  }
  return {
    index: k,
    stratum: stratumIndex >= 0 ? strata[stratumIndex].name : 'all',
    ...(hahnelPatient !== undefined ? { hahnelPatient } : {}),
    parameters,
    ...(pk ? { pk } : {}),
  };
}
