/**
 * Synthetic {@link ScenarioRun}s for the report tests: a 72-month imatinib course with a biexponential
 * BCR-ABL1 decline (100 % IS to about 0.003 % IS, the shape of Michor et al. 2005, Nature 435:1267), quarterly
 * monitoring with an assay limit, cell compartments, quiescent and cycling LSCs, exosome pools, cargo, niche
 * markers and an oral-dosing concentration profile with troughs. The numbers are illustrative, not model output.
 * No randomness: the "assay noise" is a fixed deterministic pattern so that every test sees the same run.
 */
import type {
  ParameterUsed,
  PhaseInterval,
  ScenarioRun,
  SeriesInfo,
  TherapyInterval,
} from '../../src/scenario/run-result.js';

export interface FixtureOptions {
  readonly name?: string;
  readonly description?: string;
  readonly months?: number;
  /** Output grid step (months). */
  readonly step?: number;
  /** Multiplies both decline rates (arm B of a comparison responds faster with > 1). */
  readonly rateFactor?: number;
  /** Chronic, then accelerated and blast phase (a progressing patient) instead of chronic throughout. */
  readonly progression?: boolean;
  /** Overrides the label of the first parameter (to test escaping). */
  readonly parameterNote?: string;
  readonly seriesLabelPrefix?: string;
  readonly drugName?: string;
}

/** The biexponential BCR-ABL1 % IS of the fixture at month t. */
export function fixtureIS(t: number, rateFactor = 1): number {
  return 100 * (0.98 * Math.exp(-0.9 * rateFactor * t) + 0.02 * Math.exp(-0.09 * rateFactor * t));
}

/** Hours between doses and the trough level of the fixture's once-daily imatinib (ng/mL). */
const TAU_H = 24;
const TROUGH = 1000;

/** A plausible oral one-compartment profile within a dosing interval (tau in hours since the dose). */
function concentration(tau: number): number {
  const decay = 2.5 ** (-tau / TAU_H); // peak-to-trough ratio 2.5 over the interval
  const absorbed = 1 - Math.exp(-tau / 1.5);
  return TROUGH * (2.5 * decay * absorbed + decay * (1 - absorbed));
}

export function makeRun(o: FixtureOptions = {}): ScenarioRun {
  const months = o.months ?? 72;
  const step = o.step ?? 0.25;
  const rf = o.rateFactor ?? 1;
  const n = Math.round(months / step) + 1;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = i * step;
  const p = o.seriesLabelPrefix ?? '';

  const series: SeriesInfo[] = [];
  const values: Float64Array[] = [];
  const add = (
    id: string,
    label: string,
    units: string,
    group: SeriesInfo['group'],
    f: (t: number) => number,
  ) => {
    series.push({ id, label: p + label, units, group });
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = f(time[i]);
    values.push(v);
  };
  add('bcr_abl_is', 'BCR-ABL1 (model)', '% IS', 'bcr-abl', (t) => fixtureIS(t, rf));
  add('hsc', 'normal HSC', 'cells', 'compartments', (t) => 1e4 * (1 - 0.9 * Math.exp(-0.1 * t)));
  add('prog', 'normal progenitors', 'cells', 'compartments', (t) => 1e8 * (1 - 0.95 * Math.exp(-0.3 * t)));
  add(
    'diff',
    'normal differentiated',
    'cells',
    'compartments',
    (t) => 1e12 * (1 - 0.95 * Math.exp(-0.5 * t)),
  );
  add('lsc_total', 'leukaemic stem cells', 'cells', 'compartments', (t) => 1e5 * Math.exp(-0.05 * rf * t));
  add('lprog', 'leukaemic progenitors', 'cells', 'compartments', (t) => 1e9 * (fixtureIS(t, rf) / 100));
  add('ldiff', 'leukaemic differentiated', 'cells', 'compartments', (t) => 1e12 * (fixtureIS(t, rf) / 100));
  add('lsc_q', 'LSC quiescent', 'cells', 'lsc', (t) => 9e4 * Math.exp(-0.02 * rf * t));
  add('lsc_c', 'LSC cycling', 'cells', 'lsc', (t) => 1e4 * Math.exp(-0.3 * rf * t) + 10);
  add(
    'exo_cml',
    'exosomes from CML bulk',
    'particles/µL',
    'exosomes',
    (t) => 1e6 * (0.05 + fixtureIS(t, rf) / 100),
  );
  add('exo_lsc', 'exosomes from LSC', 'particles/µL', 'exosomes', (t) => 2e4 * Math.exp(-0.04 * rf * t));
  add(
    'exo_bmsc',
    'exosomes from BMSC',
    'particles/µL',
    'exosomes',
    (t) => 3e5 * (1 - 0.3 * Math.exp(-0.2 * t)),
  );
  add('mir92a', 'miR-92a effect', 'relative', 'cargo', (t) => 0.1 + 0.8 * Math.exp(-0.4 * rf * t));
  add('mir126', 'miR-126 effect', 'relative', 'cargo', (t) => 0.2 + 0.6 * Math.exp(-0.1 * rf * t));
  add('il8', 'IL-8', 'pg/mL', 'niche', (t) => 15 + 60 * Math.exp(-0.5 * rf * t));
  add('vcam1', 'VCAM1', 'relative', 'niche', (t) => 1 + 1.5 * Math.exp(-0.3 * rf * t));
  add('cxcl12', 'CXCL12', 'relative', 'niche', (t) => 1 - 0.6 * Math.exp(-0.3 * rf * t));
  add('vd', 'vascular density', 'relative', 'niche', (t) => 1 + 0.8 * Math.exp(-0.2 * rf * t));
  add('tki_effect', 'TKI kill effect', 'fraction', 'drug', (t) => (t < months * 0.75 ? 0.9 : 0));
  add('blasts_pb', 'blasts (blood)', '%', 'blasts', (t) => 2 * Math.exp(-0.8 * t) + 0.1);

  // Monitoring every 3 months; deterministic "assay noise" of ±0.15 log10; limit of detection 0.0032 % IS.
  const limit = 0.0032;
  const monitoring: ScenarioRun['monitoring'][number][] = [];
  for (let k = 0, m = 0; m <= months; k++, m += 3) {
    const measured = fixtureIS(m, rf) * 10 ** (0.15 * Math.sin(1.7 * k + 0.3));
    const undetectable = measured < 0.004;
    const response =
      measured <= 0.0032 ? 'MR4.5' : measured <= 0.01 ? 'MR4' : measured <= 0.1 ? 'MMR' : 'none';
    monitoring.push(
      undetectable
        ? { month: m, undetectable: true, limitIS: limit, response: 'MR4.5' }
        : { month: m, bcrAblIS: measured, undetectable: false, response },
    );
  }
  const at = (m: number) => monitoring.find((s) => s.month === m)?.bcrAblIS;
  const cat = (m: number, opt: number, fail: number) => {
    const v = at(m);
    return v === undefined ? 'not evaluable' : v <= opt ? 'optimal' : v > fail ? 'failure' : 'warning';
  };

  // Dosing grid: every 2 hours over the whole course (≈ 26,000 points), troughs just before each dose.
  const hoursPerMonth = 24 * 30.44;
  const stopHour = months * 0.75 * hoursPerMonth; // TFR attempt: drug stopped
  const nh = Math.floor((months * hoursPerMonth) / 2) + 1;
  const timeHours = new Float64Array(nh);
  const conc = new Float64Array(nh);
  for (let i = 0; i < nh; i++) {
    timeHours[i] = 2 * i;
    conc[i] = timeHours[i] < stopHour ? concentration(timeHours[i] % TAU_H) : 0;
  }
  const troughs: { hour: number; concentration: number }[] = [];
  for (let h = TAU_H; h <= stopHour; h += TAU_H)
    troughs.push({ hour: h, concentration: concentration(TAU_H) });

  const phases: PhaseInterval[] = o.progression
    ? [
        { startMonth: 0, endMonth: months * 0.5, phase: 'chronic' },
        { startMonth: months * 0.5, endMonth: months * 0.75, phase: 'accelerated' },
        { startMonth: months * 0.75, endMonth: months, phase: 'blast' },
      ]
    : [{ startMonth: 0, endMonth: months, phase: 'chronic' }];
  const drug = o.drugName ?? 'imatinib';
  const therapy: TherapyInterval[] = [
    { startMonth: 0, endMonth: months * 0.75, drug, doseMg: 400, intervalHours: 24, reason: 'start' },
    {
      startMonth: months * 0.75,
      endMonth: months,
      drug: 'none',
      doseMg: 0,
      intervalHours: 0,
      reason: 'TFR attempt',
    },
  ];
  const parameters: ParameterUsed[] = [
    {
      id: 'p_y',
      key: 'lsc.michor.p_y',
      value: 0.02,
      units: '1/day',
      evidence: 'V',
      source: 'Michor et al. 2005, Nature 435:1267',
      note: o.parameterNote,
    },
    {
      id: 'r_y',
      key: 'lsc.michor.r_y',
      value: 0.008,
      units: '1/day',
      evidence: 'V',
      source: 'Michor et al. 2005',
    },
    {
      id: 'a_y',
      key: 'lsc.michor.a_y',
      value: 1.6,
      units: '1/day',
      evidence: 'V',
      source: 'Michor et al. 2005',
    },
    { id: 'd_x', value: 0.002, units: '1/day', evidence: 'A', note: 'assumed' },
    {
      id: 'k_exo',
      key: 'exosome.uptake',
      value: 0.5,
      units: '1/h',
      evidence: 'R',
      source: 'Raimondo et al. 2015',
    },
    {
      id: 'ka',
      key: 'drug.imatinib.ka',
      value: 0.61,
      units: '1/h',
      evidence: 'V',
      source: 'Widmer et al. 2006',
    },
    {
      id: 'CL',
      key: 'drug.imatinib.cl',
      value: 14.3,
      units: 'L/h',
      evidence: 'V',
      source: 'Widmer et al. 2006',
    },
    { id: 'V', key: 'drug.imatinib.v', value: 347, units: 'L', evidence: 'V', source: 'Widmer et al. 2006' },
    { id: 'il8_base', value: 15, units: 'pg/mL', evidence: 'T' },
  ];
  const monthsTo = (thr: number) => {
    for (let i = 0; i < n; i++) if (values[0][i] <= thr) return time[i];
    return undefined;
  };
  return {
    name: o.name ?? 'imatinib first line, 72 months',
    description:
      o.description ?? 'Chronic-phase CML on imatinib 400 mg daily with a TFR attempt at 54 months.',
    scenario: { name: o.name ?? 'imatinib first line', months, therapy: { drug, doseMg: 400 } },
    engine: 'ode',
    seed: '0x5eed',
    time,
    series,
    values,
    drug: { name: drug, timeHours, concentration: conc, troughs },
    monitoring,
    therapy,
    phases,
    summary: {
      milestones: [
        { month: 3, bcrAblIS: at(3), category: cat(3, 10, 10) },
        { month: 6, bcrAblIS: at(6), category: cat(6, 1, 10) },
        { month: 12, bcrAblIS: at(12), category: cat(12, 0.1, 1) },
      ],
      bestResponse: 'MR4.5',
      monthsToMMR: monthsTo(0.1),
      monthsToMR4: monthsTo(0.01),
      monthsToMR45: monthsTo(0.0032),
      phaseAtEnd: o.progression ? 'blast' : 'chronic',
      tfr: {
        eligible: false,
        reason: 'MR4 for less than 2 years',
        stopMonth: months * 0.75,
        outcome: 'not attempted',
      },
    },
    parameters,
    parameterHash: 'sha256:3f1a9c0d2b7e',
    warnings: ['hybrid threshold not reached for clone R; ODE used throughout'],
    timings: { buildMs: 12.5, simulateMs: 240.25 },
  };
}
