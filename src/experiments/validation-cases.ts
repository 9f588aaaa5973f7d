/**
 * The shared validation cases of cml-models.md §9 (V01-V30) as runnable checks for `npm run validate`.
 *
 * - Computed here from the src functions (reference-model catalogue, therapy PK/PD): V01-V03 (Michor 2005), V22
 *   (Fassoni 2018), V24 (mutation x drug matrix from IC50 and steady-state exposure), V25 (imatinib PK and its
 *   inter-patient CV). The vitest files test/validation/michor2005.test.ts, test/validation/fassoni2018.test.ts,
 *   test/experiments/v24.test.ts, test/therapy/pk.test.ts and test/therapy/variability.test.ts assert the same
 *   cases; this module reports the obtained numbers beside the targets.
 * - Delegated to their test files, run as they are (exact table checks): V27 (phase), V28 (ELN milestones), V29
 *   (TFR eligibility): the runner reports how many of their tests pass.
 * - Cohort-level cases (virtual cohorts of >= 1,000 patients with inter-patient variability, issue 8): pending.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { loadReferenceModel } from '../knowledge/reference-models.js';
import type { Evidence } from '../knowledge/schema/common.js';
import type { ClinicalCategory } from '../knowledge/schema/mutation.js';
import type { Event, Model } from '../models/ir.js';
import { simulateModel, type TimeCourse } from '../models/simulate.js';
import { call, num, sym } from '../numerics/expr/ast.js';
import { steadyStateExposure } from '../therapy/exposure.js';
import { clonePotency, DEFAULT_HILL, PotencyError } from '../therapy/pd.js';
import { terminalHalfLife } from '../therapy/pk.js';
import { drugPk } from '../therapy/pk-params.js';
import { steadyState } from '../therapy/steady-state.js';
import { samplePatients } from '../therapy/variability.js';

export type CaseStatus = 'pass' | 'fail' | 'pending';

export interface CaseRow {
  /** 'V01', 'V01 slope 5-60 d', 'VE-1 tube_fold', ... */
  readonly case: string;
  readonly description: string;
  readonly expected: string;
  readonly obtained: string;
  readonly tolerance: string;
  readonly status: CaseStatus;
  readonly detail?: string;
}

const rel = (x: number, target: number) => Math.abs(x - target) / Math.abs(target);
const g = (x: number, d = 4) => `${+x.toPrecision(d)}`;

/** A row judged by relative error. */
function relRow(id: string, description: string, obtained: number, target: number, rtol: number): CaseRow {
  return {
    case: id,
    description,
    expected: g(target),
    obtained: g(obtained),
    tolerance: `±${g(100 * rtol)} % rel.`,
    status: rel(obtained, target) <= rtol ? 'pass' : 'fail',
  };
}

/** A row judged by absolute error. */
function absRow(
  id: string,
  description: string,
  obtained: number,
  target: number,
  atol: number,
  unit = '',
): CaseRow {
  return {
    case: id,
    description,
    expected: `${g(target)}${unit}`,
    obtained: `${g(obtained)}${unit}`,
    tolerance: `±${g(atol)}${unit}`,
    status: Math.abs(obtained - target) <= atol ? 'pass' : 'fail',
  };
}

/** A row judged by an inclusive range. */
function rangeRow(
  id: string,
  description: string,
  obtained: number,
  lo: number,
  hi: number,
  unit = '',
): CaseRow {
  return {
    case: id,
    description,
    expected: `${g(lo)}–${g(hi)}${unit}`,
    obtained: `${g(obtained)}${unit}`,
    tolerance: 'range',
    status: obtained >= lo && obtained <= hi ? 'pass' : 'fail',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// V01-V03: Michor 2005 (§2.4 set-up: one LSC grown untreated until y3 = 10 x3, imatinib from then on, u = 0).

const MICHOR_SOLVER = { method: 'Rodas5P', rtol: 1e-10, atol: 1e-6 } as const;
/** One LSC, no mutation, the model's own time-based start disabled (the burden event starts imatinib). */
const MICHOR_PARAMS = { u: 0, t_imatinib_start: 1e12, y0_init: 1, y1_init: 0, y2_init: 0, y3_init: 0 };

function michorModel(extra: Readonly<Record<string, number>> = {}): Model {
  const ref = loadReferenceModel('michor2005');
  const start: Event = {
    id: 'start_at_burden',
    trigger: {
      math: call('geq', sym('y3'), call('times', num(10), sym('x3'))),
      initialValue: true,
      persistent: true,
    },
    useValuesFromTriggerTime: true,
    assignments: [
      { variable: 'imatinib', math: num(1) },
      ...Object.entries(extra).map(([variable, v]) => ({ variable, math: num(v) })),
    ],
  };
  return { ...ref.model, events: [...ref.model.events, start] };
}

function michorStart(model: Model): number {
  const r = simulateModel(model, { tEnd: 4000, ...MICHOR_SOLVER, params: MICHOR_PARAMS });
  if (r.retcode !== 'Success') throw new Error(`Michor set-up failed: ${r.message}`);
  const e = r.events.find((x) => x.id === 'start_at_burden');
  if (!e) throw new Error('imatinib never started');
  return e.t;
}

function michorRun(model: Model, T: number, days: number[], params: Record<string, number> = {}): TimeCourse {
  const r = simulateModel(model, {
    tEnd: T + Math.max(...days),
    saveat: days.map((d) => T + d),
    ...MICHOR_SOLVER,
    params: { ...MICHOR_PARAMS, ...params },
  });
  if (r.retcode !== 'Success') throw new Error(`Michor run failed: ${r.message}`);
  return r;
}

/** Index of the (post-event) output at day d after T. */
function dayIndex(r: TimeCourse, T: number, d: number): number {
  let k = -1;
  for (let i = 0; i < r.time.length; i++) if (Math.abs(r.time[i] - T - d) < 1e-6) k = i;
  if (k < 0) throw new Error(`no output at day ${d}`);
  return k;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);

function nadir(r: TimeCourse, v: Float64Array, T: number): { day: number; value: number } {
  let m = 0;
  for (let i = 0; i < v.length; i++) if (v[i] < v[m]) m = i;
  return { day: r.time[m] - T, value: v[m] };
}

export function michorCases(): CaseRow[] {
  const model = michorModel();
  const T = michorStart(model);
  const r = michorRun(model, T, range(0, 500));
  const y3 = r.column('y3');
  const rb = r.column('bcr_abl');
  const slope = (a: number, b: number) =>
    (Math.log(y3[dayIndex(r, T, b)]) - Math.log(y3[dayIndex(r, T, a)])) / (b - a);
  const n1 = nadir(r, rb, T);
  const rows: CaseRow[] = [
    relRow('V01', 'Michor: ln-slope of y3, days 5-60 (per day)', slope(5, 60), -0.0497, 0.01),
    relRow('V01', 'Michor: ln-slope of y3, days 150-365 (per day)', slope(150, 365), -0.0087, 0.01),
    relRow('V01', 'Michor: RB at 90 days', rb[dayIndex(r, T, 90)], 0.0594, 0.01),
    relRow('V01', 'Michor: RB at 180 days', rb[dayIndex(r, T, 180)], 0.00289, 0.01),
    relRow('V01', 'Michor: RB at 365 days', rb[dayIndex(r, T, 365)], 0.000887, 0.01),
    relRow('V01', 'Michor: day of the RB nadir (daily grid)', n1.day, 411, 0.01),
  ];
  // V02: stop at day 365; first day RB is back at its pre-treatment value.
  const stopDays = [0, ...range(36500, 40000).map((d) => d / 100)];
  const s = michorRun(model, T, stopDays, { t_imatinib_stop: T + 365 });
  const rbs = s.column('bcr_abl');
  const pre = rbs[dayIndex(s, T, 0)];
  let back = Number.NaN;
  for (let i = 1; i < s.time.length; i++) {
    const t = s.time[i] - T;
    if (t > 365 && rbs[i] >= pre && rbs[i - 1] < pre) {
      back = s.time[i - 1] - T + ((pre - rbs[i - 1]) / (rbs[i] - rbs[i - 1])) * (s.time[i] - s.time[i - 1]);
      break;
    }
  }
  rows.push(
    absRow(
      'V02',
      'Michor: days after stopping at day 365 until RB >= pre-treatment',
      back - 365,
      26,
      2,
      ' d',
    ),
  );
  // V03: 10 resistant LSCs (and their steady-state progeny) at the start of therapy.
  const ref = loadReferenceModel('michor2005');
  const kv = (id: string) => {
    const b = ref.bindings.find((x) => x.id === id);
    if (!b) throw new Error(`michor2005 has no binding '${id}'`);
    return b.value;
  };
  const z0 = 10;
  const z1 = (kv('az') * z0) / kv('d1');
  const z2 = (kv('bz') * z1) / kv('d2');
  const z3 = (kv('cz') * z2) / kv('d3');
  const m3 = michorModel({ z0, z1, z2, z3 });
  const T3 = michorStart(m3);
  const r3 = michorRun(m3, T3, range(0, 730));
  const rb3 = r3.column('bcr_abl');
  const n3 = nadir(r3, rb3, T3);
  rows.push(
    absRow('V03', 'Michor + 10 resistant LSCs: day of the RB nadir', n3.day, 243, 5, ' d'),
    relRow('V03', 'Michor + 10 resistant LSCs: RB at the nadir', n3.value, 0.002, 0.02),
    relRow('V03', 'Michor + 10 resistant LSCs: RB at 2 years', rb3[dayIndex(r3, T3, 730)], 0.9, 0.02),
  );
  return rows;
}

// V22: Fassoni 2018 typical patient, BCR-ABL1 % at 3, 6, 12 months.
export function fassoniCases(): CaseRow[] {
  const ref = loadReferenceModel('fassoni2018');
  const r = simulateModel(ref.model, {
    tEnd: 12,
    saveat: [3, 6, 12],
    method: 'Rodas5P',
    rtol: 1e-10,
    atol: 1e-8,
  });
  if (r.retcode !== 'Success') throw new Error(`Fassoni run failed: ${r.message}`);
  const pct = r.column('bcr_abl_percent');
  return [
    relRow('V22', 'Fassoni typical patient: BCR-ABL1 % at 3 months', pct[0], 5.05, 0.02),
    relRow('V22', 'Fassoni typical patient: BCR-ABL1 % at 6 months', pct[1], 0.33, 0.02),
    relRow('V22', 'Fassoni typical patient: BCR-ABL1 % at 12 months', pct[2], 0.061, 0.02),
  ];
}

/** Seed and size of the V25 virtual PK population (as test/therapy/variability.test.ts). */
const V25_SEED = 11;
const V25_PATIENTS = 3000;

// V25: imatinib 400 mg QD at steady state; CV of the trough across patients.
export function imatinibPkCases(kb: KnowledgeBase): CaseRow[] {
  const pk = drugPk(kb, 'imatinib');
  const ss = steadyState(pk.params, 400, 24);
  const cmins = samplePatients(pk.params, pk.cv, V25_SEED, V25_PATIENTS, 'imatinib').map(
    (p) => steadyState(p, 400, 24).cmin,
  );
  const mean = cmins.reduce((a, b) => a + b, 0) / cmins.length;
  const sd = Math.sqrt(cmins.reduce((a, b) => a + (b - mean) ** 2, 0) / (cmins.length - 1));
  return [
    relRow('V25', 'imatinib 400 mg QD: Cmax,ss (ng/mL)', ss.cmax, 2600, 0.2),
    relRow('V25', 'imatinib 400 mg QD: Cmin,ss (ng/mL)', ss.cmin, 1200, 0.2),
    relRow('V25', 'imatinib: terminal half-life (h)', terminalHalfLife(pk.params), 18, 0.2),
    rangeRow(
      'V25',
      `imatinib: inter-patient CV of Cmin,ss (${V25_PATIENTS} virtual patients, seed ${V25_SEED}), %`,
      (100 * sd) / mean,
      40,
      65,
      ' %',
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// V24: mutation x drug matrix (cml-models.md §5.1) from cellular IC50 and steady-state PK.

/** The six TKIs of the §5.1 matrix, in its column order. */
export const V24_DRUGS = [
  'imatinib',
  'nilotinib',
  'dasatinib',
  'bosutinib',
  'ponatinib',
  'asciminib',
] as const;

/**
 * A clone is predicted resistant when its steady-state mean drug effect (Emax/Hill of the unbound concentration,
 * as src/niche/tki.ts) is below this fraction of the native clone's at the drug's standard regimen. Assumption (A),
 * fixed before the matrix was computed and not tuned: the same half-maximal convention as the IC50 itself, and in
 * the niche model (tkiE multiplies the fitted kill rate) a clone below it keeps less than half of the kill that
 * gives the native response. With Hill 1 and a constant concentration the ratio is (c + 1)/(c + f) (c = C_u /
 * IC50_native, f = fold IC50), so the cut is f > 2 + c: a 2-fold IC50 rise at low exposure (the recalled [R]
 * "sensitive <= 2-fold" boundary of Redaelli et al. 2009), a larger one where exposure exceeds the native IC50.
 */
export const V24_RESISTANT_BELOW = { value: 0.5, evidence: 'A' as const };

/** One mutation x drug cell of the matrix. */
export interface MatrixCell {
  readonly mutation: string;
  readonly drug: string;
  /** Regimen id: the one the knowledge base lists for this mutation (setting = mutation id), else the standard. */
  readonly regimen: string;
  /** The knowledge base's clinical category and its evidence (absent when the KB has no category here). */
  readonly clinical?: ClinicalCategory;
  readonly evidence?: Evidence;
  /** Steady-state mean effect at `regimen` over the native clone's at the standard regimen. */
  readonly ratio?: number;
  /** The clone's IC50 is censored ('> x'): `ratio` is then an upper bound. */
  readonly censored: boolean;
  /** 'resistant' | 'sensitive', or undefined when the model cannot tell (no potency, censored and above the cut). */
  readonly predicted?: 'resistant' | 'sensitive';
  /** Why there is no prediction. */
  readonly reason?: string;
  /** Scored: a clinical category with evidence V. */
  readonly scored: boolean;
  /** For scored cells: the prediction matches (intermediate counts as resistant: "less sensitive"). */
  readonly agrees?: boolean;
}

/** The model's predicted category for every drug of V24_DRUGS x every mutation of the knowledge base. */
export function mutationDrugMatrix(kb: KnowledgeBase): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const drug of V24_DRUGS) {
    const pk = drugPk(kb, drug);
    const regimens = kb.drugs.find((d) => d.id === drug)?.regimens ?? [];
    const effect = (ic50: number, dose: number, tau: number) =>
      steadyStateExposure(pk.params, dose, tau, pk.fu, pk.molecularWeight, { ic50, hill: DEFAULT_HILL.value })
        .meanEffect;
    const std = pk.standardRegimen;
    const eNative = effect(clonePotency(kb, drug, 'native').ic50, std.dose, std.intervalHours);
    for (const m of kb.mutations) {
      const row = kb.sensitivities.find((s) => s.drug === drug && s.mutation === m.id);
      const reg = regimens.find((r) => r.setting === m.id) ?? std;
      const clinical = row?.clinical;
      const evidence = row?.clinical ? row.evidence : undefined;
      const scored = clinical !== undefined && evidence === 'V';
      let ratio: number | undefined;
      let censored = false;
      let predicted: MatrixCell['predicted'];
      let reason: string | undefined;
      try {
        const pot = clonePotency(kb, drug, m.id);
        ratio = effect(pot.ic50, reg.dose, reg.intervalHours) / eNative;
        censored = pot.lowerBound;
        if (ratio < V24_RESISTANT_BELOW.value) predicted = 'resistant';
        else if (!censored) predicted = 'sensitive';
        else reason = `censored IC50 (> ${pot.ic50} nM): the ratio is at most ${g(ratio, 3)}, inconclusive`;
      } catch (err) {
        if (!(err instanceof PotencyError)) throw err;
        reason = 'no IC50 or fold resistance in the knowledge base: the model makes no prediction';
      }
      const agrees =
        scored && predicted !== undefined
          ? predicted === (clinical === 'sensitive' ? 'sensitive' : 'resistant')
          : scored
            ? false
            : undefined;
      cells.push({
        mutation: m.id,
        drug,
        regimen: reg.id,
        ...(clinical ? { clinical, evidence } : {}),
        ...(ratio !== undefined ? { ratio } : {}),
        censored,
        ...(predicted ? { predicted } : {}),
        ...(reason ? { reason } : {}),
        scored,
        ...(agrees !== undefined ? { agrees } : {}),
      });
    }
  }
  return cells;
}

const cellName = (c: MatrixCell) => `${c.mutation} x ${c.drug} (${c.regimen})`;
const cellText = (c: MatrixCell) =>
  `${cellName(c)}: KB ${c.clinical} [${c.evidence}], model ${c.predicted ?? 'none'}` +
  `${c.ratio !== undefined ? ` (effect ratio ${g(c.ratio, 3)}${c.censored ? ', upper bound' : ''})` : ''}` +
  `${c.reason ? ` — ${c.reason}` : ''}`;

/** V24 as one row: k of n [V] cells agree; pass only when all do. The detail lists the confusion and every miss. */
export function mutationMatrixCases(kb: KnowledgeBase): CaseRow[] {
  const cells = mutationDrugMatrix(kb);
  const scored = cells.filter((c) => c.scored);
  const agree = scored.filter((c) => c.agrees);
  const miss = scored.filter((c) => !c.agrees);
  const wrong = miss.filter((c) => c.predicted !== undefined);
  const blind = miss.filter((c) => c.predicted === undefined && c.ratio === undefined);
  const unsure = miss.filter((c) => c.predicted === undefined && c.ratio !== undefined);
  const kbR = (c: MatrixCell) => (c.clinical === 'sensitive' ? 'S' : 'R');
  const count = (k: string, p: MatrixCell['predicted']) =>
    scored.filter((c) => kbR(c) === k && c.predicted === p).length;
  const confusion =
    `confusion (KB -> model): R->R ${count('R', 'resistant')}, R->S ${count('R', 'sensitive')}, ` +
    `S->S ${count('S', 'sensitive')}, S->R ${count('S', 'resistant')}, no prediction ${count('R', undefined) + count('S', undefined)}`;
  // Unscored cells (evidence weaker than V) where the model contradicts the KB: reported, not judged.
  const other = cells.filter(
    (c) =>
      !c.scored &&
      c.clinical !== undefined &&
      c.predicted !== undefined &&
      c.predicted !== (c.clinical === 'sensitive' ? 'sensitive' : 'resistant'),
  );
  return [
    {
      case: 'V24',
      description: `mutation x drug matrix (cellular IC50 + steady-state PK, ${V24_DRUGS.length} TKIs x ${kb.mutations.length} KB mutations): model R/S vs the §5.1 [V] cells`,
      expected: `all ${scored.length} [V] cells agree`,
      obtained: `${agree.length} of ${scored.length} [V] cells agree`,
      tolerance: 'all [V] cells',
      status: miss.length === 0 && scored.length > 0 ? 'pass' : 'fail',
      detail:
        `resistant when the steady-state mean effect < ${V24_RESISTANT_BELOW.value} x native at the standard regimen ` +
        `(assumption A; Hill ${DEFAULT_HILL.value}, unbound concentration; intermediate counts as resistant); ${confusion}. ` +
        `Disagreeing: ${miss.length ? '' : 'none'}` +
        [
          ...wrong.map(cellText),
          ...(blind.length
            ? [
                `no prediction (no IC50 or fold resistance in the knowledge base): ${blind.map((c) => `${cellName(c)} KB ${c.clinical} [${c.evidence}]`).join(', ')}`,
              ]
            : []),
          ...unsure.map(cellText),
        ].join('; ') +
        '.' +
        (other.length
          ? ` Not scored (evidence weaker than V), model differs: ${other.map(cellText).join('; ')}.`
          : ''),
    },
  ];
}

/** Cases checked by existing test files, run as they are. */
export const DELEGATED_CASES: readonly { id: string; description: string; files: readonly string[] }[] = [
  {
    id: 'V27',
    description: 'phase classifier thresholds (WHO 2017 / ELN), exact',
    files: ['test/clinic/phase.test.ts'],
  },
  {
    id: 'V28',
    description: 'ELN 2020 milestone classifier, §4.1 table exactly',
    files: ['test/clinic/eln2020.test.ts'],
  },
  { id: 'V29', description: 'ELN TFR eligibility logic, exact', files: ['test/clinic/tfr.test.ts'] },
];

/** Cohort-level cases of cml-models.md §9: they need virtual cohorts (>= 1,000 patients with variability). */
export const COHORT_CASES: readonly {
  id: string;
  description: string;
  expected: string;
  tolerance: string;
}[] = [
  {
    id: 'V04',
    description: 'imatinib cohort, first-phase decline (months 0-3)',
    expected: '0.05/day',
    tolerance: 'median 0.040–0.060/day',
  },
  {
    id: 'V05',
    description: 'imatinib, second-phase decline (months 4-12)',
    expected: '0.0057 ± 0.0038/day',
    tolerance: 'median 0.003–0.009/day',
  },
  {
    id: 'V07',
    description: 'long-term third-phase slope (years 1-5)',
    expected: '~ -0.0016/day, mostly negative',
    tolerance: 'negative in >= 60 %; median 0.0005–0.004/day',
  },
  { id: 'V08', description: '<= 10 % IS at 3 months on imatinib', expected: '64–67 %', tolerance: '55–75 %' },
  { id: 'V10', description: 'MMR at 12 months on imatinib', expected: '22–33.8 %', tolerance: '20–40 %' },
  {
    id: 'V11',
    description: 'imatinib 5 y cumulative MMR / MR4.5',
    expected: '60–64 % / 31–33 %',
    tolerance: '±8 pp',
  },
  {
    id: 'V12',
    description: 'imatinib 10 y cumulative MMR / MR4.5 / TFR-eligible',
    expected: '62.5 / 39.2 / 29.7 %',
    tolerance: '±8 pp',
  },
  {
    id: 'V14',
    description: 'progression to AP/BC on imatinib',
    expected: 'cumulative ≈ 7 % by 7 y, peak in year 2',
    tolerance: '4–10 % at 7 y',
  },
  {
    id: 'V16',
    description: 'untreated natural history, median time to CML death',
    expected: '3–5 y',
    tolerance: '2.5–6 y',
  },
  {
    id: 'V23',
    description: 'mutant clone after TKI stop',
    expected: '97 % -> ~8 % in ~6 months',
    tolerance: '3–20 % at 6 months',
  },
  {
    id: 'V26',
    description: 'exposure-response, imatinib Cmin < ~1000 ng/mL',
    expected: 'lower MMR rate',
    tolerance: '>= 1.5-fold MMR difference',
  },
  {
    id: 'V30',
    description: 'overall survival on imatinib / 2G-TKI',
    expected: '88 % (6 y), 83.3 % (10 y)',
    tolerance: '±5 pp',
  },
];

export const PENDING_COHORT = 'pending (needs cohorts, issue 8)';
