/**
 * Can the blood read-out (src/niche/blood.ts) give the imatinib first phase (V04) without losing V05, V08 and V10?
 * Runs the validation cohort's scenario (COHORT_SCENARIOS imatinib-10y: imatinib 400 mg, PCR monthly to month 3)
 * for 12 months under the calibrated population law with its e_tki hyper-parameters moved, and the blood read-out
 * with the block G (fold 1 + G on the drug; fixed, or log-normal across patients with coefficient of variation CV),
 * and prints the four read-outs beside their tolerances (src/cohort/validation.ts). docs/population-calibration.md
 * records the result. `--pz median:cv` replaces pz's conditional draw by a log-normal (a probe of the immune
 * spread, which sets the early deep responses).
 *
 *   npx tsx scripts/explore-blood-readout.ts [--patients 600] [--grid G:delta:lambda:CV,...] [--pz 293:7.3]
 *
 * A grid point `0:-0.155:0.348:0` is the default law with the stem read-out's numbers (G = 0 is that read-out).
 */
import { calibratedCoreFit, kbCoreCalibration } from '../src/cohort/population.js';
import { prepareCohort, simulatePatient } from '../src/cohort/program.js';
import { COHORT_SCENARIOS, caseV04, caseV05, caseV08, caseV10 } from '../src/cohort/validation.js';
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { parseScenario } from '../src/scenario/load.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const patients = Number(arg('--patients') ?? 600);
const grid = (
  arg('--grid') ??
  '0:-0.155:0.348:0,9:-0.155:0.348:0,9:-0.7:0.348:0,2:-0.4:0.348:0,1:-0.15:0.348:10,1:-0.3:0.348:30,3:-0.2:0.348:30,8:-0.3:0.348:30'
)
  .split(',')
  .map((p) => p.split(':').map(Number) as [number, number, number, number]);

const kb = loadKnowledgeBase();
const base = COHORT_SCENARIOS.find((c) => c.id === 'imatinib-10y');
if (!base) throw new Error('no imatinib-10y cohort');

const pz = arg('--pz')?.split(':').map(Number);

function text(G: number, delta: number, lambda: number, cv: number): string {
  const fit = calibratedCoreFit(kb, { ...kbCoreCalibration(kb), deltaLnEtki: delta, lambdaSdEtki: lambda });
  const g = G > 0 ? `lognormal: {median: ${G}, cv: ${cv}}` : 'normal: {mean: 0, sd: 0}';
  const immune = pz ? `    pz:\n      lognormal: {median: ${pz[0]}, cv: ${pz[1]}}\n` : '';
  const block = `  parameters:\n    blood_block:\n      ${g}\n${immune}`;
  return (
    (base as (typeof COHORT_SCENARIOS)[number]).yaml
      .replace(/^cohort:\n(?: .*\n?)*/m, '')
      .replace(/^durationMonths: \d+$/m, 'durationMonths: 12')
      .replace('niche:\n', 'niche:\n  readout: blood\n') +
    `cohort:\n  patients: ${patients}\n  core: fitted\n  coreFit: ${JSON.stringify({ ...fit, source: fit.source ?? 'calibrated' })}\n${block}`
  );
}

process.stdout.write(
  `${patients} patients, 12 months; V04 responders' first phase 0.04-0.06/day, V05 0.003-0.009/day, V08 55-75 %, V10 20-40 %\n\n`,
);
process.stdout.write(
  '| G | CV of G | delta ln e_tki | lambda sd | V04 | V05 | V08 | V10 | passes |\n|---|---|---|---|---|---|---|---|---|\n',
);
for (const [G, delta, lambda, cv] of grid) {
  const program = prepareCohort(parseScenario(text(G, delta, lambda, cv), 'explore-blood-readout', kb), kb);
  const o = Array.from({ length: patients }, (_, k) => simulatePatient(program, k)).filter(
    (r) => r.status === 'ok',
  );
  const rows = [caseV04(o, kb)[0], caseV05(o)[0], caseV08(o, kb)[0], caseV10(o, kb)[0]];
  const cell = (i: number) => `${rows[i].obtained.split(' (')[0]} ${rows[i].status === 'pass' ? '✓' : '✗'}`;
  process.stdout.write(
    `| ${G} | ${cv} | ${delta} | ${lambda} | ${cell(0)} | ${cell(1)} | ${cell(2)} | ${cell(3)} | ${rows.filter((r) => r.status === 'pass').length} |\n`,
  );
}
