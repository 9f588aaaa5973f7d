/**
 * TKI exposure of each clone as a normalised effect tkiE_<clone> (1 = the native clone at the drug's standard
 * regimen, at which the patient's fitted Hähnel kill rate e_tki applies). PD: the Emax/Hill effect of the unbound
 * concentration relative to the clone's IC50 (src/therapy/pd.ts, Hill coefficient DEFAULT_HILL, evidence A).
 *
 * - `switch` (Hähnel form): native tkiE = tki (1, set to 0 by an event at stopAt); a mutant's tkiE is the ratio of
 *   its steady-state mean effect to the native one at the standard regimen (computed, evidence C or weaker).
 * - `schedule`: exposureSegmentsResolved (docs/therapy.md §4: steady-state means with the first 7 half-lives of
 *   each regimen change and wash-out resolved interval by interval) gives piecewise-constant effects; events at the
 *   segment boundaries set E_<clone>, and tkiE_<clone> = E_<clone> / E_ref.
 * - `parametric`: as `schedule` without the events: E_<clone> are parameters the caller sets (src/cohort).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { computedEvidence } from '../knowledge/query.js';
import {
  exposureSegmentsResolved,
  segmentBoundaries,
  segmentEffect,
  steadyStateExposure,
} from '../therapy/exposure.js';
import { clonePotency, DEFAULT_HILL } from '../therapy/pd.js';
import { PkProfile } from '../therapy/pk.js';
import { drugPk } from '../therapy/pk-params.js';
import { DAYS_PER_MONTH } from '../therapy/rules.js';
import { expandDoses, regimenSegments } from '../therapy/schedule.js';
import type { ResolvedOptions } from './options.js';
import type { ModelWriter } from './writer.js';

/** Model symbol suffix of a clone ('native' -> '', 'T315I' -> '_T315I'). */
export const cloneSuffix = (mutation: string): string =>
  mutation === 'native' ? '' : `_${mutation.replace(/\W/g, '_')}`;

export interface TkiSymbols {
  /** The drug, when there is one. */
  readonly drug?: string;
  /** tkiE symbol per clone ('native' first), or undefined when there is no TKI. */
  readonly effect: ReadonlyMap<string, string>;
}

function steadyEffect(kb: KnowledgeBase, drug: string, mutation: string) {
  const pk = drugPk(kb, drug);
  const pot = clonePotency(kb, drug, mutation);
  const r = pk.standardRegimen;
  const e = steadyStateExposure(pk.params, r.dose, r.intervalHours, pk.fu, pk.molecularWeight, {
    ic50: pot.ic50,
    hill: DEFAULT_HILL.value,
  }).meanEffect;
  return { e, evidence: pot.evidence };
}

export function writeTki(w: ModelWriter, kb: KnowledgeBase, o: ResolvedOptions): TkiSymbols {
  const clones = ['native', ...o.clones];
  const effect = new Map<string, string>();
  const t = o.tki;
  if (t.kind === 'none') return { effect };
  if (t.kind === 'switch') {
    const drug = t.drug ?? 'imatinib';
    const on = w.variable('tki', 1, 'TKI switch (Hähnel 2020): 1 on, 0 off');
    if (t.stopAt !== undefined) {
      w.option('t_stop', t.stopAt, 'TKI stop time (months)');
      w.event('tki_stop', 'time >= t_stop', 'tki = 0');
    }
    effect.set('native', on);
    if (o.clones.length > 0) {
      const nat = steadyEffect(kb, drug, 'native');
      for (const m of o.clones) {
        const mut = steadyEffect(kb, drug, m);
        const r = w.computed(
          `tki_ratio${cloneSuffix(m)}`,
          mut.e / nat.e,
          computedEvidence(mut.evidence, nat.evidence),
          `${drug} effect on ${m} relative to native at the standard regimen (PD, steady-state mean)`,
        );
        effect.set(m, w.assign(`tkiE${cloneSuffix(m)}`, `${on}*${r}`));
      }
    }
    return { drug, effect };
  }
  if (t.kind === 'parametric') {
    const ref = steadyEffect(kb, t.drug, 'native');
    const eRef = w.computed(
      'E_ref',
      ref.e,
      ref.evidence,
      `native ${t.drug} steady-state mean effect, standard regimen`,
    );
    clones.forEach((m) => {
      const v = w.variable(
        `E${cloneSuffix(m) || '_native'}`,
        0,
        `${t.drug} effect on ${m} (PD), set by the caller`,
      );
      effect.set(m, w.assign(`tkiE${cloneSuffix(m)}`, `${v}/${eRef}`));
    });
    return { drug: t.drug, effect };
  }
  // Schedule: exposure summary with transients resolved.
  const s = t.schedule;
  const horizonDays = t.horizonMonths * DAYS_PER_MONTH;
  const pk = drugPk(kb, s.drug);
  // An individual's PK (variability draw) changes the exposure; the reference E_ref stays the typical patient's.
  const profile = new PkProfile(t.pk ?? pk.params, expandDoses(s, horizonDays), {
    fu: pk.fu,
    molecularWeight: pk.molecularWeight,
  });
  const segs = regimenSegments(s, horizonDays);
  const ref = steadyEffect(kb, s.drug, 'native');
  const eRef = w.computed(
    'E_ref',
    ref.e,
    ref.evidence,
    `native ${s.drug} steady-state mean effect, standard regimen`,
  );
  const per = clones.map((m) => {
    const pot = clonePotency(kb, s.drug, m);
    return exposureSegmentsResolved(segs, profile, { ic50: pot.ic50, hill: DEFAULT_HILL.value }, horizonDays);
  });
  const boundaries = segmentBoundaries(per[0]).filter((b) => b < horizonDays);
  clones.forEach((m, i) => {
    const v = w.variable(
      `E${cloneSuffix(m) || '_native'}`,
      segmentEffect(per[i], 0),
      `${s.drug} effect on ${m} (PD)`,
    );
    effect.set(m, w.assign(`tkiE${cloneSuffix(m)}`, `${v}/${eRef}`));
  });
  boundaries
    .filter((b) => b > 0)
    .forEach((b, k) => {
      const assigns = clones.map((m, i) => `E${cloneSuffix(m) || '_native'} = ${segmentEffect(per[i], b)}`);
      w.event(`dose_${k}`, `time >= ${b / DAYS_PER_MONTH}`, assigns.join(', '));
    });
  return { drug: s.drug, effect };
}
