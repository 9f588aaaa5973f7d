/**
 * Pharmacodynamics: the fraction of BCR-ABL1 signalling a drug suppresses in a clone, as an Emax/Hill function of
 * the unbound plasma concentration relative to the clone's cellular IC50 (Hill 1910; the sigmoid Emax model,
 * Holford & Sheiner 1981): E = Emax x^h / (1 + x^h), x = C_u / IC50. The IC50 is mutation-specific, read from the
 * knowledge base's sensitivities (`ic50`, or `fold` x the native IC50 of the same drug when only a fold change is
 * known). Ba/F3 IC50s are measured in serum-containing medium, so absolute unbound-plasma/IC50 ratios are only
 * indicative; ratios between clones transfer (cml-models.md §5.2). The Hill coefficient has no retrieved source:
 * it is an assumption (A), 1 by default, plausible range 0.5-3.
 *
 * How E acts on a cell model is the model's choice; `rateUnderDrug` gives the two standard forms.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { computedEvidence } from '../knowledge/query.js';
import type { Evidence } from '../knowledge/schema/common.js';

/** Assumed Hill coefficient: value and plausible range (evidence A). */
export const DEFAULT_HILL = { value: 1, range: [0.5, 3] as const, evidence: 'A' as const };

export interface HillParams {
  /** IC50 in nM (unbound concentration scale). */
  readonly ic50: number;
  readonly hill: number;
  /** Maximal effect, fraction (default 1). */
  readonly emax?: number;
}

/** Emax/Hill effect of concentration c (same units as ic50). Monotone in c, emax/2 at c = ic50. */
export function hillEffect(c: number, p: HillParams): number {
  if (!(c > 0)) return 0;
  const emax = p.emax ?? 1;
  // x^h / (1 + x^h) = 1 / (1 + (ic50/c)^h): no overflow for large x.
  return emax / (1 + (p.ic50 / c) ** p.hill);
}

export interface ClonePotency {
  readonly drug: string;
  readonly mutation: string;
  /** IC50 in nM. */
  readonly ic50: number;
  readonly evidence: Evidence;
  /** 'ic50' when measured for this clone, 'fold' when fold x native IC50. */
  readonly source: 'ic50' | 'fold';
  /** True when the value is a censored lower bound ('> 6400'): the true IC50 is higher. */
  readonly lowerBound: boolean;
  readonly refs: readonly string[];
}

export class PotencyError extends Error {
  override name = 'PotencyError';
}

/** The clone's IC50 for a drug (`mutation` 'native' for unmutated BCR-ABL1). */
export function clonePotency(kb: KnowledgeBase, drug: string, mutation = 'native'): ClonePotency {
  const row = kb.sensitivities.find((s) => s.drug === drug && s.mutation === mutation);
  if (row?.ic50) {
    return {
      drug,
      mutation,
      ic50: row.ic50.value,
      evidence: row.ic50.evidence,
      source: 'ic50',
      lowerBound: row.ic50.bound === '>',
      refs: row.ic50.refs,
    };
  }
  if (row?.fold && mutation !== 'native') {
    const native = clonePotency(kb, drug, 'native');
    return {
      drug,
      mutation,
      ic50: row.fold.value * native.ic50,
      evidence: computedEvidence(row.fold.evidence, native.evidence),
      source: 'fold',
      lowerBound: row.fold.bound === '>' || native.lowerBound,
      refs: [...row.fold.refs, ...native.refs],
    };
  }
  throw new PotencyError(
    row
      ? `no IC50 or fold resistance for ${mutation} x ${drug} (only the clinical category '${row.clinical}')`
      : `no sensitivity entry for ${mutation} x ${drug}`,
  );
}

/**
 * A rate under drug effect E: 'inhibit' scales a rate down (proliferation r (1 - E)); 'kill' adds a drug-induced
 * death rate (d + kmax E). `kmax` is required for 'kill'.
 */
export function rateUnderDrug(rate: number, effect: number, mode: 'inhibit' | 'kill', kmax = 0): number {
  return mode === 'inhibit' ? rate * (1 - effect) : rate + kmax * effect;
}
