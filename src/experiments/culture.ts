/**
 * Set-ups on the niche model: niche options plus parameter overrides, initial amounts and held species.
 *
 * In-vitro cultures are the marrow model with what is absent switched off (immune compartment, normal lineage,
 * niche feedbacks when no niche cell is in the well) and the exosome doses expressed as *held pools*: the pool
 * species is made a boundary species at the added dose, so that the dose stays as added for the read-out window
 * (no extracellular half-life at 37 °C in culture was found, biology.md §3, [U]). The cells' own release is
 * neglected in vitro (every pool is held, at 0 when nothing is added): the experiments compare added exosomes.
 * Added doses use the in-vitro dose scale (addedPools), in-vivo held pools the marrow-equivalent pools (marrowPools).
 * The transforms act on the model IR, which is plain data; src/niche is not changed.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { Model } from '../models/ir.js';
import { simulateModel } from '../models/simulate.js';
import { simulateApproximate } from '../models/simulate-approximate.js';
import { prepareStochastic } from '../models/simulate-stochastic.js';
import { buildNiche, buildNicheModel, type NicheOptions, nicheHybridPartition } from '../niche/index.js';

export interface SetUp {
  readonly options: NicheOptions;
  /** Overrides of model parameters by id (KB-bound values or option parameters). */
  readonly params?: Readonly<Record<string, number>>;
  /** Initial amounts of species (replace their initial assignments). */
  readonly initial?: Readonly<Record<string, number>>;
  /** Species held at a value for the whole run (boundary species: reactions do not change them). */
  readonly held?: Readonly<Record<string, number>>;
}

export class SetUpError extends Error {
  override name = 'SetUpError';
}

/** The niche model of a set-up, with initial amounts and held species applied to the IR. */
export function buildSetUp(kb: KnowledgeBase, s: SetUp): Model {
  const model = buildNicheModel(s.options, kb);
  const initial = { ...(s.initial ?? {}), ...(s.held ?? {}) };
  const ids = new Set(model.species.map((x) => x.id));
  for (const id of Object.keys(initial))
    if (!ids.has(id))
      throw new SetUpError(
        `set-up names species '${id}', which the model lacks; species: ${[...ids].join(', ')}`,
      );
  const species = model.species.map((x) => {
    if (!(x.id in initial)) return x;
    const v = initial[x.id];
    if (!(v >= 0) || !Number.isFinite(v))
      throw new SetUpError(`species '${x.id}': amount must be >= 0, got ${v}`);
    const held = s.held !== undefined && x.id in s.held;
    const { initialConcentration: _c, ...rest } = x;
    return { ...rest, initialAmount: v, ...(held ? { boundaryCondition: true } : {}) };
  });
  const initialAssignments = model.initialAssignments.filter((a) => !(a.symbol in initial));
  return { ...model, species, initialAssignments };
}

/** Solver settings shared by every experiment (tight, so that directions are not solver noise). */
export const SOLVER = { method: 'rodas5p', rtol: 1e-8, atol: 1e-6 } as const;

/**
 * Runs a set-up and returns the named read-outs at each time (months). Throws when the solver fails: an experiment
 * never reports numbers from an unfinished run.
 */
export function readAt(
  kb: KnowledgeBase,
  s: SetUp,
  times: readonly number[],
  ids: readonly string[],
): Record<string, number[]> {
  const model = buildSetUp(kb, s);
  const tEnd = Math.max(...times);
  const r = simulateModel(model, {
    ...SOLVER,
    tEnd,
    saveat: times,
    ...(s.params ? { params: s.params } : {}),
  });
  if (r.retcode !== 'Success') throw new Error(`simulation failed (${r.retcode}): ${r.message}`);
  const out: Record<string, number[]> = {};
  for (const id of ids) {
    const col = r.column(id);
    // one value per requested time: the last saved value at that time (post-event)
    out[id] = times.map((t) => {
      let v = Number.NaN;
      for (let i = 0; i < r.time.length; i++)
        if (Math.abs(r.time[i] - t) <= 1e-12 * Math.max(1, t)) v = col[i];
      return v;
    });
  }
  return out;
}

/** Read-outs at one time. */
export function readOne(
  kb: KnowledgeBase,
  s: SetUp,
  t: number,
  ids: readonly string[],
): Record<string, number> {
  const r = readAt(kb, s, [t], ids);
  return Object.fromEntries(ids.map((id) => [id, r[id][0]]));
}

/** Months per hour and per day (the niche model's time unit is the month; DAYS_PER_MONTH of src/therapy). */
export const DAY = 1 / 30.44;
export const HOUR = DAY / 24;

/** Options common to in-vitro cultures: no immune compartment, no normal lineage (bulk cells = LSC compartment). */
export const IN_VITRO: NicheOptions = { immune: false, lineages: false, tki: { kind: 'none' } };

/** No niche cell in the well: the IL-8 and VCAM1/CXCL12 feedbacks on the leukaemic cells are off. */
export const NO_NICHE_FEEDBACK = {
  'il8-cxcr-retention': false,
  'vcam1-cxcl12-retention': false,
} as const;

/**
 * The marrow-equivalent exosome pools: those of the untreated marrow model of Hähnel patient 1 at diagnosis (3 days
 * after the start, when the pools have filled). They follow from release, clearance and uptake of the in-vivo model
 * and are the dose of the in-vivo set-ups that hold a pool (xenografts, VE-10 and VE-15).
 */
export function marrowPools(kb: KnowledgeBase): { cml: number; bmsc: number } {
  const r = readOne(kb, { options: { tki: { kind: 'none' } } }, 3 * DAY, [
    'E_cml',
    'E_lsc',
    'w_lsc',
    'E_bmsc',
  ]);
  return { cml: r.E_cml + r.w_lsc * r.E_lsc, bmsc: r.E_bmsc };
}

/**
 * The in-vitro dose scale (docs/experiments.md §2). Cultures (and the Matrigel plug) receive exosomes at a dose in
 * µg exosome protein per mL, as the studies report it (Raimondo 2015: 5-20 µg/mL; invitro.dose when the
 * study's dose was not retrieved), converted to particles/mL with invitro.particles_per_ug (Webber & Clayton
 * 2013). Recipient uptake in a well saturates with the particle concentration C at invitro.km (Heusermann
 * 2016): u = C/(Km_vitro + C). The held pool is the marrow pool with the same uptake fraction, (C/Km_vitro) x Km_d,
 * so in-vitro doses do not depend on the in-vivo release, clearance or uptake keys (which calibration moves).
 */
export function addedPools(
  kb: KnowledgeBase,
  ugPerMl: number = kbValue(kb, 'invitro.dose'),
): { cml: number; bmsc: number; particlesPerMl: number; uptake: number } {
  if (!(ugPerMl >= 0) || !Number.isFinite(ugPerMl))
    throw new SetUpError(`in-vitro dose must be a finite amount >= 0 µg/mL, got ${ugPerMl}`);
  const c = ugPerMl * kbValue(kb, 'invitro.particles_per_ug');
  const rel = c / kbValue(kb, 'invitro.km');
  return {
    cml: rel * kbValue(kb, 'niche.uptake.km_cml'),
    bmsc: rel * kbValue(kb, 'niche.uptake.km_bmsc'),
    particlesPerMl: c,
    uptake: rel / (1 + rel),
  };
}

/** Value of a KB parameter. */
export const kbValue = (kb: KnowledgeBase, key: string): number => kb.parameter(key).value;

/**
 * Cultures are seeded at this fraction of the LSC carrying capacity (hahnel2020.Ky), so that the logistic term
 * stays near 1 and growth is exponential over a week, as in a sub-confluent culture. Only ratios between arms are
 * read, so the seeding density itself carries no biology.
 */
export const SEED_FRACTION = 0.01;

/** Cells seeded in a culture (all cycling, none quiescent). */
export function seeded(kb: KnowledgeBase): number {
  return SEED_FRACTION * kbValue(kb, 'hahnel2020.Ky');
}

/** Read-out time of tube formation / vascular density at its plateau: 5 relaxation times of niche.vascular.rate. */
export function vascularPlateau(kb: KnowledgeBase): number {
  return 5 / kbValue(kb, 'niche.vascular.rate');
}

/** Keyed hybrid replicates of an engraftment read-out: the stream key (seed) and how many replicates. */
export const ENGRAFTMENT_RUNS = { seed: 15, replicates: 40 } as const;

/**
 * Engraftment probability of a set-up: the fraction of keyed hybrid replicates (simulateApproximate, engine
 * 'hybrid', the niche partition of src/niche/hybrid.ts: leukaemic stem cells discrete when few, the rest ODE) in
 * which leukaemic stem cells remain (LSC_tot >= 1) at time t. Replicate r draws from the keys (seed, r), so the value
 * is reproducible and the arms of an experiment use common random numbers.
 */
export function engraftment(
  kb: KnowledgeBase,
  s: SetUp,
  t: number,
  runs: { readonly seed: number; readonly replicates: number } = ENGRAFTMENT_RUNS,
): number {
  const prepared = prepareStochastic(buildSetUp(kb, s));
  const partition = nicheHybridPartition(buildNiche(s.options, kb));
  let alive = 0;
  for (let r = 0; r < runs.replicates; r++) {
    const res = simulateApproximate(prepared, {
      engine: 'hybrid',
      tEnd: t,
      saveat: [0, t],
      seed: runs.seed,
      firstReplicate: r,
      ids: ['LSC_tot'],
      quantiles: [],
      ...(s.params ? { params: s.params } : {}),
      hybrid: { partition, method: SOLVER.method, rtol: 1e-6, atol: 1e-6 },
    });
    if (res.column('LSC_tot')[1] >= 1) alive++;
  }
  return alive / runs.replicates;
}
