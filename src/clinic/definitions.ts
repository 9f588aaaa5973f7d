/**
 * Typed access to the clinical definitions of the knowledge base (data/knowledge/clinical.yaml): molecular
 * response levels, ELN 2020 milestones, phase schemes and TFR requirements. Read-out functions take a
 * {@link ClinicalDefinitionSet} (or one of its parts) and default to the shipped knowledge base, loaded once.
 */
import { type KnowledgeBase, loadKnowledgeBase } from '../knowledge/load.js';
import type {
  ClinicalDefinitions,
  MilestoneDefinitions,
  MolecularResponseDefinitions,
  PhaseDefinitions,
  TfrDefinitions,
  Threshold,
} from '../knowledge/schema/clinical.js';

export type {
  MilestoneDefinitions,
  MolecularResponseDefinitions,
  MolecularResponseLevelId,
  PhaseDefinitions,
  TfrDefinitions,
  Threshold,
} from '../knowledge/schema/clinical.js';

/** Phase schemes. `eln2013` is an alias of `eln2020` (ELN 2020 kept the 2013 phase definitions). */
export type PhaseScheme = 'who2017' | 'eln2020' | 'eln2013' | 'who2022';

/** The clinical definitions the read-outs need, by role. */
export interface ClinicalDefinitionSet {
  readonly molecularResponse: MolecularResponseDefinitions;
  readonly milestones: MilestoneDefinitions;
  readonly phase: {
    readonly who2017: PhaseDefinitions;
    readonly eln2020: PhaseDefinitions;
    readonly who2022: PhaseDefinitions;
  };
  readonly tfr: TfrDefinitions;
}

/** The `definitions:` names each role is read from. */
export const DEFINITION_NAMES = {
  molecularResponse: 'molecular-response',
  milestones: 'eln2020-milestones',
  phase: { who2017: 'phase-who2017', eln2020: 'phase-eln2020', who2022: 'phase-who2022' },
  tfr: 'eln2020-tfr',
} as const;

function pick<K extends ClinicalDefinitions['kind']>(
  kb: KnowledgeBase,
  name: string,
  kind: K,
): Extract<ClinicalDefinitions, { kind: K }> {
  const d = kb.definitions.get(name);
  if (!d) throw new Error(`knowledge base has no clinical definitions '${name}'`);
  if (d.kind !== kind)
    throw new Error(`clinical definitions '${name}' are of kind '${d.kind}', expected '${kind}'`);
  return d as Extract<ClinicalDefinitions, { kind: K }>;
}

/** The clinical definition set of a loaded knowledge base; throws when a part is missing or of the wrong kind. */
export function clinicalDefinitions(kb: KnowledgeBase): ClinicalDefinitionSet {
  const n = DEFINITION_NAMES;
  const phase = {
    who2017: pick(kb, n.phase.who2017, 'phase'),
    eln2020: pick(kb, n.phase.eln2020, 'phase'),
    who2022: pick(kb, n.phase.who2022, 'phase'),
  };
  for (const [scheme, d] of Object.entries(phase)) {
    if (d.scheme !== scheme)
      throw new Error(`'${n.phase[scheme as keyof typeof phase]}' declares scheme '${d.scheme}'`);
  }
  return {
    molecularResponse: pick(kb, n.molecularResponse, 'molecular-response'),
    milestones: pick(kb, n.milestones, 'eln-milestones'),
    phase,
    tfr: pick(kb, n.tfr, 'tfr'),
  };
}

let shipped: ClinicalDefinitionSet | undefined;

/** The definitions of the knowledge base shipped with exoniche, loaded on first use and cached. */
export function defaultClinicalDefinitions(): ClinicalDefinitionSet {
  shipped ??= clinicalDefinitions(loadKnowledgeBase());
  return shipped;
}

/** The definitions of a phase scheme. */
export function phaseDefinitions(
  scheme: PhaseScheme,
  defs: ClinicalDefinitionSet = defaultClinicalDefinitions(),
) {
  return defs.phase[scheme === 'eln2013' ? 'eln2020' : scheme];
}

/** Whether `x` meets a threshold (`x op value`). NaN never meets one. */
export function meets(x: number, t: Threshold): boolean {
  switch (t.op) {
    case '<':
      return x < t.value;
    case '<=':
      return x <= t.value;
    case '>':
      return x > t.value;
    case '>=':
      return x >= t.value;
  }
}

/** A threshold as text, e.g. `<= 0.1 % IS`. */
export function describeThreshold(t: Threshold): string {
  const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[t.op];
  return `${op} ${t.value} ${t.units}`;
}
