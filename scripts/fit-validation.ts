/**
 * Fitting validations on published patient data (issue #9).
 *
 * (a) Michor et al. 2005 (Nature 435:1267, Fig. 2; data: Supplementary Fig. 5 as digitised in radivot/myelo,
 *     data/patients/michor2005_imatinib_patients.csv): every patient with enough points in each phase (>= 3 measured
 *     points up to day 100 and >= 2 from day 120) is fitted with the closed-form bi-exponential
 *     y = A e^{-a t} + B e^{-b t} on log10 (src/fitting/biexponential.ts); we report the median per-patient
 *     log-slopes -a and -b (published: about -0.05/day and -0.005 to -0.008/day).
 * (b) Hähnel et al. 2020 (Cancer Res 80:2394; data: Fig. S2 on-TKI courses with left-censored points,
 *     data/patients/hahnel2020_figS2_on_tki.csv): each patient's series is fitted with the hahnel2020 reference model
 *     (src/fitting/model-fit-run.ts: least squares with forward sensitivities, 8 Latin hypercube starts), fitting
 *     the parameters that the on-TKI decline informs (pyx, pxy, e_tki, Y_init; X_init tied to the quasi-equilibrium
 *     pyx*Y_init/pxy as in the transcription; the immune parameters and t_stop fixed at the patient's published
 *     values). The table puts the published Table S1 values (knowledge base, hahnel2020.patientNN.*) beside the
 *     estimates with their ratio, and the NLL at both on the same data and error model (sigma estimated).
 *
 * Usage: npx tsx scripts/fit-validation.ts [--out DIR] [--patients 1,2,...] [--profile] [--starts N]
 * Writes DIR/validation.json, DIR/validation.md and DIR/report-hahnel.html (default DIR runs/fit-validation).
 */
import { readFileSync } from 'node:fs';
import { fitBiexponential, hasBothPhases } from '../src/fitting/biexponential.js';
import { parseSeriesCsv, type Series } from '../src/fitting/data.js';
import { ModelFitProblem, type ModelFitSetup } from '../src/fitting/model-fit.js';
import { fitModel, type ModelFitResult, type SubjectFit } from '../src/fitting/model-fit-run.js';
import { tieParameters } from '../src/fitting/model-fit-tie.js';
import type { ParameterSpec } from '../src/fitting/transform.js';
import { sha256 } from '../src/io/manifest.js';
import { writeFolderAtomic } from '../src/io/run-folder.js';
import { loadReferenceModel } from '../src/knowledge/reference-models.js';
import { compileModel } from '../src/models/compile/compile.js';
import { type PublishedValues, renderFitReport } from '../src/report/fit.js';
import { VERSION } from '../src/version.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const out = arg('--out') ?? 'runs/fit-validation';
const starts = Number(arg('--starts') ?? 8);
const profile = process.argv.includes('--profile');
const onlyPatients = arg('--patients')?.split(',');

const median = (v: number[]) => {
  const w = [...v].sort((a, b) => a - b);
  const m = w.length;
  return m % 2 ? w[(m - 1) / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
};
const quantile = (v: number[], q: number) => {
  const w = [...v].sort((a, b) => a - b);
  const h = (w.length - 1) * q;
  const lo = Math.floor(h);
  return w[lo] + (h - lo) * ((w[Math.min(lo + 1, w.length - 1)] ?? w[lo]) - w[lo]);
};
const f4 = (x: number | undefined | null) =>
  x === undefined || x === null || !Number.isFinite(x) ? '-' : String(Number(x.toPrecision(4)));

/** A shipped patient file (columns patient, <time>, bcr_abl_percent[, <censored>]) and its text for the manifest. */
function loadSeries(path: string, time: string, censored?: string): { text: string; series: Series[] } {
  const text = readFileSync(path, 'utf8');
  const series = parseSeriesCsv(text, {
    source: path,
    id: 'patient',
    time,
    value: 'bcr_abl_percent',
    ...(censored !== undefined ? { censored } : {}),
  });
  return { text, series };
}

// (a) Michor 2005
const michorPath = 'data/patients/michor2005_imatinib_patients.csv';
const { text: michorText, series: michor } = loadSeries(michorPath, 'day');
const tA = performance.now();
const eligible = michor.filter((s) => hasBothPhases(s));
const bi = eligible.map((s) => fitBiexponential(s));
const slopeA = bi.map((f) => -f.a);
const slopeB = bi.map((f) => -f.b);
const michorSummary = {
  patients: michor.length,
  eligible: eligible.length,
  criterion: '>= 3 measured points at day <= 100 and >= 2 at day >= 120',
  medianSlope1: median(slopeA),
  iqrSlope1: [quantile(slopeA, 0.25), quantile(slopeA, 0.75)],
  medianSlope2: median(slopeB),
  iqrSlope2: [quantile(slopeB, 0.25), quantile(slopeB, 0.75)],
  medianSigma: median(bi.map((f) => f.sigma)),
  published:
    'about -0.05/day and -0.005 to -0.008/day (Michor 2005 Fig. 2; Tang 2011: -0.052 +- 0.018, -0.0057 +- 0.0038)',
  seconds: (performance.now() - tA) / 1000,
  fits: bi,
};
process.stderr.write(
  `Michor 2005: ${eligible.length}/${michor.length} patients; median slopes ${f4(michorSummary.medianSlope1)} and ` +
    `${f4(michorSummary.medianSlope2)} /day (${michorSummary.seconds.toFixed(1)} s)\n`,
);

// (b) Hähnel 2020
const hahnelPath = 'data/patients/hahnel2020_figS2_on_tki.csv';
const { text: hahnelText, series: hahnelAll } = loadSeries(hahnelPath, 'month', 'upper_limit_only');
const hahnel = hahnelAll
  .filter((s) => !onlyPatients || onlyPatients.includes(s.id))
  .sort((a, b) => Number(a.id) - Number(b.id));
const fitted = ['pyx', 'pxy', 'e_tki', 'Y_init'];
/** Ranges wide enough to hold every patient's published value (Table S1 spans 1e-6..1 /month for pyx, pxy). */
const specs: ParameterSpec[] = [
  { name: 'pyx', lo: 1e-6, hi: 2, scale: 'log' },
  { name: 'pxy', lo: 1e-7, hi: 1, scale: 'log' },
  { name: 'e_tki', lo: 0.5, hi: 50, scale: 'log' },
  // Y below Ky = 1e6 keeps l/(2 - l) a ratio; 1.999e6 is the largest Y with a finite read-out
  { name: 'Y_init', lo: 1e3, hi: 1.999e6, scale: 'log' },
];
const rows: {
  patient: string;
  n: number;
  censored: number;
  published: Record<string, number>;
  fitted: Record<string, number>;
  nllPublished: number;
  nllFitted: number;
  sigmaFitted: number;
  seconds: number;
}[] = [];
const subjects: SubjectFit[] = [];
const published: Record<string, PublishedValues> = {};
let last: ModelFitResult | undefined;
const tB = performance.now();
for (const s of hahnel) {
  const k = Number(s.id);
  const ref = loadReferenceModel('hahnel2020', { patient: k });
  const model = compileModel(tieParameters(ref.model, { X_init: 'pyx*Y_init/pxy' }));
  const pub = Object.fromEntries(
    fitted.map((n) => [n, ref.bindings.find((b) => b.id === n)?.value as number]),
  );
  // Start at the published values when they lie inside the ranges (start 0), the rest a Latin hypercube.
  const sp = specs.map((p) =>
    pub[p.name] > p.lo && pub[p.name] < p.hi ? { ...p, initial: pub[p.name] } : p,
  );
  // Digitised times can fall slightly before 0 (patient 16: -0.08 months): start the model there.
  const tStart = Math.min(0, s.observations[0].t);
  const setup: ModelFitSetup = { model, observable: 'bcr_abl_percent', parameters: sp, tStart };
  const r = fitModel(setup, [s], { seed: 2020, starts, profile });
  last = r;
  const sub = r.subjects[0];
  subjects.push(sub);
  const nllPub = new ModelFitProblem(setup, [s]).fullNll(fitted.map((n) => pub[n])).nll;
  published[s.id] = {
    values: pub,
    nll: nllPub,
    source: `Hähnel et al. 2020 Table S1 via the knowledge base (hahnel2020.patient${String(k).padStart(2, '0')}.*), class ${ref.patientClass ?? '?'}`,
  };
  rows.push({
    patient: s.id,
    n: s.observations.length,
    censored: sub.censored,
    published: pub,
    fitted: sub.estimates,
    nllPublished: nllPub,
    nllFitted: sub.nll,
    sigmaFitted: sub.sigma,
    seconds: sub.seconds,
  });
  process.stderr.write(
    `Hähnel patient ${s.id}: NLL ${f4(sub.nll)} (published ${f4(nllPub)}), e_tki ${f4(sub.estimates.e_tki)} (${f4(pub.e_tki)}), ${sub.seconds.toFixed(1)} s, ${sub.solves} solves, starts ${sub.starts.map((q) => `${f4(q.nll)}/${q.evaluations}${q.converged ? '' : '!'}`).join(' ')}\n`,
  );
}
const hahnelSeconds = (performance.now() - tB) / 1000;
const ratio = (n: string) => rows.map((r) => r.fitted[n] / r.published[n]);
const hahnelSummary = {
  patients: rows.length,
  fitted,
  tie: 'X_init = pyx*Y_init/pxy',
  fixed: 'py, Ky, az, rz, m, pz, Kz, t_stop, Z_init at the patient values',
  betterOrEqual: rows.filter((r) => r.nllFitted <= r.nllPublished + 1e-6).length,
  atUpperBound: Object.fromEntries(
    specs.map((p) => [p.name, rows.filter((r) => r.fitted[p.name] >= p.hi * (1 - 1e-6)).length]),
  ),
  atLowerBound: Object.fromEntries(
    specs.map((p) => [p.name, rows.filter((r) => r.fitted[p.name] <= p.lo * (1 + 1e-6)).length]),
  ),
  medianRatio: Object.fromEntries(fitted.map((n) => [n, median(ratio(n))])),
  within2: Object.fromEntries(fitted.map((n) => [n, ratio(n).filter((x) => x >= 0.5 && x <= 2).length])),
  seconds: hahnelSeconds,
  rows,
};

// Markdown table and report
const md: string[] = [
  `# Fit validations (exoniche ${VERSION})`,
  '',
  '## Michor 2005: bi-exponential per patient',
  '',
  `${michorSummary.eligible} of ${michorSummary.patients} patients (${michorSummary.criterion}).`,
  '',
  '| quantity | median | IQR | published |',
  '|---|---|---|---|',
  `| first slope (/day) | ${f4(michorSummary.medianSlope1)} | ${f4(michorSummary.iqrSlope1[0])} to ${f4(michorSummary.iqrSlope1[1])} | about -0.05 |`,
  `| second slope (/day) | ${f4(michorSummary.medianSlope2)} | ${f4(michorSummary.iqrSlope2[0])} to ${f4(michorSummary.iqrSlope2[1])} | about -0.005 to -0.008 |`,
  `| residual sd (log10) | ${f4(michorSummary.medianSigma)} | | |`,
  '',
  '## Hähnel 2020: on-TKI courses, hahnel2020 model',
  '',
  `Fitted ${fitted.join(', ')} (${hahnelSummary.tie}; ${hahnelSummary.fixed}); sigma estimated; ${starts} starts; ` +
    `${hahnelSummary.betterOrEqual} of ${rows.length} fits reach an NLL at or below the one at the published values.`,
  '',
  `| patient | n (cens.) | ${fitted.map((n) => `${n} pub / fit (ratio)`).join(' | ')} | NLL pub | NLL fit |`,
  `|---|---|${fitted.map(() => '---').join('|')}|---|---|`,
  ...rows.map(
    (r) =>
      `| ${r.patient} | ${r.n} (${r.censored}) | ${fitted
        .map((n) => `${f4(r.published[n])} / ${f4(r.fitted[n])} (${f4(r.fitted[n] / r.published[n])})`)
        .join(' | ')} | ${f4(r.nllPublished)} | ${f4(r.nllFitted)} |`,
  ),
  '',
  `Median ratio fitted/published: ${fitted.map((n) => `${n} ${f4(hahnelSummary.medianRatio[n])}`).join(', ')}; ` +
    `within a factor 2: ${fitted.map((n) => `${n} ${hahnelSummary.within2[n]}/${rows.length}`).join(', ')}; ` +
    `at the upper bound: ${fitted.map((n) => `${n} ${hahnelSummary.atUpperBound[n]}`).join(', ')}; ` +
    `at the lower bound: ${fitted.map((n) => `${n} ${hahnelSummary.atLowerBound[n]}`).join(', ')}.`,
  '',
];
const files = new Map<string, string>();
files.set(
  'validation.json',
  `${JSON.stringify(
    {
      version: VERSION,
      inputs: [
        { path: michorPath, sha256: sha256(michorText) },
        { path: hahnelPath, sha256: sha256(hahnelText) },
      ],
      michor: michorSummary,
      hahnel: hahnelSummary,
    },
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  )}\n`,
);
files.set('validation.md', `${md.join('\n')}\n`);
if (last) {
  const result: ModelFitResult = {
    ...last,
    subjects,
    seconds: hahnelSeconds,
    solves: subjects.reduce((a, s) => a + s.solves, 0),
  };
  files.set(
    'report-hahnel.html',
    await renderFitReport({
      result,
      title: 'Hähnel 2020 on-TKI courses refitted',
      description:
        'Each patient of Fig. S2 fitted with the hahnel2020 reference model (pyx, pxy, e_tki, Y_init; X_init tied to ' +
        'pyx*Y_init/pxy; the rest at the published patient values), published Table S1 values beside.',
      inputs: [{ path: hahnelPath, sha256: sha256(hahnelText) }],
      published,
      timeLabel: 'months',
      valueLabel: 'BCR-ABL1/ABL1 (%)',
    }),
  );
}
writeFolderAtomic(out, files, { force: true });
process.stdout.write(`${md.join('\n')}\nwrote ${out}\n`);
