/**
 * Population fit (SAEM with left-censoring, src/fitting/population) of the Hähnel 2020 model (Cancer Res
 * 80:2394) to the on-TKI BCR-ABL1 courses of its 21 patients (data/patients/hahnel2020_figS2_on_tki.csv; points
 * marked upper_limit_only are left-censored). Estimated with log-normal random effects: pyx, pxy, e_tki, Y_init
 * (X_init tied to pyx*Y_init/pxy, the transcriber's quasi-equilibrium); each patient's pz, Kz, Z_init and the
 * shared constants stay at the knowledge-base values (known per-subject constants); TKI is on throughout (the
 * data end at the stop). Prints the population estimates beside the log-moments of Table S1, the empirical
 * Bayes estimates beside each patient's published values, the cohortDistribution of the fit, and its map onto
 * the cohort's eight Hähnel core symbols (X0 through the tie; pz, Kz, Z0 from Table S1's log-moments).
 *
 *   npx tsx scripts/saem-hahnel.ts [burnIn=150] [averaging=50] [chains=2]
 */
import { readFileSync } from 'node:fs';
import { parseSeriesCsv } from '../src/fitting/data.js';
import { tieParameters } from '../src/fitting/model-fit-tie.js';
import { coreFitOf, coreFitYaml } from '../src/fitting/model-population.js';
import { cohortDistribution, type PopulationModel, saem } from '../src/fitting/population/index.js';
import { loadReferenceModel } from '../src/knowledge/reference-models.js';
import { compileModel } from '../src/models/compile/compile.js';
import { simulateModel } from '../src/models/simulate.js';

const burnIn = Number(process.argv[2] ?? 150);
const averaging = Number(process.argv[3] ?? 50);
const chains = Number(process.argv[4] ?? 2);
const path = 'data/patients/hahnel2020_figS2_on_tki.csv';
const data = parseSeriesCsv(readFileSync(path, 'utf8'), {
  source: path,
  id: 'patient',
  time: 'month',
  value: 'bcr_abl_percent',
  censored: 'upper_limit_only',
});
const names = ['pyx', 'pxy', 'e_tki', 'Y_init'] as const;
const patients = data.map((s) => {
  const ref = loadReferenceModel('hahnel2020', { patient: Number(s.id) });
  const compiled = compileModel(tieParameters(ref.model, { X_init: 'pyx*Y_init/pxy' }));
  const published = Object.fromEntries(
    names.map((n) => [n, ref.bindings.find((b) => b.id === n)?.value as number]),
  ) as Record<(typeof names)[number], number>;
  const times = s.observations.map((o) => o.t);
  const unique = [...new Set(times)];
  return {
    id: s.id,
    compiled,
    published,
    tStart: Math.min(0, times[0]),
    unique,
    index: times.map((t) => unique.indexOf(t)),
  };
});

let solves = 0;
let failures = 0;
const model: PopulationModel = {
  names,
  predict(i, psi, _times, out) {
    const pt = patients[i];
    solves++;
    // Y at or above 2 Ky leaves the domain of the read-out l/(2 - l).
    if (!(psi[3] < 1.999e6)) return false;
    const tc = simulateModel(pt.compiled, {
      tStart: pt.tStart,
      tEnd: pt.unique[pt.unique.length - 1],
      saveat: pt.unique,
      rtol: 1e-6,
      atol: 1e-6,
      params: { pyx: psi[0], pxy: psi[1], e_tki: psi[2], Y_init: psi[3], t_stop: 1e6 },
    });
    if (tc.retcode !== 'Success' || tc.time.length !== pt.unique.length) {
      failures++;
      return false;
    }
    const col = tc.column('bcr_abl_percent');
    for (let k = 0; k < pt.index.length; k++) {
      const v = col[pt.index[k]];
      if (!(v > 0) || !Number.isFinite(v)) return false;
      out[k] = v;
    }
    return true;
  },
};

// Table S1's log-moments (the cohort's current 'lognormal' core for these four symbols).
const table = patients.map((p) => names.map((n) => Math.log(p.published[n])));
const tMean = names.map((_, j) => table.reduce((a, r) => a + r[j], 0) / table.length);
const tSd = names.map((_, j) =>
  Math.sqrt(table.reduce((a, r) => a + (r[j] - tMean[j]) ** 2, 0) / (table.length - 1)),
);
const t0 = performance.now();
const r = saem(model, data, {
  initial: tMean.map(Math.exp),
  omega: [1, 1, 1, 1],
  sigma: 0.3,
  seed: 2020,
  burnIn,
  averaging,
  chains,
  kernels: [2, 2, 1],
  importanceSamples: 200,
  onIteration: (it) => {
    if (it.iteration % 10 === 0)
      process.stderr.write(
        `iteration ${it.iteration} (${it.phase}): mu ${[...it.mu].map((x) => x.toPrecision(3)).join(' ')}, omega ${[...it.omega].map((x) => x.toFixed(2)).join(' ')}, sigma ${it.sigma.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
      );
  },
});
const seconds = (performance.now() - t0) / 1000;
const f3 = (x: number) => x.toPrecision(3);
console.log(
  `SAEM on ${data.length} Hähnel patients: ${seconds.toFixed(0)} s, ${solves} ODE solves (${failures} failed)`,
);
console.log(
  `sigma (log10) ${f3(r.sigma)} ± ${f3(r.standardErrors?.sigma ?? Number.NaN)}; acceptance ${[...r.acceptance].map((x) => x.toFixed(2)).join(' ')}`,
);
const se = r.standardErrors;
if (se && !se.covariance)
  console.log(
    `Louis information not positive definite; its diagonal: ${se.labels.map((l, k) => `${l} ${se.information[k * se.labels.length + k].toPrecision(3)}`).join(', ')}`,
  );
if (r.likelihood)
  console.log(
    `-2LL ${r.likelihood.minus2LogLikelihood.toFixed(1)} ± ${r.likelihood.mcError.toFixed(1)}, BIC ${r.likelihood.bic.toFixed(1)}`,
  );
console.log('\nparameter  SAEM mu (SE)             Table S1 geo.mean  SAEM omega (SE)   Table S1 SD(log)');
names.forEach((n, j) =>
  console.log(
    `${n.padEnd(10)} ${f3(r.mu[j]).padEnd(9)} (${f3(r.standardErrors?.muNatural[j] ?? Number.NaN)})`.padEnd(
      36,
    ) +
      `${f3(Math.exp(tMean[j])).padEnd(18)} ${r.omegaSd[j].toFixed(2)} (${(r.standardErrors?.omega[j] ?? Number.NaN).toFixed(2)})`.padEnd(
        18,
      ) +
      `      ${tSd[j].toFixed(2)}`,
  ),
);
console.log('\nEBE (conditional mode) / published, per patient:');
console.log(`patient  ${names.map((n) => n.padEnd(10)).join(' ')}`);
const ratios: number[][] = names.map(() => []);
r.subjects.forEach((s, i) => {
  const pub = patients[i].published;
  const row = names.map((n, j) => {
    const q = (s.modePsi ?? s.meanPsi)[j] / pub[n];
    ratios[j].push(q);
    return f3(q).padEnd(10);
  });
  console.log(`${s.id.padEnd(8)} ${row.join(' ')}`);
});
const median = (x: number[]) => {
  const y = [...x].sort((a, b) => a - b);
  return y.length % 2 ? y[(y.length - 1) / 2] : 0.5 * (y[y.length / 2 - 1] + y[y.length / 2]);
};
names.forEach((n, j) =>
  console.log(
    `${n}: median EBE/published ${f3(median(ratios[j]))}, within a factor 2 for ${ratios[j].filter((q) => q >= 0.5 && q <= 2).length}/${ratios[j].length}`,
  ),
);
const d = cohortDistribution(r);
console.log('\ncohortDistribution (log scale) for src/cohort/population.ts:');
console.log(`names ${d.names.join(', ')}`);
console.log(`mean  ${[...d.mean].map((x) => x.toFixed(3)).join(' ')}`);
console.log(`cov   ${[...d.cov].map((x) => x.toFixed(3)).join(' ')}`);

// For a scenario: the cohort draws the fitted block from this law and the other core parameters (X0 by the
// quasi-equilibrium, pz, Kz, Z0) from their conditional law under the 21-patient log-normal (docs/cohorts.md).
const fit = coreFitOf(r);
if (fit.coreFit)
  console.log(`\n${coreFitYaml(fit.coreFit, 'scripts/saem-hahnel.ts (SAEM, on-TKI data of 21 patients)')}`);
if (fit.coreFitNote) console.log(fit.coreFitNote);
