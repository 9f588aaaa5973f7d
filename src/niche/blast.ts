/**
 * The blast-crisis route and the blast read-outs.
 *
 * Progression of CML to blast crisis needs additional events in leukaemic stem or progenitor cells that block
 * differentiation (genomic instability under BCR-ABL; cml-models.md, Radich's progression model). Here a cycling
 * leukaemic stem cell of any clone acquires the block at division with probability u_bc (niche.bc.event_probability),
 * which turns it into a blast-crisis cell B. B cells self-renew without differentiating: they grow logistically at
 * r_bc up to the marrow capacity K_bc, and the TKI kills them with a fraction s_bc of the native cycling-LSC kill:
 *
 *   BC_c: Y_c -> B at u_bc div Y_c,   dB/dt = r_bc B (1 - B/K_bc) - e_tki tkiE s_bc B + sum_c u_bc div Y_c
 *
 * Blast read-outs from the Michor hierarchy (haematopoiesis.ts): the marrow holds progenitors (x1, y1; the
 * chronic-phase myeloblasts), differentiated cells (x2, y2) and B; the blood holds mature cells (x3, y3) and the
 * circulating share of B, q B with q = bc_blood cy/d3 (cy/d3 is the blood/marrow ratio of maturing leukaemic cells).
 *
 *   blasts_marrow_percent = 100 (x1 + y1 + B)/(x1 + y1 + x2 + y2 + B)
 *   blasts_blood_percent  = 100 q B/(q B + x3 + y3)
 *
 * Simplifications: B does not displace normal haematopoiesis or the other lineages (no feedback), B carries the
 * native clone's TKI effect whichever clone it came from, and the event arises in stem cells only (progenitor
 * origin, Jamieson 2004, would add a source from y1 with its own self-renewal probability).
 */
import type { LscSymbols } from './lsc.js';
import type { ResolvedOptions } from './options.js';
import type { TkiSymbols } from './tki.js';
import type { ModelWriter } from './writer.js';

const PERCENT = '100';

/** Writes the blast-crisis cells (when the route is on) and the blast read-outs (when the lineages are on). */
export function writeBlastCrisis(w: ModelWriter, o: ResolvedOptions, lsc: LscSymbols, tki: TkiSymbols): void {
  if (!o.lineages) return;
  let b = '';
  if (o.blastCrisis) {
    const div = lsc.division;
    if (div === undefined) throw new Error('niche model: blast-crisis route needs the LSC division rate');
    const u = w.kb('u_bc', 'niche.bc.event_probability', 'blast-crisis event probability per LSC division');
    const r = w.kb('r_bc', 'niche.bc.growth_rate', 'net growth rate of blast-crisis cells');
    const K = w.kb('K_bc', 'niche.bc.capacity', 'marrow capacity for blast-crisis cells');
    w.species('B', '0', 'blast-crisis cells (differentiation blocked)');
    lsc.cycling.forEach((Y) => {
      w.reaction(`BC${Y.slice(1)}`, Y, 'B', `${u}*${div}*${Y}`);
    });
    w.reaction('GrowB', '', 'B', `${r}*B*(1 - B/${K})`);
    const e = tki.effect.get('native');
    if (e && w.has('e_tki')) {
      const s = w.kb(
        's_bc',
        'niche.bc.tki_sensitivity',
        'TKI kill of blast-crisis cells relative to native LSCs',
      );
      w.reaction('KillB', 'B', '', `e_tki*${e}*${s}*B`);
    }
    w.kb('bc_blood', 'niche.bc.blood_ratio', 'circulating share of blast-crisis cells (relative to cy/d3)');
    w.assign('q_bc', 'bc_blood*cy/d3', 'circulating blast-crisis cells per marrow one');
    b = 'B';
  }
  const marrowBlasts = b ? 'x1 + y1 + B' : 'x1 + y1';
  w.assign(
    'blasts_marrow_percent',
    `${PERCENT}*(${marrowBlasts})/(x1 + y1 + x2 + y2${b ? ' + B' : ''})`,
    'marrow blasts, % of nucleated marrow cells',
  );
  w.assign(
    'blasts_blood_percent',
    b ? `${PERCENT}*q_bc*B/(q_bc*B + x3 + y3)` : '0',
    'blood blasts, % of nucleated blood cells',
  );
}
