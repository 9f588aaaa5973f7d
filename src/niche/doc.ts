/**
 * The generated part of docs/niche-model.md: every parameter the fullest niche model uses, with its knowledge-base
 * key, value, units, evidence, range, meaning and source. test/niche/doc.test.ts checks that the document holds
 * exactly this table (and rewrites it with EXONICHE_WRITE_DOCS=1).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { buildNiche } from './build.js';
import type { NicheOptions } from './options.js';
import type { ParameterUse } from './writer.js';

/**
 * Options that switch every part of the model on (all channels, a resistant clone, hypoxia, every intervention,
 * the blast-crisis route). The Michor stem-cell core (`stemCore: 'michor'`) is an alternative core, not part of it.
 */
export const FULL_OPTIONS: NicheOptions = {
  clones: ['T315I'],
  blastCrisis: true,
  blastFounders: 1, // the route as deterministic runs write it (preclinical window, founder kinds)
  hypoxia: 0.5,
  interventions: { releaseInhibitor: 0.1, uptakeBlocker: 0.1, curcumin: 0.5, antiMiR: { 'miR-126': 0.1 } },
  tki: { kind: 'switch', drug: 'dasatinib' },
  readout: 'blood',
};

/** Parameter uses of the fullest model (KB-bound and computed), in model order. */
export function fullParameterUses(kb: KnowledgeBase): readonly ParameterUse[] {
  return buildNiche(FULL_OPTIONS, kb).parameters;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export const DOC_BEGIN = '<!-- BEGIN GENERATED: niche parameters -->';
export const DOC_END = '<!-- END GENERATED: niche parameters -->';

export function parameterTable(kb: KnowledgeBase): string {
  const rows = fullParameterUses(kb)
    .filter((u) => u.key !== undefined)
    .map((u) => {
      const p = kb.parameter(u.key as string);
      const range = p.range ? `${p.range[0]} – ${p.range[1]}` : '';
      const src = [p.refs.join(', '), p.note ?? ''].filter((x) => x).join('; ');
      return `| \`${u.id}\` | \`${u.key}\` | ${p.value} | ${cell(p.units)} | ${p.evidence} | ${range} | ${cell(u.role ?? p.name)} | ${cell(src)} |`;
    });
  return [
    DOC_BEGIN,
    '',
    '| model symbol | KB key | value | units | evidence | range | meaning | source and constraint |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Values computed from the knowledge base when the model is built (evidence C, or the weakest input): ' +
      '`tki_ratio_<clone>` (steady-state PD effect of the drug on the clone relative to native at the standard ' +
      'regimen), `E_ref` and the `E_<clone>` event values (exposure summary with transients resolved). Options ' +
      '(`ch_<channel>`, `fb_*`, `hypoxia`, `release_inhibitor`, `uptake_blocker`, `anti_<channel>`, `curcumin`, ' +
      '`t_stop`) are parameters of the generated model set from the builder options. Michor 2005 rates are stored ' +
      'per day and multiplied by DAYS_PER_MONTH (30.44) in the model.',
    '',
    DOC_END,
  ].join('\n');
}
