/**
 * Treatment rules as data, and a pure rules engine: (monitoring history, current plan, patient state) -> actions.
 *
 * Rules (defaults follow the issue; parameters are ours unless a source is named):
 * - switchOnFailure: when the ELN 2020 category is `failure` (Hochhaus et al. 2020), switch to a TKI to which the
 *   detected mutation is sensitive. Criterion `clinical` uses the knowledge base's clinical category
 *   (cml-models.md §5.1; pairs without a category fall back to `exposure`); criterion `exposure` requires the
 *   model's steady-state trough at the drug's regimen, in nM, to reach `margin` x the clone's cellular IC50
 *   (total plasma concentration by default, because Ba/F3 IC50s are measured in serum-containing medium; see
 *   docs/therapy.md). Candidates are tried in `preference` order, skipping the current and previously failed drugs.
 * - stopForTfr: stop for a treatment-free-remission attempt after `level` (MR4) has been sustained for
 *   `sustainedYears` (2) with at least `minTherapyYears` (3) of therapy.
 * - restartOnMmrLoss: during TFR, restart the last drug at its last dose `delayDays` after the first sample
 *   above MMR (ELN: within 4 weeks).
 * The ELN category of a sample is taken from the sample when given (`elnCategory`), else computed with the
 * 'any time' row of src/clinic/eln2020.ts; MR levels come from src/clinic/molecular-response.ts.
 */

import { z } from 'zod';
import { classifyAnyTime, type ElnCategory } from '../clinic/eln2020.js';
import { atLeast, levelFromPercentIS } from '../clinic/molecular-response.js';
import type { KnowledgeBase } from '../knowledge/load.js';
import type { MolecularResponseLevelId } from '../knowledge/schema/clinical.js';
import { ngPerMlToNm } from './pk.js';
import { drugPk } from './pk-params.js';
import type { Plan, Schedule } from './schedule.js';
import { steadyState } from './steady-state.js';

export const DAYS_PER_MONTH = 30.44;
const DAYS_PER_YEAR = 365.25;

export const RuleSet = z.strictObject({
  switchOnFailure: z
    .strictObject({
      enabled: z.boolean().default(true),
      criterion: z.enum(['clinical', 'exposure']).default('clinical'),
      margin: z.number().positive().default(1),
      concentration: z.enum(['total', 'unbound']).default('total'),
      preference: z
        .array(z.string())
        .default(['nilotinib', 'dasatinib', 'bosutinib', 'asciminib', 'ponatinib']),
      /** Regimen per detected mutation and drug (default: the drug's standard regimen). */
      regimenForMutation: z
        .record(z.string(), z.record(z.string(), z.string()))
        .default({ T315I: { asciminib: '200bid' } }),
    })
    .prefault({}),
  stopForTfr: z
    .strictObject({
      enabled: z.boolean().default(true),
      level: z.enum(['MMR', 'MR4', 'MR4.5', 'MR5']).default('MR4'),
      sustainedYears: z.number().nonnegative().default(2),
      minTherapyYears: z.number().nonnegative().default(3),
    })
    .prefault({}),
  restartOnMmrLoss: z
    .strictObject({
      enabled: z.boolean().default(true),
      delayDays: z.number().nonnegative().default(0),
    })
    .prefault({}),
});
export type RuleSet = z.infer<typeof RuleSet>;

export function defaultRules(): RuleSet {
  return RuleSet.parse({});
}

/** One monitoring visit: BCR-ABL1 % IS and, optionally, the ELN category and a detected mutation. */
export interface MonitoringSample {
  readonly day: number;
  readonly percentIS: number;
  readonly elnCategory?: ElnCategory;
  /** A BCR-ABL1 kinase-domain mutation detected at this visit (`native` or absent: none). */
  readonly mutation?: string;
}

export interface PatientState {
  /** Day the current line of therapy started (TKI start for ELN timing and the TFR therapy-duration rule). */
  readonly therapyStartDay: number;
  /** Drugs that failed before (never switched back to). */
  readonly failedDrugs?: readonly string[];
  /** Day a TFR attempt started, if off drug for TFR. */
  readonly tfrStartDay?: number;
}

/** What the knowledge base contributes to decisions, precomputed so that `decide` is pure and cheap. */
export interface RuleContext {
  readonly drugs: ReadonlyMap<
    string,
    {
      readonly regimens: ReadonlyMap<string, { dose: number; intervalHours: number }>;
      readonly standard: string;
      /** Model steady-state trough (nM) per regimen: total and unbound. */
      readonly cminNm: ReadonlyMap<string, { total: number; unbound: number }>;
    }
  >;
  readonly sensitivity: (
    mutation: string,
    drug: string,
  ) =>
    | { clinical?: 'sensitive' | 'intermediate' | 'resistant'; ic50?: number; lowerBound?: boolean }
    | undefined;
}

export function ruleContext(kb: KnowledgeBase): RuleContext {
  const drugs = new Map<string, RuleContext['drugs'] extends ReadonlyMap<string, infer V> ? V : never>();
  for (const d of kb.drugs) {
    const pk = drugPk(kb, d.id);
    const regimens = new Map(d.regimens.map((r) => [r.id, { dose: r.dose, intervalHours: r.intervalHours }]));
    const cminNm = new Map(
      d.regimens.map((r) => {
        const total = ngPerMlToNm(steadyState(pk.params, r.dose, r.intervalHours).cmin, pk.molecularWeight);
        return [r.id, { total, unbound: total * pk.fu }];
      }),
    );
    drugs.set(d.id, { regimens, standard: pk.standardRegimen.id, cminNm });
  }
  return {
    drugs,
    sensitivity: (mutation, drug) => {
      const s = kb.sensitivities.find((x) => x.mutation === mutation && x.drug === drug);
      if (!s) return undefined;
      return { clinical: s.clinical, ic50: s.ic50?.value, lowerBound: s.ic50?.bound === '>' };
    },
  };
}

export type Action =
  | { readonly kind: 'continue'; readonly day: number; readonly reason: string }
  | {
      readonly kind: 'switch';
      readonly day: number;
      readonly from: string;
      readonly to: string;
      readonly regimen: string;
      readonly dose: number;
      readonly intervalHours: number;
      readonly reason: string;
      /** Every drug considered and why it was accepted or rejected. */
      readonly considered: readonly { drug: string; accepted: boolean; why: string }[];
    }
  | {
      readonly kind: 'no-option';
      readonly day: number;
      readonly reason: string;
      readonly considered: readonly { drug: string; accepted: boolean; why: string }[];
    }
  | { readonly kind: 'stop-for-tfr'; readonly day: number; readonly drug: string; readonly reason: string }
  | {
      readonly kind: 'restart';
      readonly day: number;
      readonly drug: string;
      readonly dose: number;
      readonly intervalHours: number;
      readonly reason: string;
    };

/** The schedule active on `day` (or the last one, if none is). */
function current(plan: Plan, day: number): Schedule | undefined {
  return plan.find((s) => s.start <= day && (s.stop === undefined || day < s.stop));
}

function elnCategoryOf(
  samples: readonly MonitoringSample[],
  i: number,
  therapyStartDay: number,
): ElnCategory | undefined {
  const s = samples[i];
  if (s.elnCategory) return s.elnCategory;
  const history = {
    samples: samples
      .slice(0, i + 1)
      .filter((x) => x.day >= therapyStartDay)
      .map((x) => ({ months: (x.day - therapyStartDay) / DAYS_PER_MONTH, percentIS: x.percentIS })),
    mutations: samples
      .slice(0, i + 1)
      .filter((x) => x.mutation && x.mutation !== 'native' && x.day >= therapyStartDay)
      .map((x) => ({ months: (x.day - therapyStartDay) / DAYS_PER_MONTH, mutation: x.mutation })),
  };
  const r = classifyAnyTime(history, (s.day - therapyStartDay) / DAYS_PER_MONTH).result;
  return r === 'optimal' || r === 'warning' || r === 'failure' ? r : undefined;
}

/**
 * Decide what to do at the latest monitoring sample (day `samples[last].day`). Pure: same inputs, same action.
 */
export function decide(
  monitoring: readonly MonitoringSample[],
  plan: Plan,
  patient: PatientState,
  rules: RuleSet,
  ctx: RuleContext,
): Action {
  const samples = [...monitoring].sort((a, b) => a.day - b.day);
  const last = samples[samples.length - 1];
  if (!last) return { kind: 'continue', day: 0, reason: 'no monitoring yet' };
  const day = last.day;
  const on = current(plan, day);

  if (!on) {
    // Off drug: TFR monitoring.
    const prev = [...plan].reverse().find((s) => s.start <= day);
    if (rules.restartOnMmrLoss.enabled && prev && !atLeast(levelFromPercentIS(last.percentIS), 'MMR')) {
      const changes = prev.doseChanges ?? [];
      const lastChange = changes[changes.length - 1];
      return {
        kind: 'restart',
        day: day + rules.restartOnMmrLoss.delayDays,
        drug: prev.drug,
        dose: lastChange?.dose ?? prev.dose,
        intervalHours: lastChange?.intervalHours ?? prev.intervalHours,
        reason: `loss of MMR off therapy (${last.percentIS} % IS > 0.1 %) on day ${day}`,
      };
    }
    return { kind: 'continue', day, reason: 'off therapy; MMR maintained' };
  }

  const category = elnCategoryOf(samples, samples.length - 1, patient.therapyStartDay);
  if (rules.switchOnFailure.enabled && category === 'failure') {
    const mutation =
      [...samples].reverse().find((s) => s.mutation && s.day >= patient.therapyStartDay)?.mutation ??
      'native';
    const r = rules.switchOnFailure;
    const failed = new Set([...(patient.failedDrugs ?? []), on.drug]);
    const considered: { drug: string; accepted: boolean; why: string }[] = [];
    for (const drug of r.preference) {
      const info = ctx.drugs.get(drug);
      if (!info) {
        considered.push({ drug, accepted: false, why: 'not in the knowledge base' });
        continue;
      }
      if (failed.has(drug)) {
        considered.push({ drug, accepted: false, why: drug === on.drug ? 'current drug' : 'failed before' });
        continue;
      }
      const regimen = r.regimenForMutation[mutation]?.[drug] ?? info.standard;
      const sens = ctx.sensitivity(mutation, drug);
      let accepted = false;
      let why: string;
      if (r.criterion === 'clinical' && sens?.clinical) {
        accepted = sens.clinical === 'sensitive';
        why = `clinical category for ${mutation}: ${sens.clinical}`;
      } else if (sens?.ic50 !== undefined) {
        const cmin = info.cminNm.get(regimen);
        const c = cmin ? cmin[r.concentration] : Number.NaN;
        const ratio = c / sens.ic50;
        accepted = !sens.lowerBound && ratio >= r.margin;
        why = `${r.concentration} Cmin,ss ${c.toPrecision(3)} nM / IC50 ${sens.lowerBound ? '>' : ''}${sens.ic50} nM = ${ratio.toPrecision(3)} (need >= ${r.margin})`;
      } else {
        why = `no clinical category or IC50 for ${mutation} x ${drug}`;
      }
      considered.push({ drug, accepted, why });
      if (accepted) {
        const reg = info.regimens.get(regimen);
        if (!reg) throw new RangeError(`rules name unknown regimen '${regimen}' of ${drug}`);
        return {
          kind: 'switch',
          day,
          from: on.drug,
          to: drug,
          regimen,
          dose: reg.dose,
          intervalHours: reg.intervalHours,
          reason: `ELN failure on ${on.drug} on day ${day}${mutation !== 'native' ? ` with ${mutation}` : ''}`,
          considered,
        };
      }
    }
    return {
      kind: 'no-option',
      day,
      reason: `ELN failure on ${on.drug}: no candidate drug meets the criterion`,
      considered,
    };
  }

  const t = rules.stopForTfr;
  if (t.enabled && day - patient.therapyStartDay >= t.minTherapyYears * DAYS_PER_YEAR) {
    const level = t.level as MolecularResponseLevelId;
    let first = -1;
    for (let i = samples.length - 1; i >= 0; i--) {
      if (
        samples[i].day < patient.therapyStartDay ||
        !atLeast(levelFromPercentIS(samples[i].percentIS), level)
      )
        break;
      first = i;
    }
    if (first >= 0 && day - samples[first].day >= t.sustainedYears * DAYS_PER_YEAR)
      return {
        kind: 'stop-for-tfr',
        day,
        drug: on.drug,
        reason: `${level} sustained from day ${samples[first].day} to day ${day} (>= ${t.sustainedYears} y) after ${((day - patient.therapyStartDay) / DAYS_PER_YEAR).toFixed(2)} y of therapy`,
      };
  }
  return { kind: 'continue', day, reason: category ? `ELN ${category}` : 'no rule applies' };
}

/** The plan after an action: a switch or TFR stop ends the current schedule; a switch or restart appends one. */
export function applyAction(plan: Plan, action: Action): Plan {
  const out = plan.map((s) => ({ ...s }));
  const endCurrent = (day: number) => {
    const s = out.find((x) => x.start <= day && (x.stop === undefined || day < x.stop));
    if (s) {
      s.stop = day;
      s.interruptions = s.interruptions
        ?.filter((iv) => iv.from < day)
        .map((iv) => ({ ...iv, to: Math.min(iv.to, day) }));
      s.doseChanges = s.doseChanges?.filter((c) => c.at < day);
    }
  };
  switch (action.kind) {
    case 'switch':
      endCurrent(action.day);
      out.push({
        drug: action.to,
        dose: action.dose,
        intervalHours: action.intervalHours,
        start: action.day,
      });
      break;
    case 'stop-for-tfr':
      endCurrent(action.day);
      break;
    case 'restart':
      out.push({
        drug: action.drug,
        dose: action.dose,
        intervalHours: action.intervalHours,
        start: action.day,
      });
      break;
    default:
      break;
  }
  return out;
}
