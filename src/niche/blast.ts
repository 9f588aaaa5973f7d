/**
 * The blast-crisis route and the blast read-outs.
 *
 * Progression of CML to blast crisis needs additional events in leukaemic stem or progenitor cells that block
 * differentiation (genomic instability under BCR-ABL; cml-models.md, Radich's progression model). Here a cycling
 * leukaemic stem cell of any clone acquires the block at division with probability u_bc (niche.bc.event_probability),
 * which turns it into a blast-crisis cell. Blast-crisis cells self-renew without differentiating and grow
 * logistically at r_bc up to the marrow capacity K_bc. A fraction phi_bc of the events (niche.bc.tki_insensitive_fraction)
 * makes the blasts independent of BCR-ABL kinase activity (Bi: no TKI kill); the others (B) keep it, and the TKI
 * kills them with a fraction s_bc of the native cycling-LSC kill:
 *
 *   BC_c:  Y_c -> B  at (1 - phi_bc) u_bc div Y_c,   dB/dt  = r_bc B (1 - (B + Bi)/K_bc) - e_tki tkiE s_bc B + ...
 *   BCi_c: Y_c -> Bi at phi_bc u_bc div Y_c,         dBi/dt = r_bc Bi (1 - (B + Bi)/K_bc) + ...
 *
 * The read-outs count all blast-crisis cells (B below stands for B + Bi).
 *
 * Blast read-outs from the Michor hierarchy (haematopoiesis.ts): the marrow holds progenitors (x1, y1; the
 * chronic-phase myeloblasts), differentiated cells (x2, y2) and B; the blood holds mature cells (x3, y3) and the
 * circulating share of B, q B with q = bc_blood cy/d3 (cy/d3 is the blood/marrow ratio of maturing leukaemic cells).
 *
 *   blasts_marrow_percent = 100 (x1 + y1 + B)/(x1 + y1 + x2 + y2 + B)
 *   blasts_blood_percent  = 100 q B/(q B + x3 + y3)
 *
 * For deterministic engines the option blastFounders replaces the source by a founder model (writeFounders below,
 * docs/niche-model.md §2.7): in the ODE, B fed by the flux is an expected value whose fractions of a cell grow into
 * blast crisis in nearly every patient. The hybrid engine keeps the form above (B discrete when small).
 *
 * Simplifications: B does not displace normal haematopoiesis or the other lineages (no feedback), sensitive blasts
 * carry the native clone's TKI effect whichever clone they came from, and the event arises in stem cells only
 * (progenitor origin, Jamieson 2004, would add a source from y1 with its own self-renewal probability).
 */
import { exponential, type Seed, streamFor, uniform } from '../numerics/random/index.js';
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
    const e = tki.effect.get('native');
    const kill =
      e && w.has('e_tki')
        ? `e_tki*${e}*${w.kb('s_bc', 'niche.bc.tki_sensitivity', 'TKI kill of blast-crisis cells relative to native LSCs')}`
        : undefined;
    const phi = w.kb(
      'phi_bc',
      'niche.bc.tki_insensitive_fraction',
      'share of blast-crisis events whose blasts are independent of BCR-ABL kinase activity (no TKI kill)',
    );
    const pre = w.kb(
      'T_bc_pre',
      'niche.bc.preclinical_months',
      'preclinical chronic phase at the diagnosis burden, over which founders accrue before diagnosis',
    );
    if (o.blastFounders > 0) {
      writeFounders(w, o.blastFounders, lsc.cycling, `${u}*${div}`, r, K, kill, pre, phi);
    } else {
      // The preclinical window as initial cells: the founders of the window (the same thresholds and kinds as the
      // founder model) start at floor(exp(r_bc age)) cells; the engine's own events take over from diagnosis.
      const pools = preclinicalPools(w, o.preclinicalFounders, `${u}*${div}`, lsc.cycling, r, pre, phi);
      w.species(
        'Bs',
        pools.sensitive,
        'blast-crisis cells that keep their BCR-ABL dependence (TKI-sensitive)',
      );
      w.species(
        'Bi',
        pools.insensitive,
        'blast-crisis cells independent of BCR-ABL kinase activity (no TKI kill)',
      );
      w.assign('B', 'Bs + Bi', 'blast-crisis cells (differentiation blocked)');
      lsc.cycling.forEach((Y) => {
        w.reaction(`BC${Y.slice(1)}`, Y, 'Bs', `(1 - ${phi})*${u}*${div}*${Y}`);
        w.reaction(`BCi${Y.slice(1)}`, Y, 'Bi', `${phi}*${u}*${div}*${Y}`);
      });
      w.reaction('GrowB', '', 'Bs', `${r}*Bs*(1 - B/${K})`);
      w.reaction('GrowBi', '', 'Bi', `${r}*Bi*(1 - B/${K})`);
      if (kill) w.reaction('KillB', 'Bs', '', `${kill}*Bs`);
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

/**
 * Founders of the preclinical window carried by the discrete form (hybrid engine, expected-value ODE): at most n
 * (option preclinicalFounders; 0: none), with the founder model's draws (bc_threshold_k, bc_kind_k); F0 = T_bc_pre u_bc div
 * sum Y(0) is the window's expected count, founder k lies in it when c_k < F0 and then arrived
 * T_bc_pre (F0 - c_k)/F0 months before diagnosis. Its cells: floor(exp(r_bc age)), the whole part of its expected
 * untreated clone (a Yule clone's size is random; its mean is taken).
 */
function preclinicalPools(
  w: ModelWriter,
  n: number,
  rate: string,
  cycling: readonly string[],
  r: string,
  pre: string,
  phi: string,
): { sensitive: string; insensitive: string } {
  if (n === 0) return { sensitive: '0', insensitive: '0' };
  const f0 = `(${windowCount(pre, rate, cycling)})`;
  const sensitive: string[] = [];
  const insensitive: string[] = [];
  for (let k = 1; k <= n; k++) {
    const { c, kind } = founderDraws(w, k);
    const cells = `floor(exp(${r}*${pre}*(${f0} - ${c})/max(${f0}, ${c})))`;
    sensitive.push(`piecewise(${cells}, ${f0} > ${c} && ${kind} >= ${phi}, 0)`);
    insensitive.push(`piecewise(${cells}, ${f0} > ${c} && ${kind} < ${phi}, 0)`);
  }
  return { sensitive: sensitive.join(' + '), insensitive: insensitive.join(' + ') };
}

/** Expected founder events of the preclinical window: T_bc_pre times the diagnosis rate u_bc div sum Y(0). */
const windowCount = (pre: string, rate: string, cycling: readonly string[]): string =>
  `${pre}*${rate}*(${cycling.join(' + ')})`;

/** Founder k's draws as model parameters (defaults: the medians), shared by both forms of the route. */
function founderDraws(w: ModelWriter, k: number): { c: string; kind: string } {
  const c = w.computed(
    bcThresholdId(k),
    bcThresholdDefault(k),
    'C',
    `cumulative founder threshold ${k} (sum of ${k} unit exponentials; drawn per patient)`,
  );
  const kind = w.computed(
    bcKindId(k),
    BC_KIND_DEFAULT,
    'C',
    `kind draw of founder ${k} (unit uniform; TKI-insensitive below phi_bc; drawn per patient)`,
  );
  return { c, kind };
}

/** How many founder draws (thresholds and kinds) a niche model of these (resolved) options carries. */
export function bcFounderDraws(o: Pick<ResolvedOptions, 'blastFounders' | 'preclinicalFounders'>): number {
  return o.blastFounders > 0 ? o.blastFounders : o.preclinicalFounders;
}

/**
 * One patient's founder draws: the cumulative thresholds bc_threshold_1..n (partial sums of n unit exponentials)
 * and then the kind draws bc_kind_1..n (unit uniforms; founder k is TKI-insensitive when bc_kind_k < phi_bc), all
 * from the keyed stream (seed, purpose, index), so a patient's draws depend on (seed, purpose, index) only and the
 * thresholds are those of the stream's first n numbers.
 */
export function drawBcFounders(
  seed: Seed,
  purpose: string,
  index: number,
  n: number,
): Record<string, number> {
  const s = streamFor(seed, ['purpose', purpose], ['patient', index]);
  const out: Record<string, number> = {};
  let c = 0;
  for (let k = 1; k <= n; k++) {
    c += exponential(s);
    out[bcThresholdId(k)] = c;
  }
  for (let k = 1; k <= n; k++) out[bcKindId(k)] = uniform(s, 0, 1);
  return out;
}

/** Parameter id of the k-th (1-based) cumulative founder threshold of the founder model. */
export const bcThresholdId = (k: number): string => `bc_threshold_${k}`;

/** Parameter id of the k-th founder's kind draw (a unit uniform; TKI-insensitive below phi_bc). */
export const bcKindId = (k: number): string => `bc_kind_${k}`;

/** Default kind draw when nobody draws: the uniform's median (the founder is TKI-insensitive iff phi_bc > 1/2). */
export const BC_KIND_DEFAULT = 1 / 2;

/**
 * Default k-th cumulative threshold when nobody draws: k ln 2, each unit-exponential increment at its median.
 * ln 2 is the median of the unit exponential (a mathematical constant, not a biological number).
 */
export const bcThresholdDefault = (k: number): number => k * Math.LN2;

/**
 * The founder model of the blast-crisis route for deterministic engines (blastFounders = n > 0). In the ODE, B
 * would be an expected value, and a fraction of a cell fed by the flux u_bc div Y grows exponentially, so every
 * patient progresses; instead:
 *
 *  - F (a non-cell species) integrates the expected number of founder events, F' = u_bc div sum_c Y_c (the reactions
 *    BC_c: Y_c -> F, so the LSC loss by the event stays as in the expected-value form). Founder events form an
 *    inhomogeneous Poisson process with intensity u_bc div sum Y: the k-th event comes when F crosses
 *    c_k = E_1 + ... + E_k, E_i unit exponentials, and P(T_1 > t) = exp(-F(t)) (the standard first-passage of the
 *    expected count; the thresholds are the parameters bc_threshold_1..n, drawn per patient by the callers, default
 *    k ln 2).
 *  - Founder lineage k starts with one cell when F reaches c_k and then follows the route's equation without the
 *    source, b' = r_bc b (1 - B/K_bc) - kill b (B the sum of the live lineages). It is written in its log size
 *    l_k = ln b_k, which starts at 0 (one cell) and moves only once F >= c_k, so the founding needs no event
 *    (the cohort runner's stepper executes none): B_k = exp(l_k) while live, 0 otherwise.
 *  - Below one cell (l_k back at 0 while the net rate is negative, e.g. under the TKI kill; also at once if the
 *    founder arrives while the net rate is negative) the lineage is extinct: the latch D_k (time spent extinct)
 *    turns positive and holds B_k at 0 for good.
 *  - Founder k is BCR-ABL-independent (no TKI kill) when its kind draw bc_kind_k (a unit uniform, drawn per
 *    patient) is below phi_bc, which gives each founder the route's split phi_bc : 1 - phi_bc.
 *  - Preclinical window: the disease sat at about its diagnosis burden for T_bc_pre months before diagnosis
 *    (niche.bc.preclinical_months), so F starts at T_bc_pre u_bc div sum Y(0). A founder whose threshold lies below
 *    F(0) arrived (F(0) - c_k)/(u_bc div sum Y(0)) months before diagnosis (constant rate over the window) and grew
 *    untreated since: l_k(0) = r_bc T_bc_pre (F(0) - c_k)/F(0). Without it (T_bc_pre = 0) no patient carries a blast
 *    clone at diagnosis, and the imatinib arm's early progressions (IRIS years 1-3) cannot occur: a clone founded
 *    at diagnosis needs ln(blasts at AP)/r_bc months, about 3 years, to show.
 *
 * Simplifications, stated: the window's rate is the diagnosis rate (the burden's earlier rise is folded into
 * T_bc_pre, an effective duration), pre-diagnosis growth ignores the logistic term (r_bc T_bc_pre stays far below
 * ln K_bc), every founder is assumed to establish (the KB has the net growth rate of blast cells
 * only; a branching-process establishment probability 1 - d/b would need their birth and death rates separately),
 * and later founders arrive on the same F clock whether or not an earlier lineage is alive (they are the Poisson
 * process's later events; after an extinction the next founder needs F to rise by at least a further unit
 * exponential, which is the memoryless equivalent of redrawing at the extinction). At most n founders.
 */
function writeFounders(
  w: ModelWriter,
  n: number,
  cycling: readonly string[],
  rate: string,
  r: string,
  K: string,
  kill: string | undefined,
  pre: string,
  phi: string,
): void {
  w.species(
    'F_bc',
    windowCount(pre, rate, cycling),
    'expected number of blast-crisis founder events (not cells), counted from the start of the preclinical window',
  );
  cycling.forEach((Y) => {
    w.reaction(`BC${Y.slice(1)}`, Y, 'F_bc', `${rate}*${Y}`);
  });
  const lineages: string[] = [];
  for (let k = 1; k <= n; k++) {
    const { c } = founderDraws(w, k);
    // A founder of the preclinical window arrived (F_bc - c_k)/rate months before diagnosis, i.e. its age is
    // pre (F_bc - c_k)/F_bc, and grew untreated at r_bc since (far below K_bc: r_bc pre stays below ln K_bc).
    w.species(
      `lB_${k}`,
      `max(0, ${r}*${pre}*(F_bc - ${c})/max(F_bc, ${c}))`,
      `log size of blast-crisis founder lineage ${k}`,
    );
    w.species(`dB_${k}`, '0', `extinction latch of founder lineage ${k} (time since extinction)`);
    lineages.push(`B_${k}`);
  }
  const live = (k: number) => `F_bc >= ${bcThresholdId(k)} && dB_${k} <= 0`;
  for (let k = 1; k <= n; k++)
    w.assign(
      `B_${k}`,
      `piecewise(exp(lB_${k}), ${live(k)}, 0)`,
      `blast-crisis cells of founder lineage ${k}`,
    );
  w.assign('B', lineages.join(' + '), 'blast-crisis cells (differentiation blocked), live founder lineages');
  w.assign('g_bc', `${r}*(1 - B/${K})`, 'growth rate per blast-crisis cell before the TKI kill');
  for (let k = 1; k <= n; k++) {
    const c = bcThresholdId(k);
    const g = kill
      ? w.assign(
          `g_bc_${k}`,
          `g_bc - piecewise(0, ${bcKindId(k)} < ${phi}, ${kill})`,
          `net growth rate per cell of founder lineage ${k}`,
        )
      : 'g_bc';
    w.reaction(`GrowB_${k}`, '', `lB_${k}`, `piecewise(${g}, ${live(k)} && (lB_${k} > 0 || ${g} > 0), 0)`);
    w.reaction(`DieB_${k}`, '', `dB_${k}`, `piecewise(1, F_bc >= ${c} && lB_${k} <= 0 && ${g} <= 0, 0)`);
  }
}
