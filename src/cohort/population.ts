/**
 * Virtual patients: the Hähnel 2020 LSC/immune parameters (Cancer Res 80:2394, Table S1: 21 fitted patients) drawn
 * per patient, further model parameters from given distributions, a risk stratum, and the patient's PK per drug.
 * docs/cohorts.md states the conventions; the short version:
 *
 * - core 'calibrated' (default): the knowledge base's imatinib population law (calibratedCoreFit: a mixed-effects
 *   fit to the Hähnel on-TKI series for pyx, pxy, e_tki, Y0, the e_tki law moved to the imatinib trial arms), drawn
 *   as a 'fitted' core, the other coordinates conditional under the 21-patient log-normal below.
 * - core 'lognormal': theta = exp(mu + L z), z ~ N(0, I_8), mu and Sigma = L L^T the sample mean and covariance
 *   (denominator n - 1) of the logs of (pyx, pxy, e_tki, pz, Kz, X0, Y0, Z0) over the 21 patients, i.e. correlated
 *   as estimated. That 21 fitted patients follow a multivariate log-normal is an assumption (positive parameters,
 *   spreads over decades), not a finding of the paper. X0 is the transcriber's quasi-equilibrium pyx Y0 / pxy
 *   (rounded), so Sigma is nearly singular; the Cholesky factor is taken semi-definite (a pivot below 1e-12 of its
 *   diagonal entry gives a zero column) so that such exact relations are kept rather than failing.
 * - core 'fitted': the named coordinates from a fitted log-normal (cohort.coreFit, e.g. a population fit), the
 *   others from their conditional law given those under the 21-patient log-normal (FittedCore).
 * - core 'bootstrap': one of the 21 patients uniformly; 'fixed': the scenario's hahnelPatient for everybody.
 * - Randomness: patient k's stratum and core come from the keyed stream (seed, 'cohort-patient', k) in that order
 *   (one uniform for the stratum, then 8 normals or one uniform integer); each further parameter from its own
 *   stream (seed, 'cohort-parameter', id, k), so adding a distribution changes no other draw; the PK from
 *   (seed, 'pk-variability', drug, k) as src/therapy/variability.ts draws it. Nothing depends on N or sharding.
 */
import { HAHNEL_CORE } from '../knowledge/hahnel-core.js';
import type { KnowledgeBase } from '../knowledge/load.js';
import { standardNormal, streamFor, type UniformSource, uniformInt } from '../numerics/random/index.js';
import type { CohortSpec, ParameterDistribution, Scenario } from '../scenario/schema.js';
import type { PkParams } from '../therapy/pk.js';
import { drugPk } from '../therapy/pk-params.js';
import { omegaFromCv, samplePatients } from '../therapy/variability.js';

export { HAHNEL_CORE };

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
  /** core 'fitted': the fitted block and the conditional law of the rest (see fittedCore). */
  readonly fitted?: FittedCore;
}

/**
 * core 'fitted': x_S ~ N(m_S, C_S) from the fit (S = the coordinates it names), then the other coordinates from
 * their conditional law under the 21-patient log-normal N(mu, Sigma):
 *   x_R | x_S ~ N(mu_R + B (x_S - mu_S), Sigma_RR - B Sigma_SR),  B = Sigma_RS Sigma_SS^-1
 * (the Gaussian conditioning formula). Exact relations of the table (X0 = pyx Y0 / pxy, up to rounding) are kept
 * for the coordinates not fitted, which is why the rest is not drawn from its marginal.
 */
export interface FittedCore {
  readonly S: Int32Array;
  readonly R: Int32Array;
  readonly meanS: Float64Array;
  readonly cholS: Float64Array;
  readonly muS: Float64Array;
  readonly muR: Float64Array;
  /** |R| x |S| row-major. */
  readonly B: Float64Array;
  readonly cholR: Float64Array;
}

/** Index of a core parameter by its symbol (pyx, X0, ...) or its model id (X_init, ...); -1 if neither. */
export function coreIndex(name: string): number {
  return HAHNEL_CORE.findIndex((c) => c.symbol === name || c.id === name);
}

/** Solves A X = Y for symmetric positive definite A (d x d) by Cholesky; Y is d x m, overwritten. */
function spdSolve(A: Float64Array, d: number, Y: Float64Array, m: number, what: string): void {
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
    if (!(s > 1e-10 * Math.abs(A[j * d + j]))) throw new RangeError(what);
    L[j * d + j] = Math.sqrt(s);
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / L[j * d + j];
    }
  }
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < d; i++) {
      let t = Y[i * m + c];
      for (let k = 0; k < i; k++) t -= L[i * d + k] * Y[k * m + c];
      Y[i * m + c] = t / L[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let t = Y[i * m + c];
      for (let k = i + 1; k < d; k++) t -= L[k * d + i] * Y[k * m + c];
      Y[i * m + c] = t / L[i * d + i];
    }
  }
}

/** The fitted block and the conditional law of the other core coordinates (errors name cohort.coreFit). */
export function fittedCore(
  fit: NonNullable<CohortSpec['coreFit']>,
  mu: Float64Array,
  Sigma: Float64Array,
): FittedCore {
  const D = HAHNEL_CORE.length;
  const S = Int32Array.from(fit.names, (n) => {
    const i = coreIndex(n);
    if (i < 0)
      throw new RangeError(
        `cohort.coreFit.names: '${n}' is not a core parameter (expected one of ${HAHNEL_CORE.map((c) => c.symbol).join(', ')} or ${HAHNEL_CORE.map((c) => c.id).join(', ')})`,
      );
    return i;
  });
  if (new Set(S).size !== S.length)
    throw new RangeError('cohort.coreFit.names: a core parameter is named twice (symbol and model id)');
  const R = Int32Array.from(HAHNEL_CORE.map((_, i) => i).filter((i) => !S.includes(i)));
  const ds = S.length;
  const dr = R.length;
  const C = Float64Array.from(fit.cov.flat());
  const cholS = choleskySemidefinite(C, ds);
  // A covariance with a negative direction has no such factor: L L^T then differs from C.
  for (let i = 0; i < ds; i++)
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = 0; k < ds; k++) t += cholS[i * ds + k] * cholS[j * ds + k];
      const c = C[i * ds + j];
      if (Math.abs(t - c) > 1e-8 * Math.sqrt(Math.abs(C[i * ds + i] * C[j * ds + j])) + 1e-300)
        throw new RangeError('cohort.coreFit.cov: not positive semi-definite');
    }
  const SS = new Float64Array(ds * ds);
  for (let i = 0; i < ds; i++) for (let j = 0; j < ds; j++) SS[i * ds + j] = Sigma[S[i] * D + S[j]];
  // B^T = Sigma_SS^-1 Sigma_SR (ds x dr)
  const Bt = new Float64Array(ds * dr);
  for (let i = 0; i < ds; i++) for (let j = 0; j < dr; j++) Bt[i * dr + j] = Sigma[S[i] * D + R[j]];
  spdSolve(
    SS,
    ds,
    Bt,
    dr,
    `cohort.coreFit.names: ${fit.names.join(', ')} are linearly dependent in the 21-patient table (X0 = pyx Y0 / pxy): leave one of them out, it is drawn conditionally`,
  );
  const B = new Float64Array(dr * ds);
  for (let i = 0; i < dr; i++) for (let j = 0; j < ds; j++) B[i * ds + j] = Bt[j * dr + i];
  const condR = new Float64Array(dr * dr);
  for (let i = 0; i < dr; i++)
    for (let j = 0; j < dr; j++) {
      let t = Sigma[R[i] * D + R[j]];
      for (let k = 0; k < ds; k++) t -= B[i * ds + k] * Sigma[S[k] * D + R[j]];
      condR[i * dr + j] = t;
    }
  for (let i = 0; i < dr; i++)
    for (let j = 0; j < i; j++)
      condR[i * dr + j] = condR[j * dr + i] = 0.5 * (condR[i * dr + j] + condR[j * dr + i]);
  return {
    S,
    R,
    meanS: Float64Array.from(fit.mean),
    cholS,
    muS: Float64Array.from(S, (i) => mu[i]),
    muR: Float64Array.from(R, (i) => mu[i]),
    B,
    cholR: choleskySemidefinite(condR, dr),
  };
}

/** Core parameters of the calibrated imatinib population law (data/knowledge/population.yaml). */
export const CALIBRATED_CORE = ['pyx', 'pxy', 'e_tki', 'Y0', 'pz'] as const;

/** The calibration's hyper-parameters (absolute: 0 is the SAEM law, resp. the 21 patients' spread of pz). */
export interface CoreCalibration {
  /** Shift of the log-mean of e_tki from its SAEM estimate. */
  readonly deltaLnEtki: number;
  /** Log of the factor on the SAEM log-SD of e_tki. */
  readonly lambdaSdEtki: number;
  /** Log of the factor on the log-SD of pz over the 21 Hähnel patients. */
  readonly lambdaSdPz: number;
}

/** The knowledge base's calibration (population.imatinib.delta_ln_e_tki, lambda_sd_e_tki, lambda_sd_pz). */
export function kbCoreCalibration(kb: KnowledgeBase): CoreCalibration {
  const v = (key: string) => kb.parameter(`population.imatinib.${key}`).value;
  return {
    deltaLnEtki: v('delta_ln_e_tki'),
    lambdaSdEtki: v('lambda_sd_e_tki'),
    lambdaSdPz: v('lambda_sd_pz'),
  };
}

/**
 * core 'calibrated': the imatinib population law of the knowledge base as a coreFit block, independent
 * log-normals. pyx, pxy and Y0 are the population estimates of a mixed-effects (SAEM) fit to the 21 Hähnel 2020
 * on-TKI series. e_tki has the SAEM law moved by the imatinib-trial calibration (its log-mean shifted by delta, its
 * log-sd scaled by exp(lambda)): the Hähnel patients were selected as TKI-stop candidates, so their kill rate is
 * that of good responders, while the trial arms' rates are those of all patients. pz (the immune cells'
 * stimulation by leukaemic cells) has the log-mean of the 21 published values and their log-SD (7.9) scaled by
 * exp(lambda_pz), calibrated to the same arms: with the full spread a third of the cohort was cleared by immune
 * control within 2 years. Kz, Z0 and X0 are drawn conditionally under the 21-patient log-normal
 * (docs/population-calibration.md).
 */
export function calibratedCoreFit(
  kb: KnowledgeBase,
  calibration: CoreCalibration = kbCoreCalibration(kb),
): NonNullable<CohortSpec['coreFit']> {
  const v = (key: string) => kb.parameter(`population.imatinib.${key}`).value;
  const { mean: mu, cov: Sigma } = logMoments(hahnelCoreTable(kb));
  const iz = coreIndex('pz');
  // pz from the 21 published values, the others from the SAEM fit
  const mean = CALIBRATED_CORE.map((n) => (n === 'pz' ? mu[iz] : v(`mu_ln_${n}`)));
  const sd = CALIBRATED_CORE.map((n) =>
    n === 'pz' ? Math.sqrt(Sigma[iz * HAHNEL_CORE.length + iz]) : v(`sd_ln_${n}`),
  );
  const e = CALIBRATED_CORE.indexOf('e_tki');
  mean[e] += calibration.deltaLnEtki;
  sd[e] *= Math.exp(calibration.lambdaSdEtki);
  sd[CALIBRATED_CORE.indexOf('pz')] *= Math.exp(calibration.lambdaSdPz);
  return {
    source: `knowledge base population.imatinib.* (SAEM on the Hähnel 2020 on-TKI series; e_tki: delta ${calibration.deltaLnEtki}, lambda ${calibration.lambdaSdEtki}; pz: 21-patient log-mean, lambda ${calibration.lambdaSdPz})`,
    names: [...CALIBRATED_CORE],
    mean,
    cov: sd.map((a, i) => sd.map((b, j) => (i === j ? a * b : 0))),
  };
}

/** The cohort section with its defaults (an absent section: all defaults). */
export function cohortSpecOf(s: Scenario): CohortSpec {
  return (
    s.cohort ?? { patients: 1000, core: 'calibrated', pk: true, parameters: {} } // the schema's defaults
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
    ...(spec.core === 'fitted' && spec.coreFit ? { fitted: fittedCore(spec.coreFit, mean, cov) } : {}),
    ...(spec.core === 'calibrated' ? { fitted: fittedCore(calibratedCoreFit(kb), mean, cov) } : {}),
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
  if (pop.fitted) {
    drawFittedCore(pop.fitted, s, out);
    return;
  }
  const d = HAHNEL_CORE.length;
  const z = out; // z is consumed in order: row i uses z[0..i], so it can be overwritten from the end
  for (let i = 0; i < d; i++) z[i] = standardNormal(s);
  for (let i = d - 1; i >= 0; i--) {
    let x = pop.logMean[i];
    for (let j = 0; j <= i; j++) x += pop.cholesky[i * d + j] * z[j];
    out[i] = x;
  }
}

/** core 'fitted': |S| normals for the fitted block, then |R| for the conditional rest, from the same stream. */
function drawFittedCore(f: FittedCore, s: UniformSource, out: Float64Array): void {
  const ds = f.S.length;
  const dr = f.R.length;
  const z = new Float64Array(Math.max(ds, dr));
  for (let i = 0; i < ds; i++) z[i] = standardNormal(s);
  for (let i = 0; i < ds; i++) {
    let x = f.meanS[i];
    for (let j = 0; j <= i; j++) x += f.cholS[i * ds + j] * z[j];
    out[f.S[i]] = x;
  }
  for (let i = 0; i < dr; i++) z[i] = standardNormal(s);
  for (let i = 0; i < dr; i++) {
    let x = f.muR[i];
    for (let k = 0; k < ds; k++) x += f.B[i * ds + k] * (out[f.S[k]] - f.muS[k]);
    for (let j = 0; j <= i; j++) x += f.cholR[i * dr + j] * z[j];
    out[f.R[i]] = x;
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
  if (spec.core === 'lognormal' || spec.core === 'fitted' || spec.core === 'calibrated') {
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
