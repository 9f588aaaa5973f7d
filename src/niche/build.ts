/**
 * buildNicheModel: the exoniche niche model as a model IR, assembled from the concept files (haematopoiesis, LSCs,
 * TKI exposure, exosome pools, channels, niche cells) according to the options. Every number is a knowledge-base
 * parameter (data/knowledge/niche/*.yaml, hahnel2020.*, michor2005.*, crosstalk.*) or computed from KB entries
 * (drug effects via src/therapy); the option values are recorded as parameters too. Time is in months (Hähnel).
 *
 * The blast-crisis route (blast.ts) is off by default; `stemCore: 'michor'` swaps the Hähnel core for Michor 2005's
 * stem cells. Stochastic LSCs and mutants: run the model with the hybrid engine (hybrid.ts). Deferred: per-clone
 * progenitor compartments.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { Model } from '../models/ir.js';
import { parseModel } from '../models/text/index.js';
import { writeBlastCrisis } from './blast.js';
import { writeBloodReadout } from './blood.js';
import { type Donor, type Recipient, sumOf, writeChannels } from './channels.js';
import { writeExosomes } from './exosomes.js';
import { writeLeukaemicLoss, writeLineages, writeNormalOccupancy } from './haematopoiesis.js';
import { type LscSymbols, lscNames, writeLsc } from './lsc.js';
import { declareNicheStates, writeNicheCells } from './niche-cells.js';
import { type NicheOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { writeTki } from './tki.js';
import { ModelWriter, type ParameterUse } from './writer.js';

export interface NicheModel {
  readonly model: Model;
  /** The model text (model language), for reading and printing. */
  readonly text: string;
  readonly options: ResolvedOptions;
  /** Every parameter with its KB key (or how it was computed) and evidence. */
  readonly parameters: readonly ParameterUse[];
  /** The leukaemic stem-cell species (quiescent and cycling per clone, native first; immune cells). */
  readonly lsc: LscSymbols;
}

/** Builds the niche model with its text and parameter provenance. */
export function buildNiche(options: NicheOptions, kb: KnowledgeBase): NicheModel {
  const o = resolveOptions(options);
  const w = new ModelWriter(kb);
  const tki = writeTki(w, kb, o);
  const states = declareNicheStates(w);
  const occupancy = writeNormalOccupancy(w, o);
  const names = lscNames(o);
  const lin = writeLineages(w, o, names, tki);
  const exo = writeExosomes(w, kb, o, names, lin, tki, states.bmscSupport);
  const dasatinibLike = tki.drug !== undefined && exoBlocks(kb, tki.drug);
  const eNat = tki.effect.get('native');
  // Immune channels need the immune compartment.
  const uptake = (d: Donor, r: Recipient) => (r === 'immune' && !o.immune ? undefined : exo.uptake(d, r));
  const eff = writeChannels(w, o, uptake, (c) => {
    if (c.sym === 'mir210')
      return o.hypoxia > 0
        ? `hypoxia*${w.kb('mir210_gain', 'niche.hypoxia.mir210_gain', 'miR-210 cargo per unit hypoxia')}`
        : '0';
    if (c.sym === 'mir21') return o.curcumin > 0 ? 'curcumin' : '0';
    if (c.sym === 'src') {
      const f: string[] = [];
      if (o.curcumin > 0)
        f.push(
          `(1 - curcumin*${w.kb('cur_depl', 'niche.curcumin.protein_depletion', 'pro-angiogenic protein cargo removed by curcumin')})`,
        );
      if (dasatinibLike && eNat)
        f.push(
          `(1 - ${w.kb('src_block', 'niche.ch.src_angiogenesis.recipient_block', 'endothelial Src block at reference exposure')}*min(${eNat}, 1))`,
        );
      return f.length > 0 ? f.join('*') : undefined;
    }
    return undefined;
  });
  const mods = writeNicheCells(w, o, eff, eNat !== undefined);
  writeLeukaemicLoss(w, o, sumOf(eff.get('lsc_protection+')));
  const lsc = writeLsc(w, o, tki, { ...mods, normalOccupancy: occupancy });
  writeBlastCrisis(w, o, lsc, tki);
  if (o.stemCore === 'michor') {
    // Michor 2005 read-outs (models/reference/michor2005.exm): allele-counting BCR-ABL/BCR and leukaemic fraction.
    w.assign('bcr_abl', 'y3/(y3 + 2*x3)', 'BCR-ABL/BCR with allele counting (Michor 2005 reference model)');
    w.assign('leukaemic_fraction', 'y3/(y3 + x3)', 'leukaemic fraction of mature cells');
    const text = w.text('exoniche_niche', 'exoniche niche model, Michor 2005 stem-cell core');
    return { model: parseModel(text, 'niche.exm'), text, options: o, parameters: w.uses, lsc };
  }
  // Read-outs (Hähnel/Glauche convention, as models/reference/hahnel2020.exm).
  const yTot = lsc.cycling.length === 1 ? 'Y' : 'Y_tot';
  w.assign('L', `${yTot}/Ky`, 'leukaemic load');
  if (o.readout === 'blood') {
    w.assign('bcr_abl', writeBloodReadout(w, o, lsc, tki, 'Ky'), 'BCR-ABL1/ABL1 in blood (blood.ts)');
    w.assign('bcr_abl_percent', '100*bcr_abl');
  } else {
    w.assign('bcr_abl', 'L/(2 - L)', 'BCR-ABL1/ABL1 (Hähnel convention)');
    w.assign('bcr_abl_percent', '100*L/(2 - L)');
  }
  w.assign('log_load', `2 + log10(${yTot}/Ky)`);
  w.assign(
    'quiescent_fraction',
    `(${lsc.quiescent.join(' + ')})/LSC_tot`,
    'quiescent share of leukaemic stem cells',
  );
  if (eNat) {
    const p = mods.protectionSensitive;
    w.assign(
      'tki_kill',
      `e_tki*${eNat}${p === '0' ? '' : `/(1 + ${p})`}`,
      'TKI kill rate of native cycling LSCs',
    );
    w.assign(
      'tki_kill_lsc',
      'tki_kill*(1 - quiescent_fraction)',
      'TKI kill per leukaemic stem cell (all LSCs)',
    );
  }
  const text = w.text('exoniche_niche', 'exoniche niche model: CML LSCs, niche cells and exosome crosstalk');
  return { model: parseModel(text, 'niche.exm'), text, options: o, parameters: w.uses, lsc };
}

function exoBlocks(kb: KnowledgeBase, drug: string): boolean {
  return kb.channels.some(
    (c) =>
      c.id === 'cml-endothelium-src-angiogenesis' &&
      (c.modulators ?? []).some((m) => m.agent === drug && m.actsOn === 'recipient' && m.effect === 'blocks'),
  );
}

/** The niche model IR (compile with compileModel, simulate with simulateModel). */
export function buildNicheModel(options: NicheOptions, kb: KnowledgeBase): Model {
  return buildNiche(options, kb).model;
}
