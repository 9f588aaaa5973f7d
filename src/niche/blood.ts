/**
 * The blood read-out of BCR-ABL1 (option `readout: 'blood'`). Hähnel's read-out L/(2 - L) is the leukaemic share
 * L = Y/Ky of the proliferating stem cells; blood is sampled two compartments further down, in the mature progeny
 * of differentiated cells that turn over at Michor's d2 (about 0.05/day). Under the TKI each clone's output of
 * differentiated cells falls by the fold 1 + G E_c (Michor 2005 lowered the leukaemic progenitor and
 * differentiation rates under imatinib; here one fold for the two, G >= 0 the block at the reference effect minus
 * one, so that no value raises the output; docs/population-calibration.md):
 *
 *   dr_c/dt = d2 (1/(1 + G E_c) - r_c),   r_c(0) = 1 (untreated)
 *   f = sum_c L_c r_c / (sum_c L_c r_c + 1 - L),   BCR-ABL1/ABL1 = f/(2 - f)
 *
 * with L_c = Y_c/Ky the load of clone c, E_c its normalised TKI effect (tki.ts) and normal output per stem cell
 * taken equal to leukaemic output off the drug (so that r = 1 gives Hähnel's read-out exactly, and G = 0 too).
 * The blood ratio falls by up to 1 + G at the turnover of differentiated cells (the first phase), then follows the stem
 * cells (the later phases). Written as BCR-ABL1/ABL1 = S/(S + 2 (1 - L)), S = sum_c L_c r_c, which is f/(2 - f);
 * the denominator is kept >= S/2 (ratio <= 200 %) for loads above 1 with a blocked output, where 1 - L < 0.
 */
import type { LscSymbols } from './lsc.js';
import type { ResolvedOptions } from './options.js';
import type { TkiSymbols } from './tki.js';
import type { ModelWriter } from './writer.js';

/** Writes the relative outputs r_c and returns the blood BCR-ABL1/ABL1 ratio expression (a fraction). */
export function writeBloodReadout(
  w: ModelWriter,
  o: ResolvedOptions,
  lsc: LscSymbols,
  tki: TkiSymbols,
  ky: string,
): string {
  const block = w.kb(
    'blood_block',
    'niche.blood.tki_block',
    'block of the output of differentiated leukaemic cells: fold 1 + G at the reference TKI effect',
  );
  if (!w.has('d2')) throw new Error('the blood read-out needs the lineages (Michor d2)');
  const clones = ['native', ...o.clones];
  // One r per clone even without a drug (r stays 1), so that every drug's model has the same states.
  const terms = lsc.cycling.map((Y, i) => {
    const e = tki.effect.get(clones[i]);
    const r = w.species(
      bloodOutputName(i),
      '1',
      `relative output of differentiated cells, ${clones[i]} clone (1 = untreated)`,
    );
    w.reaction(`${r}_in`, '', r, e ? `d2/(1 + ${block}*${e})` : 'd2');
    w.reaction(`${r}_out`, r, '', `d2*${r}`);
    return `${Y}*${r}/${ky}`;
  });
  const s = w.assign('S_blood', terms.join(' + '), 'leukaemic output reaching the blood, in stem-cell loads');
  return `${s}/max(${s} + 2*(1 - L), ${s}/2)`;
}

/** The species of clone i's relative output (i indexes the cycling LSCs, native first). */
export function bloodOutputName(i: number): string {
  return i === 0 ? 'r_blood' : `r_blood_${i}`;
}

/**
 * BCR-ABL1/ABL1 in blood from the load L (all cycling clones, Y/Ky) and the output S = sum_c L_c r_c: the
 * expression the model writes, for callers that read the state directly (the cohort runner).
 */
export function bloodBcrAbl(load: number, output: number): number {
  return output / Math.max(output + 2 * (1 - load), output / 2);
}
