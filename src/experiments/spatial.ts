/**
 * Virtual experiments that need space (issue #11): transwell co-culture, tube formation on Matrigel (VE-1, VE-3),
 * the hypoxic niche (VE-7) and local LSC protection next to BMSCs (VE-15), as named runnable set-ups on the spatial niche with the expected direction or size
 * beside the simulated value, judged like every experiment (evaluate.ts).
 *
 * In-vitro set-ups use the in-vitro dose scale (uptake half-saturation invitro.km, as src/experiments/culture.ts)
 * and no exosome clearance (culture.ts: no extracellular half-life at 37 C in culture was found [U], so released
 * exosomes accumulate in the medium). Amounts are per um^3 of a 20 um slab over the 2D domain; only ratios between
 * arms are judged.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { type AddCell, SpatialNiche, type SpatialOptions } from '../spatial/model.js';
import { drugAction, UM3_PER_ML } from '../spatial/params.js';
import type { Experiment } from './types.js';

const HOUR = 60;
const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** Mean of a per-cell read-out over the cells of one type. */
function meanOver(
  sim: SpatialNiche,
  type: AddCell['type'],
  f: (c: ReturnType<SpatialNiche['cell']>) => number,
) {
  return mean(
    sim
      .ids()
      .map((id) => sim.cell(id))
      .filter((c) => c.type === type)
      .map(f),
  );
}

/** The added in-vitro exosome dose as a concentration (particles / um^3): invitro.dose ug/mL x particles_per_ug. */
function addedDose(sim: SpatialNiche, fold = 1): number {
  return (fold * sim.params.invitroDose * sim.params.invitroParticlesPerUg) / UM3_PER_ML;
}

const inVitro = (o: Omit<SpatialOptions, 'setting' | 'lscCapacity'>): SpatialOptions => ({
  setting: 'in-vitro',
  lscCapacity: 1e9,
  ...o,
});

// --- transwell co-culture (B1 through a membrane) ---

function transwellRun(kb: KnowledgeBase, k562: boolean, releaseInhibitor: number) {
  const sim = new SpatialNiche(
    kb,
    inVitro({
      dims: 2,
      domain: { lo: [0, 0], hi: [400, 200] },
      voxel: 20,
      seed: 11,
      dtDiffusion: 0.5,
      dtMechanics: 0.5,
      dtPhenotype: 6,
      membrane: { axis: 0, at: 200 },
      niche: {
        interventions: { releaseInhibitor },
        feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false },
      },
    }),
  );
  if (k562)
    for (let k = 0; k < 60; k++)
      sim.addCell({ type: 'cml', x: 20 + 24 * (k % 7), y: 15 + 17 * Math.floor(k / 7) });
  for (let k = 0; k < 8; k++)
    sim.addCell({ type: 'bmsc', x: 240 + 40 * (k % 4), y: 50 + 100 * Math.floor(k / 4) });
  sim.run(72 * HOUR);
  let crossed = 0;
  for (const id of sim.ids()) {
    const i = sim.store.indexOf(id);
    const t = sim.cell(id).type;
    if (t === 'cml' && sim.store.x[i] > 200) crossed++;
    if (t === 'bmsc' && sim.store.x[i] < 200) crossed++;
  }
  return {
    il8_bmsc: meanOver(sim, 'bmsc', (c) => c.activation[0]),
    uptake_bmsc: meanOver(sim, 'bmsc', (c) => c.uptakeCml),
    crossed,
  };
}

export const TRANSWELL: Experiment = {
  id: 'SVE-1',
  title: 'Transwell: CML exosomes raise BMSC IL-8 across a membrane, without contact (B1, VE-11)',
  source: { study: 'B1', ref: 'corrado2014' },
  setting: 'in-vitro',
  protocol:
    'K562 cells in a transwell insert above HS5 BMSCs (membrane passes exosomes, not cells), 72 h; BMSC IL-8. ' +
    'Controls: no K562; K562 with the exosome-release inhibitor GW4869.',
  mapping:
    'A 400 x 200 um 2D domain split by a membrane at x = 200 um: 60 K562-like CML cells on one side, 8 fixed BMSCs on ' +
    'the other; the CML exosome field diffuses through the membrane, cells are held on their side. Release at ' +
    'niche.release.cml, no clearance in culture, uptake at the in-vitro scale; BMSC IL-8 = the per-cell state ' +
    'il8_bmsc (B1 + B2). GW4869 = niche option releaseInhibitor 1. Niche feedbacks off (no LSCs).',
  expectations: [
    {
      id: 'il8_transwell',
      statement: 'CML exosomes stimulate BMSCs to produce IL-8',
      measure: 'mean BMSC il8_bmsc, K562 in the insert / no K562, 72 h',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'il8_gw4869',
      statement: 'blocking exosome release removes the effect (the signal is exosomal)',
      measure: 'mean BMSC il8_bmsc, K562 + GW4869 / no K562',
      criterion: { kind: 'band', target: 1, low: 0.95, high: 1.05 },
      evidence: 'R',
      note: '"removes" read as back within 5 % of the control arm, as in the ODE experiments',
    },
    {
      id: 'no_contact',
      statement: 'no cell crosses the membrane',
      measure: 'cells found on the other side of the membrane at 72 h',
      criterion: { kind: 'atMost', limit: 0 },
      evidence: 'V',
      note: 'a property of the set-up, checked so that the effect cannot come from contact',
    },
  ],
  run(kb) {
    const none = transwellRun(kb, false, 0);
    const tw = transwellRun(kb, true, 0);
    const gw = transwellRun(kb, true, 1);
    return {
      arms: [
        { arm: 'BMSC alone', readouts: none },
        { arm: 'K562 in the insert', readouts: tw },
        { arm: 'K562 + GW4869 in the insert', readouts: gw },
      ],
      measures: {
        il8_transwell: tw.il8_bmsc / none.il8_bmsc,
        il8_gw4869: gw.il8_bmsc / none.il8_bmsc,
        no_contact: none.crossed + tw.crossed + gw.crossed,
      },
    };
  },
};

// --- tube formation on Matrigel (E1: VE-1, VE-3) ---

/** Rings of the tube-formation well: 12 hexagonal rings of 6 touching endothelial cells, 130 um apart. */
export const TUBE_RINGS = 12;

function tubeRun(kb: KnowledgeBase, fold: number, drug?: string) {
  const base: Omit<SpatialOptions, 'setting' | 'lscCapacity'> = {
    dims: 2,
    domain: { lo: [0, 0], hi: [600, 600] },
    voxel: 20,
    seed: 3,
    mechanics: false,
    // The dose is held uniform and nothing else diffuses: the fields need no fine step.
    dtDiffusion: 6,
    dtMechanics: 6,
    dtPhenotype: 6,
  };
  const probe = new SpatialNiche(kb, inVitro(base));
  const dose = addedDose(probe, fold);
  const sim = new SpatialNiche(
    kb,
    inVitro({
      ...base,
      held: { cml: dose, lsc: 0, bmsc: 0 },
      niche: { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } },
      ...(drug ? { drug: { name: drug, nM: drugAction(kb, drug).referenceNm } } : {}),
      // The network grows (sprouts) and regresses at k_vasc toward N0 x the cells' vasc target.
      vessels: {},
    }),
  );
  // Closed rings (a ring of k cells has k edges), so the network length is 2r per cell and its ratio between arms
  // is the ratio of cell counts, the niche model's vascular density V = N / N0.
  const d = 2 * sim.params.radius.endo;
  for (let k = 0; k < TUBE_RINGS; k++)
    for (let m = 0; m < 6; m++)
      sim.addCell({
        type: 'endo',
        x: 100 + 130 * (k % 4) + d * Math.cos((Math.PI / 3) * m),
        y: 100 + 130 * Math.floor(k / 4) + d * Math.sin((Math.PI / 3) * m),
      });
  // Plateau: 5 relaxation times of niche.vascular.rate, as src/experiments/culture.ts vascularPlateau.
  sim.run(Math.round(5 / sim.params.kVasc / sim.dtPhenotype) * sim.dtPhenotype);
  const net = sim.vesselNetwork();
  return {
    tube_length_um: net.length,
    endothelial_cells: net.cells,
    components: net.components,
    branch_points: net.branchPoints,
    vasc: meanOver(sim, 'endo', (c) => c.activation[0]),
    uptake: meanOver(sim, 'endo', (c) => c.uptakeCml),
  };
}

export const TUBE_FORMATION: Experiment = {
  id: 'SVE-2',
  title:
    'Tube formation: K562 exosomes double the endothelial network; dasatinib blocks it, imatinib does not (VE-1, VE-3)',
  source: { study: 'E1', ref: 'mineo2012' },
  setting: 'in-vitro',
  protocol:
    'HUVEC on Matrigel in limited medium with or without K562 exosomes; HUVEC pre-treated with dasatinib or ' +
    'imatinib; total cumulative tube length.',
  mapping:
    '72 endothelial cells in 12 closed rings on a 600 x 600 um 2D well with the CML exosome field held at the ' +
    'in-vitro dose (invitro.dose x invitro.particles_per_ug, uptake at invitro.km); the drug as a uniform unbound ' +
    "field at the standard regimen's steady-state average. Each cell's vasc target follows from its own uptake " +
    '(E1 Src with the dasatinib block, E3, E4); the vessel network sprouts and regresses at ' +
    'niche.vascular.rate x (T N0 / N - 1) per cell; tube length = sum of the lengths of the edges between ' +
    'adhered endothelial cells, read at the plateau (5 / niche.vascular.rate).',
  expectations: [
    {
      id: 'tube_fold',
      statement: 'total cumulative tube length doubled vs limited medium (P = 0.003)',
      measure: 'tube length with exosomes / without, at the plateau',
      criterion: { kind: 'band', target: 2, low: 1.5, high: 2.5 },
      evidence: 'V',
      note: 'band +-25 % as for every quantitative VE target without a reported spread',
    },
    {
      id: 'tube_dasatinib',
      statement: 'dasatinib on HUVEC markedly inhibits exosome-induced tube formation (P < 0.002)',
      measure: 'induced rise remaining under dasatinib ((das - ctrl)/(exo - ctrl))',
      criterion: { kind: 'atMost', limit: 0.5 },
      evidence: 'V',
    },
    {
      id: 'tube_imatinib',
      statement: 'imatinib is minimally active against exosome-stimulated HUVEC differentiation',
      measure: 'induced rise remaining under imatinib',
      criterion: { kind: 'atLeast', limit: 0.8 },
      evidence: 'V',
    },
  ],
  run(kb) {
    const ctrl = tubeRun(kb, 0);
    const exo = tubeRun(kb, 1);
    const high = tubeRun(kb, 10);
    const das = tubeRun(kb, 1, 'dasatinib');
    const ima = tubeRun(kb, 1, 'imatinib');
    const rise = exo.tube_length_um - ctrl.tube_length_um;
    return {
      arms: [
        { arm: 'limited medium', readouts: ctrl },
        { arm: 'K562 exosomes', readouts: exo },
        { arm: 'K562 exosomes (10x)', readouts: high },
        { arm: 'dasatinib + K562 exosomes', readouts: das },
        { arm: 'imatinib + K562 exosomes', readouts: ima },
      ],
      measures: {
        tube_fold: exo.tube_length_um / ctrl.tube_length_um,
        tube_fold_10x: high.tube_length_um / ctrl.tube_length_um,
        tube_dasatinib: (das.tube_length_um - ctrl.tube_length_um) / rise,
        tube_imatinib: (ima.tube_length_um - ctrl.tube_length_um) / rise,
      },
    };
  },
};

// --- hypoxic niche (E4: VE-7) ---

/**
 * SVE-3's set-up before it runs: a packed K562 cluster (radius 150 um) in the centre, endothelial cells on a ring
 * around it, oxygen `boundary` (mmHg) at the faces; `core` and `edge` are the cluster's inner and outer cell ids.
 * Also the dashboard's hypoxia preset (src/web/spatial-presets.ts).
 */
export function hypoxiaSetup(kb: KnowledgeBase, boundary: number) {
  const sim = new SpatialNiche(
    kb,
    inVitro({
      dims: 2,
      domain: { lo: [0, 0], hi: [600, 600] },
      voxel: 20,
      seed: 5,
      mechanics: false,
      dtDiffusion: 0.1,
      dtMechanics: 0.1,
      dtPhenotype: 6,
      oxygen: { boundary },
      niche: { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } },
    }),
  );
  const core: number[] = [];
  const edge: number[] = [];
  for (let i = 0; i < 19; i++)
    for (let j = 0; j < 19; j++) {
      const x = 300 + 16 * (i - 9);
      const y = 300 + 16 * (j - 9);
      const r = Math.hypot(x - 300, y - 300);
      if (r > 150) continue;
      const id = sim.addCell({ type: 'cml', x, y });
      if (r < 40) core.push(id);
      else if (r > 120) edge.push(id);
    }
  for (let k = 0; k < 24; k++) {
    const a = (2 * Math.PI * k) / 24;
    sim.addCell({ type: 'endo', x: 300 + 220 * Math.cos(a), y: 300 + 220 * Math.sin(a) });
  }
  return { sim, core, edge };
}

function hypoxiaRun(kb: KnowledgeBase, boundary: number) {
  const { sim, core, edge } = hypoxiaSetup(kb, boundary);
  sim.run(72 * HOUR);
  const h = (ids: number[]) => mean(ids.map((id) => sim.cell(id).hypoxia));
  return {
    hypoxia_core: h(core),
    hypoxia_edge: h(edge),
    release_factor: 1 + mean([...core, ...edge].map((id) => sim.cell(id).hypoxia)) * sim.params.hypGain,
    exosomes_total: sim.fields.totalAmount(sim.fieldIndex.cml) * sim.depth,
    vasc: meanOver(sim, 'endo', (c) => c.activation[0]),
  };
}

export const HYPOXIC_NICHE: Experiment = {
  id: 'SVE-3',
  title:
    'Hypoxic niche: oxygen consumption makes a hypoxic core; hypoxia raises exosome release and miR-210 tube formation (VE-7)',
  source: { study: 'E4', ref: 'tadokoro2013' },
  setting: 'in-vitro',
  protocol:
    'K562 cells at 1 % vs 20 % O2 with HUVEC (72 h): exosome release and tube formation; a packed K562 cluster ' +
    'consumes oxygen and becomes hypoxic inside.',
  mapping:
    'A 600 x 600 um 2D domain, oxygen held at the faces (20 % O2 = 152 mmHg, or 1 % = 7.6 mmHg) and consumed by ' +
    'every cell (spatial.oxygen.consumption); local hypoxia h = (152 - pO2)/(152 - 7.6) clipped to [0, 1] (the ' +
    "niche model's 0 .. 1 scale). A K562 cluster of radius 150 um releases CML exosomes at (1 + h hyp_gain) and " +
    'hypoxia-weighted miR-210 cargo into its own field; 24 fixed endothelial cells on a ring at 220 um take them ' +
    'up (vasc target with E4 = miR-210 effect of the hypoxic share of their cargo). Read at 72 h.',
  expectations: [
    {
      id: 'core_hypoxia',
      statement: 'oxygen consumption makes the inside of a dense cluster more hypoxic than its edge',
      measure: 'hypoxia of core cells (r < 40 um) / edge cells (r > 120 um), 20 % O2 arm',
      criterion: { kind: 'increase' },
      evidence: 'C',
      note: 'a property of diffusion with consumption (no study value), the spatial mechanism behind hypoxic niches',
    },
    {
      id: 'release_hypoxic',
      statement: 'hypoxia raises exosome release from CML cells',
      measure: 'CML exosomes in the medium at 72 h, 1 % / 20 % O2',
      criterion: { kind: 'increase' },
      evidence: 'R',
      note: 'niche.release.hypoxia_gain: direction only (Tadokoro 2013 and general EV literature)',
    },
    {
      id: 'hypoxic_tubes',
      statement: 'hypoxic exosomes enhance tube formation more than normoxic exosomes',
      measure: 'mean endothelial vasc, 1 % / 20 % O2, 72 h',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note: 'the miR-210 mechanism is [R]',
    },
  ],
  run(kb) {
    const norm = hypoxiaRun(kb, kb.parameter('spatial.oxygen.normoxic').value);
    const hyp = hypoxiaRun(kb, kb.parameter('spatial.oxygen.hypoxic').value);
    return {
      arms: [
        { arm: '20 % O2', readouts: norm },
        { arm: '1 % O2', readouts: hyp },
      ],
      measures: {
        core_hypoxia: norm.hypoxia_core / Math.max(norm.hypoxia_edge, 1e-12),
        release_hypoxic: hyp.exosomes_total / norm.exosomes_total,
        hypoxic_tubes: hyp.vasc / norm.vasc,
      },
    };
  },
};

// --- LSC protection next to BMSCs in vivo (B4: VE-15) ---

function protectionRun(kb: KnowledgeBase) {
  const sim = new SpatialNiche(kb, {
    dims: 2,
    domain: { lo: [0, 0], hi: [1600, 400] },
    voxel: 20,
    seed: 21,
    mechanics: false,
    // Single-field steady state within 1.5 % of r n / k at 0.5 min (docs/spatial.md, well-mixed limit).
    dtDiffusion: 0.5,
    dtMechanics: 6,
    dtPhenotype: 6,
    lscCapacity: 4000,
    niche: { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } },
    drug: { name: 'imatinib', nM: drugAction(kb, 'imatinib').referenceNm },
  });
  for (let k = 0; k < 10; k++) sim.addCell({ type: 'bmsc', x: 30, y: 20 + 40 * k });
  // 1600 cycling LSCs on a 20 um lattice: 300 within 300 um of the stromal edge, 600 beyond 1000 um.
  for (let k = 0; k < 1600; k++)
    sim.addCell({ type: 'lsc', x: 5 + (k % 80) * 20, y: 5 + Math.floor(k / 80) * 20 });
  sim.run(3 * 1440);
  let nearN = 0;
  let farN = 0;
  let nearP = 0;
  let farP = 0;
  for (const id of sim.ids()) {
    const c = sim.cell(id);
    if (c.type !== 'lsc') continue;
    const x = sim.store.x[sim.store.indexOf(id)];
    if (x < 300) {
      nearN++;
      nearP += c.protection;
    } else if (x > 1000) {
      farN++;
      farP += c.protection;
    }
  }
  return {
    near: { lsc_fraction_left: nearN / 300, protection: nearP / Math.max(nearN, 1) },
    far: { lsc_fraction_left: farN / 600, protection: farP / Math.max(farN, 1) },
  };
}

export const NICHE_PROTECTION: Experiment = {
  id: 'SVE-4',
  title: 'LSCs next to BMSCs are protected from imatinib (B4, VE-15)',
  source: { study: 'B4', ref: 'zhang2020' },
  setting: 'in-vivo',
  protocol:
    'BMSC exosomes protect CML cells from imatinib in vivo (Bcl-2 up); here the protection is local: LSCs near ' +
    'stromal cells take up more BMSC exosomes than distant ones.',
  mapping:
    'A 1600 x 400 um 2D marrow slab: 10 fixed BMSCs along the left edge release BMSC exosomes (in-vivo release, ' +
    'clearance and uptake scale Km / marrow volume); 1600 cycling LSCs on a 20 um lattice, imatinib uniform at the ' +
    "standard regimen's unbound average; B4 protection P divides each LSC's kill. 3 days; LSCs (daughters " +
    'included) within 300 um of the edge vs beyond 1000 um, relative to their seeded numbers.',
  expectations: [
    {
      id: 'protection_near_far',
      statement: 'BMSC-exosome protection is highest next to the stroma',
      measure: 'mean B4 protection P of LSCs within 300 um / beyond 1000 um (+1 each: ratio of 1 + P)',
      criterion: { kind: 'increase' },
      evidence: 'C',
      note: 'a consequence of local uptake (no study measured it); the in-vivo protection itself is Zhang 2020 [V]',
    },
    {
      id: 'survival_near_far',
      statement: 'BMSC exosomes protect CML cells from imatinib in vivo',
      measure: 'LSCs left (per seeded) within 300 um / beyond 1000 um after 3 days of imatinib',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note:
        'one seeded run (seed 21; 1.28); the kill rates near (P = 0.11) and far (P = 0) predict exp(1.40/month x ' +
        '3 days) = 1.15; binomial standard error of the ratio about 0.13',
    },
  ],
  run(kb) {
    const r = protectionRun(kb);
    return {
      arms: [
        { arm: 'LSCs within 300 um of the BMSCs', readouts: r.near },
        { arm: 'LSCs beyond 1000 um', readouts: r.far },
      ],
      measures: {
        protection_near_far: (1 + r.near.protection) / (1 + r.far.protection),
        survival_near_far: r.near.lsc_fraction_left / r.far.lsc_fraction_left,
      },
    };
  },
};

// --- LSC homing along CXCL12 (VE-5 direction) ---

/** Centre of the endothelial source in SVE-5 (um). */
export const HOMING_SOURCE = [640, 200] as const;

/**
 * SVE-5's set-up before it runs: a short vessel segment (6 fixed endothelial cells, CXCL12 field on or off) on the
 * right, 30 quiescent LSCs on the left. Also the dashboard's homing preset (src/web/spatial-presets.ts).
 */
export function homingSetup(kb: KnowledgeBase, cxcl12: boolean): SpatialNiche {
  const sim = new SpatialNiche(kb, {
    dims: 2,
    domain: { lo: [0, 0], hi: [800, 400] },
    voxel: 20,
    seed: 31,
    dtDiffusion: 0.1,
    dtMechanics: 0.1,
    dtPhenotype: 6,
    lscCapacity: 1000,
    chemokines: { cxcl12 },
  });
  for (let k = 0; k < 6; k++)
    sim.addCell({ type: 'endo', x: HOMING_SOURCE[0], y: HOMING_SOURCE[1] - 50 + 20 * k });
  for (let k = 0; k < 30; k++)
    sim.addCell({ type: 'lsc', x: 100 + 20 * (k % 3), y: 60 + 30 * Math.floor(k / 3), quiescent: true });
  return sim;
}

function homingRun(kb: KnowledgeBase, cxcl12: boolean) {
  const sim = homingSetup(kb, cxcl12);
  const distance = () => {
    const d: number[] = [];
    for (const id of sim.ids()) {
      const i = sim.store.indexOf(id);
      if (sim.store.type[i] !== 1) continue; // LSC
      d.push(Math.hypot(sim.store.x[i] - HOMING_SOURCE[0], sim.store.y[i] - HOMING_SOURCE[1]));
    }
    return mean(d);
  };
  const d0 = distance();
  sim.run(12 * HOUR);
  return { start: d0, end: distance() };
}

export const LSC_HOMING: Experiment = {
  id: 'SVE-5',
  title: 'LSCs home to the endothelium along its CXCL12 gradient (VE-5 direction)',
  source: { study: 'E5', ref: 'taverna2014' },
  setting: 'in-vitro + in-vivo',
  protocol:
    'Endothelial CXCL12 attracts CML cells (Taverna 2014: lowering endothelial CXCL12 with miR-126 reduces LAMA84 ' +
    'motility towards and adhesion to HUVEC; restoring CXCL12 restores them).',
  mapping:
    'An 800 x 400 um 2D slab: 6 fixed endothelial cells at x = 640 um secrete CXCL12 (relative level, decay ' +
    'spatial.decay.cxcl12, D spatial.diffusion.chemokine); 30 quiescent LSCs start 480-540 um away and move at ' +
    'spatial.speed.lsc with chemotaxis bias spatial.chemotaxis.bias_lsc up the CXCL12 gradient. 12 h; mean LSC ' +
    'distance to the source, with the CXCL12 field on and off.',
  expectations: [
    {
      id: 'homing_on',
      statement: 'LSCs move towards a CXCL12 source',
      measure: 'mean LSC distance to the endothelium after 12 h / at the start, CXCL12 on',
      criterion: { kind: 'decrease' },
      evidence: 'C',
      note: 'direction of Taverna 2014 (motility towards endothelium falls when CXCL12 falls) [V]; speeds assumed [A]',
    },
    {
      id: 'no_homing_off',
      statement: 'without CXCL12 the LSCs only wander',
      measure: 'mean LSC distance to the endothelium after 12 h / at the start, CXCL12 off',
      criterion: { kind: 'band', target: 1, low: 0.85, high: 1.15 },
      evidence: 'C',
    },
    {
      id: 'homing_off_on',
      statement: 'the CXCL12 channel is what brings them',
      measure: 'final mean distance, CXCL12 off / on',
      criterion: { kind: 'increase' },
      evidence: 'C',
    },
  ],
  run(kb) {
    const on = homingRun(kb, true);
    const off = homingRun(kb, false);
    return {
      arms: [
        { arm: 'CXCL12 on', readouts: { distance_start: on.start, distance_end: on.end } },
        { arm: 'CXCL12 off', readouts: { distance_start: off.start, distance_end: off.end } },
      ],
      measures: {
        homing_on: on.end / on.start,
        no_homing_off: off.end / off.start,
        homing_off_on: off.end / on.end,
      },
    };
  },
};

// --- VE-5 in space: miR-126 lowers endothelial CXCL12 and VCAM1; LAMA84 homing and adhesion (E5) ---

/** x of the endothelial monolayer in SVE-6 (um). */
export const MONOLAYER_X = 640;
/** Pre-treatment of the HUVEC with LAMA84 exosomes before the leukaemic cells are added (min). */
const PRETREAT = 24 * HOUR;
/** Co-culture after the pre-treatment (min). */
const COCULTURE = 12 * HOUR;

/**
 * The KB with crosstalk.vcam1_direction replaced: SVE-6, like VE-5, reads VCAM1 with Taverna 2014's sign (-1);
 * the KB default (0: no net VCAM1 change, conflict vcam1-endothelium) is reported beside it.
 */
function withVcamDirection(kb: KnowledgeBase, dir: number): KnowledgeBase {
  const key = 'crosstalk.vcam1_direction';
  return {
    ...kb,
    parameter: (k: string) => (k === key ? { ...kb.parameter(k), value: dir } : kb.parameter(k)),
  };
}

interface Ve5Arm {
  /** Held LAMA84 (CML-cargo) exosome dose, as a fold of the in-vitro dose. */
  readonly fold: number;
  readonly antiMiR126?: boolean;
  /** miR-126 mimic level in the HUVEC (uptake-fraction units, niche option `mimic`). */
  readonly mimic?: number;
}

function ve5Run(kb: KnowledgeBase, arm: Ve5Arm) {
  const base: Omit<SpatialOptions, 'setting' | 'lscCapacity'> = {
    dims: 2,
    domain: { lo: [0, 0], hi: [800, 400] },
    voxel: 20,
    seed: 37,
    dtDiffusion: 0.5,
    dtMechanics: 0.5,
    dtPhenotype: 6,
    chemokines: { cxcl12: true },
    niche: {
      // the LSC retention by VCAM1/CXCL12 is the adhesion read-out; no BMSCs, so the IL-8 feedback is off
      feedbacks: { 'il8-cxcr-retention': false },
      ...(arm.antiMiR126 ? { interventions: { antiMiR: { 'miR-126': 1 } } } : {}),
      ...(arm.mimic !== undefined ? { mimic: { 'miR-126': arm.mimic } } : {}),
    },
  };
  const probe = new SpatialNiche(kb, inVitro(base));
  const sim = new SpatialNiche(
    kb,
    inVitro({ ...base, held: { cml: addedDose(probe, arm.fold), lsc: 0, bmsc: 0 } }),
  );
  // A HUVEC monolayer seen edge-on: a column of touching endothelial cells across the well.
  const d = 2 * sim.params.radius.endo;
  for (let y = d / 2; y < 400; y += d) sim.addCell({ type: 'endo', x: MONOLAYER_X, y });
  sim.run(PRETREAT);
  const endo = {
    cxcl12_endo: meanOver(sim, 'endo', (c) => c.adhesion[1]),
    vcam1_endo: meanOver(sim, 'endo', (c) => c.adhesion[0]),
    uptake: meanOver(sim, 'endo', (c) => c.uptakeCml),
    cxcl12_field: sim.fields.field(sim.fieldIndex.cxcl12)[sim.grid.voxelAt(MONOLAYER_X, 200, 0)],
  };
  // LAMA84-like leukaemic cells (quiescent LSC agents: they chemotax up CXCL12 and take the retention) 180-240 um
  // from the monolayer.
  const lscs: number[] = [];
  for (let k = 0; k < 40; k++)
    lscs.push(
      sim.addCell({ type: 'lsc', x: 400 + 20 * (k % 4), y: 20 + 40 * Math.floor(k / 4), quiescent: true }),
    );
  const xs = () => lscs.map((id) => sim.store.x[sim.store.indexOf(id)]);
  const x0 = mean(xs());
  sim.run(COCULTURE);
  // Adhesion: the LSCs at the monolayer (in a voxel with endothelial cells: contact) and their 1 + R_adh (Q = R_adh
  // here: no BMSC exosomes, IL-8 feedback off), as VE-5 reads 1 + R_adh.
  const reach = sim.grid.dx;
  const at = lscs.filter((id) => Math.abs(sim.store.x[sim.store.indexOf(id)] - MONOLAYER_X) < reach);
  return {
    ...endo,
    displacement_um: mean(xs()) - x0,
    lsc_at_monolayer: at.length,
    adhesion: at.length > 0 ? mean(at.map((id) => 1 + sim.cell(id).quiescence)) : Number.NaN,
  };
}

export const VE5_SPATIAL: Experiment = {
  id: 'SVE-6',
  title:
    'VE-5 in space: LAMA84 exosomes lower endothelial CXCL12 and VCAM1 (miR-126); homing and adhesion of CML cells',
  source: { study: 'E5', ref: 'taverna2014' },
  setting: 'in-vitro',
  protocol:
    'HUVEC + LAMA84 exosomes for 24 h; then CXCL12 and VCAM1 and LAMA84 motility towards and adhesion to HUVEC; ' +
    'miR-126 inhibitor in HUVEC restores, miR-126 over-expression mimics.',
  mapping:
    'An 800 x 400 um 2D well: a column of 28 touching endothelial cells at x = 640 um (a monolayer seen edge-on) ' +
    'with the CML-cargo exosome field held at the in-vitro dose (as SVE-2) for 24 h; each cell relaxes its ' +
    "cxcl12_endo (1 - miR-126 effect, E5) and vcam1_endo to the niche model's targets from its own uptake and " +
    'secretes CXCL12 in proportion. Then 40 quiescent LSC agents (LAMA84-like) 180-240 um away chemotax up the ' +
    'CXCL12 gradient (spatial.chemotaxis.bias_lsc) for 12 h, the dose still in the medium. Adhesion = mean 1 + ' +
    'R_adh of the LSCs at the monolayer (within one voxel edge of it), R_adh from the VCAM1 of the endothelial ' +
    'cells they touch and the local CXCL12 (VE-5 reads 1 + R_adh). crosstalk.vcam1_direction = -1 (Taverna 2014, as VE-5); ' +
    'the KB default 0 is reported as vcam1_kb_default. Anti-miR-126 = niche option antiMiR miR-126 1; mimic = ' +
    "miR-126 given in the HUVEC without exosomes at the exosome arm's uptake fraction.",
  expectations: [
    {
      id: 'cxcl12',
      statement: 'CXCL12 down in HUVEC after 24 h',
      measure: 'mean endothelial cxcl12_endo, exosomes / control, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'vcam1',
      statement: 'VCAM1 down in HUVEC after 24 h',
      measure: 'mean endothelial vcam1_endo, exosomes / control, 24 h (vcam1_direction = -1)',
      criterion: { kind: 'decrease' },
      evidence: 'V',
      note: 'with the KB default direction (0) VCAM1 does not move (vcam1_kb_default); VE-6 needs the opposite sign',
    },
    {
      id: 'motility',
      statement: 'LAMA84 motility towards the endothelium down',
      measure: 'mean LSC displacement towards the monolayer in 12 h, exosomes / control (measure motility)',
      criterion: {
        kind: 'notReproducible',
        reason:
          'LSCs chemotax along the unit CXCL12 gradient (spatial.chemotaxis.bias_lsc, PhysiCell rule): miR-126 ' +
          'lowers every endothelial cell’s CXCL12 by the same factor, which scales the field but not its ' +
          'direction, so the displacement is unchanged (simulated ratio 1.000); a response to the gradient’s ' +
          'strength (CXCR4 occupancy) is not in the model',
      },
      evidence: 'V',
    },
    {
      id: 'adhesion',
      statement: 'LAMA84 adhesion to HUVEC down',
      measure: 'mean 1 + R_adh of the LSCs at the monolayer, exosomes / control',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'antimir_cxcl12',
      statement: 'miR-126 inhibitor in HUVEC restores CXCL12',
      measure: 'cxcl12_endo, exosomes + anti-miR-126 / control',
      criterion: { kind: 'atLeast', limit: 0.95 },
      evidence: 'V',
      note: '"restores" read as back within 5 % of control',
    },
    {
      id: 'antimir_adhesion',
      statement: 'miR-126 inhibitor restores adhesion',
      measure: 'mean 1 + R_adh at the monolayer, exosomes + anti-miR-126 / control',
      criterion: { kind: 'atLeast', limit: 0.95 },
      evidence: 'V',
      note: '"restores" read as back within 5 % of control',
    },
    {
      id: 'mimic',
      statement: 'miR-126 over-expression in HUVEC reproduces the decrease',
      measure: 'cxcl12_endo, miR-126 mimic (no exosomes) / control, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'mimic_adhesion',
      statement: 'miR-126 over-expression in HUVEC reproduces the decrease (adhesion)',
      measure: 'mean 1 + R_adh at the monolayer, miR-126 mimic (no exosomes) / control',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const k = withVcamDirection(kb, -1);
    const ctrl = ve5Run(k, { fold: 0 });
    const exo = ve5Run(k, { fold: 1 });
    const anti = ve5Run(k, { fold: 1, antiMiR126: true });
    const mim = ve5Run(k, { fold: 0, mimic: exo.uptake });
    const kbDefault = ve5Run(kb, { fold: 1 });
    return {
      arms: [
        { arm: 'HUVEC, control medium', readouts: ctrl },
        { arm: 'HUVEC + LAMA84 exosomes', readouts: exo },
        { arm: 'HUVEC (anti-miR-126) + LAMA84 exosomes', readouts: anti },
        { arm: 'HUVEC, miR-126 mimic (exosome-arm level), control medium', readouts: mim },
        { arm: 'HUVEC + LAMA84 exosomes, KB default vcam1_direction', readouts: kbDefault },
      ],
      measures: {
        cxcl12: exo.cxcl12_endo / ctrl.cxcl12_endo,
        vcam1: exo.vcam1_endo / ctrl.vcam1_endo,
        vcam1_kb_default: kbDefault.vcam1_endo / ctrl.vcam1_endo,
        adhesion_kb_default: kbDefault.adhesion / ctrl.adhesion,
        cxcl12_field: exo.cxcl12_field / ctrl.cxcl12_field,
        motility: exo.displacement_um / ctrl.displacement_um,
        adhesion: exo.adhesion / ctrl.adhesion,
        antimir_cxcl12: anti.cxcl12_endo / ctrl.cxcl12_endo,
        antimir_adhesion: anti.adhesion / ctrl.adhesion,
        mimic: mim.cxcl12_endo / ctrl.cxcl12_endo,
        mimic_adhesion: mim.adhesion / ctrl.adhesion,
      },
    };
  },
};

/** The spatial virtual experiments, in id order. */
export const spatialExperiments: readonly Experiment[] = [
  TRANSWELL,
  TUBE_FORMATION,
  HYPOXIC_NICHE,
  NICHE_PROTECTION,
  LSC_HOMING,
  VE5_SPATIAL,
];
