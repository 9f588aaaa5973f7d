/**
 * What the dashboard shows beside a run, read from the knowledge base the Worker holds (never hard-coded in the
 * views): the exosome channels with their cargo, effect, experiment ids and the citations behind them (crosstalk
 * map), the molecular-response cut-offs and ELN 2020 milestone thresholds (BCR-ABL plot), and the virtual
 * experiments (Experiments view). Plain JSON so that a Worker can post it.
 */
import { clinicalDefinitions } from '../clinic/definitions.js';
import { describeCriterion } from '../experiments/evaluate.js';
import { EXPERIMENTS } from '../experiments/registry.js';
import type { KnowledgeBase } from '../knowledge/parse.js';
import type { Reference } from '../knowledge/schema/common.js';
import { CHANNELS } from '../niche/channels.js';
import { DEFAULT_SCENARIO } from '../scenario/default.js';
import { DAYS_PER_MONTH } from '../therapy/rules.js';

export interface CitedReference {
  readonly id: string;
  /** "Authors (year). Title. Journal volume:pages. doi:..." */
  readonly citation: string;
  readonly doi?: string;
}

export interface ChannelInfo {
  readonly id: string;
  readonly donor: string;
  readonly recipient: string;
  readonly cargo: readonly string[];
  readonly effect: string;
  readonly direction: string;
  readonly text: string;
  readonly experiments: readonly string[];
  readonly system?: string;
  readonly evidence: string;
  readonly refs: readonly CitedReference[];
  /** Implemented by the niche model (switchable, scalable); the others are shown but cannot be switched. */
  readonly implemented: boolean;
  /** Model symbol (eff_<sym>, ch_<sym>) when implemented. */
  readonly sym?: string;
  /**
   * Where the niche model applies the effect when it differs from the study's recipient (src/niche/channels.ts):
   * the cell-line channels onto CML cells act on the leukaemic stem cells ('lsc'), the immune ones on 'immune'.
   */
  readonly modelRecipient?: string;
}

export interface ExperimentInfo {
  readonly id: string;
  readonly title: string;
  readonly setting: string;
  readonly study: string;
  readonly ref?: CitedReference;
  readonly protocol: string;
  readonly mapping: string;
  readonly expectations: readonly { id: string; statement: string; expected: string; evidence: string }[];
}

export interface ResponseLine {
  readonly id: string;
  readonly percentIS: number;
}

export interface MilestoneLine {
  readonly months: number;
  /** BCR-ABL1 % IS at or below which the response is optimal. */
  readonly optimal: number;
  /** Above which it is a failure. */
  readonly failure: number;
}

export interface DashboardMeta {
  readonly defaultScenario: string;
  readonly channels: readonly ChannelInfo[];
  readonly experiments: readonly ExperimentInfo[];
  readonly responseLines: readonly ResponseLine[];
  readonly milestones: readonly MilestoneLine[];
  /** Hours in a model month (24 x DAYS_PER_MONTH): drug curves are in hours, the other series in months. */
  readonly hoursPerMonth: number;
}

/** A reference as one line of citation text. */
export function citation(r: Reference): string {
  const where = [r.journal, [r.volume, r.pages].filter(Boolean).join(':')].filter(Boolean).join(' ');
  return [`${r.authors} (${r.year}). ${r.title}.`, where ? `${where}.` : '', r.doi ? `doi:${r.doi}` : '']
    .filter(Boolean)
    .join(' ');
}

function cite(kb: KnowledgeBase, id: string): CitedReference {
  const r = kb.references.get(id);
  if (!r) return { id, citation: `${id} (not in the knowledge base)` };
  return { id, citation: citation(r), ...(r.doi ? { doi: r.doi } : {}) };
}

/** The molecular-response levels drawn on the BCR-ABL plot. */
const DRAWN_LEVELS = ['MMR', 'MR4', 'MR4.5'];

export function dashboardMeta(kb: KnowledgeBase): DashboardMeta {
  const implemented = new Map<string, (typeof CHANNELS)[number]>(CHANNELS.map((c) => [c.id, c]));
  const defs = clinicalDefinitions(kb);
  return {
    defaultScenario: DEFAULT_SCENARIO,
    channels: kb.channels.map((c) => {
      const spec = implemented.get(c.id);
      const sym = spec?.sym;
      const modelRecipient =
        spec?.recipient === 'lsc' || spec?.recipient === 'immune' ? spec.recipient : undefined;
      return {
        id: c.id,
        donor: c.donor,
        recipient: c.recipient,
        cargo: c.cargo,
        effect: c.effect,
        direction: c.direction,
        text: c.text,
        experiments: c.experiments,
        ...(c.system ? { system: c.system } : {}),
        evidence: c.evidence,
        refs: c.refs.map((id) => cite(kb, id)),
        implemented: sym !== undefined,
        ...(sym ? { sym } : {}),
        ...(modelRecipient && modelRecipient !== c.recipient ? { modelRecipient } : {}),
      };
    }),
    experiments: EXPERIMENTS.map((e) => ({
      id: e.id,
      title: e.title,
      setting: e.setting,
      study: e.source.study,
      ...(kb.references.has(e.source.ref) ? { ref: cite(kb, e.source.ref) } : {}),
      protocol: e.protocol,
      mapping: e.mapping,
      expectations: e.expectations.map((x) => ({
        id: x.id,
        statement: x.statement,
        expected: describeCriterion(x.criterion),
        evidence: x.evidence,
      })),
    })),
    responseLines: defs.molecularResponse.levels
      .filter((l) => DRAWN_LEVELS.includes(l.id))
      .map((l) => ({ id: l.id, percentIS: l.maxPercentIS.value })),
    hoursPerMonth: 24 * DAYS_PER_MONTH,
    milestones: defs.milestones.rows.flatMap((r) =>
      r.months !== undefined && r.optimal && r.failure
        ? [{ months: r.months, optimal: r.optimal.value, failure: r.failure.value }]
        : [],
    ),
  };
}
