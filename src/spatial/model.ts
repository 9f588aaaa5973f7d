/**
 * The spatial niche (issue #11): cells as off-lattice agents (src/numerics/agents) and exosomes, oxygen and the TKI
 * as fields (src/numerics/fields), with the behaviour rules of the ODE niche model (docs/niche-model.md) applied to
 * each cell at its own position:
 *
 * - LSCs (quiescent or cycling, Hähnel 2020): quiescent -> cycling at pxy; cycling -> quiescent at pyx (1 + Q),
 *   division at py (1 + A)(1 - Y/K), TKI kill at e_tki tkiE / (1 + P); Q = B4q, P = B4p, A = A1 are the channel
 *   effects of the cell's own uptake of BMSC and CML exosomes, and tkiE the PD effect of the unbound drug in its
 *   voxel. Each is a per-agent stochastic event drawn once per phenotype step from the agent's keyed stream
 *   (seed, 'spatial', agent id, 'phenotype'), with probability 1 - exp(-rate dt) (exact for rates held over the
 *   step) and the event chosen in proportion to its rate.
 * - CML bulk cells (K562-like) and LSCs release CML-cargo exosomes, BMSCs release BMSC exosomes (times their support
 *   state, B3), each into its donor's field, at the niche model's release rates times (1 + h hyp_gain)(1 - GW4869)
 *   and, for leukaemic donors under a TKI with a `reduces` modulator, (1 - tki_red min(tkiE, 1)); h is the local
 *   hypoxia read from the oxygen field. Clearance (uptake lumped in, as in the ODE) is the fields' decay.
 * - Endothelial cells and BMSCs are fixed (anchored); they carry the niche model's activation states per cell
 *   (vascular density `vasc` and IL-8 for the endothelium, IL-8 and support for BMSCs), relaxing to the targets of
 *   their own uptake at k_vasc and k_act, exactly over each phenotype step.
 * - Every cell records its cumulative uptake fraction per donor (cargo taken up, minutes x fraction).
 * - With `vessels`, endothelial cells sprout and regress at k_vasc (T N0 / N - 1) each, so N / N0 follows the niche
 *   model's vascular density; `vesselNetwork()` reads the network of adhered endothelial cells (network.ts).
 * - Normal stem cells (the niche model's N) divide or die at pn (1 - (N + w_ln Y)/Kn) and occupy the cycling LSCs'
 *   niche with weight w_nl.
 * - With `immune`, T cells follow the Hähnel 2020 immune compartment at the domain's scale (influx, death,
 *   recruitment by cycling LSCs) and kill cycling LSCs in their voxel.
 * - With `lineage` (in vivo), cycling LSCs produce progenitor agents (type cml, Michor's y1) that are lost at d1 and
 *   make the domain's differentiated and mature cells (y2, y3: counts, not agents); with `cmlCycle` (in vitro), CML
 *   cells divide and die like the culture mapping's cycling compartment.
 *
 * Time steps as PhysiCell: fields every dtDiffusion, mechanics every dtMechanics, phenotype every dtPhenotype (min).
 * Nothing in the stepping allocates except divisions (a new agent and its stream key, as adding one).
 * Simplifications (docs/spatial.md): the LSC logistic term counts the domain's cycling LSCs (a well-mixed niche
 * capacity, as are the vessel, normal-stem-cell and T-cell counts), bulk CML cells neither divide nor die without
 * `lineage` or `cmlCycle`, and there are no resistant clones.
 */

import type { KnowledgeBase } from '../knowledge/load.js';
import { CHANNELS } from '../niche/channels.js';
import { drugsWithModulator } from '../niche/exosomes.js';
import { type NicheOptions, type ResolvedOptions, resolveOptions } from '../niche/options.js';
import { Mechanics, type MechanicsOptions } from '../numerics/agents/mechanics.js';
import { AgentStore, F64_COLUMNS, I32_COLUMNS, U8_COLUMNS } from '../numerics/agents/store.js';
import { gradientAt } from '../numerics/fields/gradient.js';
import { Grid, type GridOptions } from '../numerics/fields/grid.js';
import {
  type FieldRunner,
  FieldSolver,
  SerialFieldRunner,
  type SubstrateSpec,
} from '../numerics/fields/solver.js';
import { deriveStreamKey, type Seed } from '../numerics/random/keys.js';
import { philox4x32 } from '../numerics/random/philox.js';
import {
  BMSC,
  CELL_TYPES,
  type CellType,
  CML,
  ENDO,
  LSC,
  NORMAL,
  SpatialError,
  TCELL,
} from './cell-types.js';
import {
  type ChannelConstants,
  type ChannelSym,
  cargoEffect,
  channelConstants,
  channelSignal,
  endothelialAdhesion,
  uptakeFraction,
  type VcamResponse,
} from './channels.js';
import { type VesselNetwork, vesselNetwork } from './network.js';
import {
  type DrugAction,
  drugAction,
  type Setting,
  type SpatialParams,
  spatialParameters,
  tkiEffect,
} from './params.js';

export {
  BMSC,
  CELL_TYPES,
  type CellType,
  CML,
  ENDO,
  LSC,
  NORMAL,
  SpatialError,
  TCELL,
} from './cell-types.js';

/** Exosome fields, one per donor (src/niche/exosomes.ts pools E_cml, E_lsc, E_bmsc). */
export const EXOSOME_FIELDS = ['cml', 'lsc', 'bmsc'] as const;
export type ExosomeField = (typeof EXOSOME_FIELDS)[number];

export interface SpatialOptions {
  readonly dims: 2 | 3;
  readonly domain: { readonly lo: readonly number[]; readonly hi: readonly number[] };
  /** Voxel edge (um), or 'single' for one voxel spanning the domain (the well-mixed limit). */
  readonly voxel: number | 'single';
  /** 2D only: thickness of the simulated slab (um), so that fields are per um^3; default 20 (PhysiCell's dz). */
  readonly depth?: number;
  readonly seed: Seed;
  /** Time steps (min); defaults 0.1, 0.1, 6. dtMechanics and dtPhenotype must be multiples of the step below. */
  readonly dtDiffusion?: number;
  readonly dtMechanics?: number;
  readonly dtPhenotype?: number;
  /**
   * Time step of the exosome fields (min; default dtDiffusion): a multiple of dtDiffusion dividing dtMechanics.
   * Exosomes diffuse slowly (D dt / h^2 = 0.01 at 0.01 min and 20 um), so they can step less often than oxygen.
   */
  readonly dtExosome?: number;
  /**
   * Every this many phenotype steps, reorder the agent store's rows by position (cell-list order) before the step,
   * so the mechanics read neighbours close in memory (large populations); 0 (default): never. Deterministic (same on
   * one or two threads, kept by checkpoints); sums of sources in one voxel then run in the new row order.
   */
  readonly sortRowsEvery?: number;
  /** Cell mechanics and motility (default true). Off: cells stay where placed. */
  readonly mechanics?: boolean;
  /** The niche model's options that the spatial rules read: channels, interventions, hypoxia (without oxygen). */
  readonly niche?: NicheOptions;
  readonly setting?: Setting;
  /** Hähnel 2020 patient for the LSC rates (default 1). */
  readonly patient?: number;
  /** Carrying capacity of cycling LSCs in the domain (the Hähnel Ky of this piece of marrow), cells. */
  readonly lscCapacity: number;
  /**
   * Normal stem-cell niche capacity of the domain (the niche model's Kn), cells; default lscCapacity x
   * niche.normal.K / hahnel2020.Ky (the two capacities in the same proportion as in the ODE model).
   */
  readonly normalCapacity?: number;
  /**
   * The TKI: unbound concentration (nM), uniform (no field: nothing consumes it) or held at the domain faces and
   * diffusing inward (a field).
   */
  readonly drug?: { readonly name: string; readonly nM: number; readonly supply?: 'uniform' | 'boundary' };
  /** Oxygen field (mmHg) held at the domain faces and consumed by every cell; local hypoxia follows from it. */
  readonly oxygen?: { readonly boundary: number };
  /**
   * Chemokine fields (default off): IL-8 secreted by BMSCs and endothelium in proportion to their IL-8 activation,
   * CXCL12 by the endothelium; both relative to this domain's baseline (1 = the level all of the domain's source
   * cells at activation 1 would give if well mixed). With a field on, each LSC takes the niche model's retention
   * feedback (IL-8/CXCR1-2, VCAM1/CXCL12; scaled by niche.feedbacks) from its local level, and with CXCL12 on,
   * LSCs chemotax up its gradient (spatial.chemotaxis.bias_lsc).
   */
  readonly chemokines?: { readonly il8?: boolean; readonly cxcl12?: boolean };
  /** Exosome concentrations held fixed (particles / um^3), e.g. an added in-vitro dose. */
  readonly held?: Partial<Record<ExosomeField, number>>;
  /** Transwell membrane: a plane agents cannot cross (the fields pass it freely). */
  readonly membrane?: { readonly axis: 0 | 1 | 2; readonly at: number };
  /**
   * A vessel network that grows and regresses (default off: endothelial cells are fixed and never divide or die).
   * Each endothelial cell sprouts (a new adhered endothelial cell beside it) or regresses (apoptosis) at the net
   * rate k_vasc (T N0 / N - 1) of its own vasc target T, with N the domain's endothelial cells and N0 their
   * baseline count, so that in the well-mixed limit N / N0 follows the niche model's dV/dt = k_vasc (T - V)
   * (docs/spatial.md "Vessel network"). `baseline`: N0 (default: the endothelial count at the first step).
   */
  readonly vessels?: { readonly baseline?: number };
  /**
   * The Hähnel 2020 immune compartment as T-cell agents (default off: T cells added anyway only move). The domain
   * is the fraction `scale` of the marrow (default lscCapacity / hahnel2020.Ky), so with Y and Z the domain's
   * cycling LSCs and T cells: influx scale x rz (new T cells at uniform random positions), death az, recruitment
   * scale x pz Y / (Kz_d^2 + Y^2) per T cell with Kz_d = scale x Kz, and a cycling LSC is killed at
   * (m / scale) x (T cells in its voxel) x (voxels in the domain), i.e. m Z of the marrow when well mixed.
   */
  readonly immune?: { readonly scale?: number };
  /**
   * In vivo: the leukaemic lineage below the stem cells (Michor 2005, src/niche/haematopoiesis.ts; default off).
   * Cycling LSCs produce progenitor agents (type `cml`, the niche model's y1 and the CML-bulk exosome donors) at
   * ay/(1 + (fa - 1) tkiE) each, placed beside them; a progenitor is lost at d1 (1 - s + s/(1 + P)) (P its own B4
   * protection) and makes differentiated cells y2 at by/(1 + (fb - 1) tkiE). y2 and mature cells y3 leave the niche:
   * they are domain-wide counts integrated exactly over each phenotype step (dy2/dt = by' y1 - d2' y2, dy3/dt =
   * cy y2 - d3 y3), starting from `y2` and `y3` (default 0). Setting 'in-vivo' only.
   */
  readonly lineage?: { readonly y2?: number; readonly y3?: number };
  /**
   * In vitro: bulk CML cells (a cell line) divide at py (1 + A) max(0, 1 - n/K) and die under a TKI at
   * e_tki tkiE/(1 + P), the culture mapping's cycling compartment (src/experiments/leukaemia.ts; default off: they
   * neither divide nor die). n: the domain's CML cells; K: `capacity` (default lscCapacity, since the culture
   * mapping's capacity is the Hähnel Ky). Setting 'in-vitro' only.
   */
  readonly cmlCycle?: { readonly capacity?: number };
}

export interface AddCell {
  readonly type: CellType;
  readonly x: number;
  readonly y: number;
  readonly z?: number;
  /** LSCs: start quiescent (default false: cycling). */
  readonly quiescent?: boolean;
}

const PER_ID = 64;
const TWO_PI = 2 * Math.PI;
const TWO26 = 67108864;
const TWO_M53 = 1 / 9007199254740992;
/** Uniform in [0, 1) from two 32-bit words (RandomStream.nextFloat64's construction). */
const u53 = (a: number, b: number) => ((a >>> 5) * TWO26 + (b >>> 6)) * TWO_M53;

/** Per-agent state keyed by the stable agent id (rows move; ids do not). */
class PerId {
  cycling = new Uint8Array(PER_ID);
  side = new Int8Array(PER_ID);
  anchor = new Float64Array(3 * PER_ID);
  /**
   * Cumulative uptake (fraction x min): CML cargo (CML and w_lsc-weighted LSC exosomes, the niche model's u_cml), the
   * part of it from LSC exosomes, and BMSC exosomes.
   */
  cargo = new Float64Array(3 * PER_ID);
  /** Activation states: endothelium (vasc, il8_endo), BMSC (il8_bmsc, support_bmsc); 1 = baseline. */
  act = new Float64Array(2 * PER_ID);
  /** Last phenotype step's quiescence induction Q, protection P, proliferation A, tkiE, hypoxia. */
  q = new Float64Array(PER_ID);
  p = new Float64Array(PER_ID);
  a = new Float64Array(PER_ID);
  tki = new Float64Array(PER_ID);
  hyp = new Float64Array(PER_ID);
  /** Last uptake fractions (CML cargo, BMSC). */
  uCml = new Float64Array(PER_ID);
  uBmsc = new Float64Array(PER_ID);
  /** Phenotype stream key (4 words) and block counter. */
  key = new Int32Array(4 * PER_ID);
  block = new Float64Array(PER_ID);
  /** Endothelial adhesion states (src/niche/niche-cells.ts): vcam1_endo, cxcl12_endo; 1 = baseline. */
  adh = new Float64Array(2 * PER_ID);

  get capacity(): number {
    return this.cycling.length;
  }

  ensure(id: number): void {
    let n = this.cycling.length;
    if (id < n) return;
    while (n <= id) n *= 2;
    for (const [name, stride] of PER_ID_COLUMNS) {
      const self = this as unknown as Record<string, Uint8Array | Int8Array | Float64Array | Int32Array>;
      const old = self[name];
      const next = new (old.constructor as Float64ArrayConstructor)(stride * n);
      next.set(old as Float64Array);
      self[name] = next;
    }
  }
}

/** PerId columns and their stride (for growth and checkpoints). */
const PER_ID_COLUMNS: readonly (readonly [string, number])[] = [
  ['cycling', 1],
  ['side', 1],
  ['anchor', 3],
  ['cargo', 3],
  ['act', 2],
  ['q', 1],
  ['p', 1],
  ['a', 1],
  ['tki', 1],
  ['hyp', 1],
  ['uCml', 1],
  ['uBmsc', 1],
  ['key', 4],
  ['block', 1],
  ['adh', 2],
];

/** Per-agent columns of `SpatialNiche.agentColumns` (snapshots). */
export interface AgentColumns {
  readonly id: Int32Array;
  /** Index into CELL_TYPES. */
  readonly type: Int32Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly radius: Float64Array;
  readonly cycling: Uint8Array;
  readonly quiescence: Float64Array;
  readonly protection: Float64Array;
  readonly proliferation: Float64Array;
  readonly tki: Float64Array;
  readonly hypoxia: Float64Array;
  readonly uptakeCml: Float64Array;
  readonly uptakeBmsc: Float64Array;
  readonly cargoCml: Float64Array;
  readonly cargoLsc: Float64Array;
  readonly cargoBmsc: Float64Array;
  readonly il8: Float64Array;
  readonly support: Float64Array;
  readonly vasc: Float64Array;
}

/** A complete, restorable state (see checkpoint / restore). Plain data: typed arrays and numbers. */
export interface SpatialCheckpoint {
  readonly version: 1;
  readonly time: number;
  readonly phenotypeSteps: number;
  readonly mechanicsSteps: number;
  readonly nextId: number;
  readonly count: number;
  /** The agent store's columns, rows 0..count-1, in store order (F64, I32, U8 columns of store.ts). */
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  /** Per-id state, ids 0..nextId-1, per column of PER_ID_COLUMNS. */
  readonly perId: Readonly<Record<string, ArrayLike<number>>>;
  readonly fields: Float64Array;
  /** N0 of the vessel rule (0: not fixed yet or no vessels). Optional: older checkpoints have none. */
  readonly vesselBaseline?: number;
  /** Block counter of the immune influx stream. Optional: older checkpoints have none. */
  readonly influxBlock?: number;
  /** Differentiated (y2) and mature (y3) leukaemic cells of the lineage option. Absent without it. */
  readonly lineageY2?: number;
  readonly lineageY3?: number;
}

export class SpatialNiche {
  readonly params: SpatialParams;
  readonly niche: ResolvedOptions;
  readonly dims: 2 | 3;
  readonly grid: Grid;
  readonly fields: FieldSolver;
  readonly store: AgentStore;
  readonly mechanics: Mechanics | null;
  readonly drug: DrugAction | null;
  readonly dtDiffusion: number;
  readonly dtMechanics: number;
  readonly dtPhenotype: number;
  /** Field index per exosome donor, hypoxia-weighted CML cargo ('cml_hyp', with oxygen), oxygen, drug (-1: none). */
  readonly fieldIndex: Readonly<
    Record<ExosomeField | 'cml_hyp' | 'oxygen' | 'drug' | 'il8' | 'cxcl12', number>
  >;
  /** Simulated time (min). */
  time = 0;
  phenotypeSteps = 0;
  private readonly opts: SpatialOptions;
  /** Advances the fields over one mechanics step (one thread: SerialFieldRunner; two: ParallelFieldSolver). */
  private readonly runner: FieldRunner;
  /** One mechanics step: forces and motion, fixed cells to their anchors and the membrane, voxels refreshed. */
  private readonly moveAgents = (): void => {
    const mech = this.mechanics;
    if (mech === null) return;
    mech.step();
    this.constrain();
    this.refreshVoxels();
  };
  /** tkiE of a uniform drug supply (no drug field). */
  private readonly drugUniform: number;
  private readonly ch: Readonly<Record<ChannelSym, ChannelConstants>>;
  /** 2D: slab thickness (um) by which amounts per area become per volume; 3D: 1. */
  readonly depth: number;
  private readonly held: Float64Array;
  private readonly isHeld: Uint8Array;
  private readonly tkiLowersRelease: boolean;
  private readonly drugBlocksSrc: boolean;
  private readonly st = new PerId();
  private nextId = 0;
  /** Rows changed outside a phenotype step (cells added): rebuild the row arrays before the next step. */
  private dirty = true;
  // Row arrays (rebuilt after each phenotype step; voxels refreshed after each mechanics step).
  private vox = new Int32Array(PER_ID);
  private o2coef = new Float64Array(PER_ID);
  private srcVox: Int32Array[] = [];
  private srcRate: Float64Array[] = [];
  private srcCount: Int32Array;
  private readonly words = new Uint32Array(8);
  private readonly grad = new Float64Array(3);
  /** Endothelial VCAM1 response and the scratch for an endothelial cell's adhesion targets (vcam1, cxcl12). */
  private readonly vcam: VcamResponse;
  private readonly adhTarget = new Float64Array(2);
  /** Scratch for a sprout's guidance: the CML-cargo gradient and the LSC-exosome part of it. */
  private readonly sproutGrad = new Float64Array(3);
  private readonly sproutGradL = new Float64Array(3);
  /** Baseline level of an absent source type, added to the local IL-8 / CXCL12 level (see rebuildRows). */
  private il8Offset = 0;
  private cxcl12Offset = 0;
  /**
   * VCAM1 an LSC meets (CXCL12 field on): the endothelial cells per voxel as linked lists of rows (head per voxel,
   * next per row) with each one's vcam1_endo as it was before the phenotype sweep (so the rule does not depend on
   * row order). Rebuilt with the sources after each phenotype step (endothelial cells are fixed).
   */
  private endoHead: Int32Array = new Int32Array(0);
  private endoNext: Int32Array = new Int32Array(0);
  private endoVcam: Float64Array = new Float64Array(0);
  private readonly deaths: number[] = [];
  private readonly divisions: number[] = [];
  private readonly sprouts: number[] = [];
  /** Progenitors produced this step: the producing LSC's id, once per progenitor (lineage option). */
  private readonly productions: number[] = [];
  /** Differentiated cells (y2) made by progenitors this step, before loss (sum of by' x time alive, cells). */
  private lineageProd = 0;
  /** Lineage option: differentiated (y2) and mature (y3) leukaemic cells of the domain (not agents). */
  private y2 = 0;
  private y3 = 0;
  /** Immune influx stream (key words and block counter; the block counter is checkpointed). */
  private readonly influxKey = new Int32Array(4);
  private influxBlock = 0;
  /**
   * T cells per voxel weighted by their kill 1/(1 + I1) (immune on; I1 the T-cell suppression of each T cell's own
   * CML-cargo uptake), summed before each phenotype step's rules.
   */
  private tPerVoxel: Float64Array = new Float64Array(0);
  /** N0 of the vessel rule (0: not yet fixed; set at the first phenotype step). */
  private vesselBaseline = 0;
  /** Sprouts that found no free spot beside their parent (contact inhibition), since construction. */
  failedSprouts = 0;

  constructor(kb: KnowledgeBase, options: SpatialOptions, engine?: FieldEngine, agents?: AgentEngine) {
    this.opts = options;
    const d = options.dims;
    if (d !== 2 && d !== 3) throw new SpatialError(`dims ${d}: 2 or 3`);
    this.dims = d;
    const { lo, hi } = options.domain;
    if (lo.length !== d || hi.length !== d)
      throw new SpatialError(`domain: lo and hi need ${d} coordinates each`);
    for (let a = 0; a < d; a++)
      if (!(hi[a] > lo[a])) throw new SpatialError(`domain axis ${a}: hi ${hi[a]} must exceed lo ${lo[a]}`);
    if (!(options.lscCapacity > 0))
      throw new SpatialError(`lscCapacity ${options.lscCapacity}: expected > 0`);
    if (options.normalCapacity !== undefined && !(options.normalCapacity > 0))
      throw new SpatialError(`normalCapacity ${options.normalCapacity}: expected > 0`);
    const sc = options.immune?.scale;
    if (sc !== undefined && !(sc > 0)) throw new SpatialError(`immune.scale ${sc}: expected > 0`);
    const vb = options.vessels?.baseline;
    if (vb !== undefined && !(Number.isInteger(vb) && vb > 0))
      throw new SpatialError(`vessels.baseline ${vb}: expected a whole number of endothelial cells > 0`);
    const setting = options.setting ?? 'in-vivo';
    if (options.lineage) {
      if (setting !== 'in-vivo')
        throw new SpatialError(`lineage: leukaemic progenitors are an in-vivo rule; setting is '${setting}'`);
      for (const k of ['y2', 'y3'] as const) {
        const x = options.lineage[k];
        if (x !== undefined && !(x >= 0 && Number.isFinite(x)))
          throw new SpatialError(`lineage.${k} ${x}: expected a cell count >= 0`);
      }
      this.y2 = options.lineage.y2 ?? 0;
      this.y3 = options.lineage.y3 ?? 0;
    }
    if (options.cmlCycle) {
      if (setting !== 'in-vitro')
        throw new SpatialError(`cmlCycle: the cell line cycles in vitro only; setting is '${setting}'`);
      const kc = options.cmlCycle.capacity;
      if (kc !== undefined && !(kc > 0 && Number.isFinite(kc)))
        throw new SpatialError(`cmlCycle.capacity ${kc}: expected a cell count > 0`);
    }
    this.niche = resolveOptions(options.niche ?? {});
    this.params = spatialParameters(kb, CHANNELS, {
      patient: options.patient ?? this.niche.patient,
      setting: options.setting ?? 'in-vivo',
    });
    this.ch = channelConstants(this.niche, this.params.cargo);
    this.vcam = { direction: this.params.vcam1Direction, emax: this.params.emaxVcam };
    this.dtDiffusion = options.dtDiffusion ?? 0.1;
    this.dtMechanics = options.dtMechanics ?? 0.1;
    this.dtPhenotype = options.dtPhenotype ?? 6;
    const multiple = (a: number, b: number, what: string) => {
      const r = a / b;
      if (!(a > 0 && b > 0) || Math.abs(r - Math.round(r)) > 1e-9 || Math.round(r) < 1)
        throw new SpatialError(`${what}: ${a} min must be a positive multiple of ${b} min`);
    };
    multiple(this.dtMechanics, this.dtDiffusion, 'dtMechanics');
    const se = options.sortRowsEvery ?? 0;
    if (!Number.isInteger(se) || se < 0)
      throw new SpatialError(`sortRowsEvery ${se}: expected an integer >= 0`);
    multiple(this.dtPhenotype, this.dtMechanics, 'dtPhenotype');
    this.depth = d === 2 ? (options.depth ?? 20) : 1;
    if (!(this.depth > 0)) throw new SpatialError(`depth ${options.depth}: expected > 0 um`);
    this.drug = options.drug ? drugAction(kb, options.drug.name) : null;
    this.drugUniform = this.drug && options.drug ? tkiEffect(this.drug, options.drug.nM) : 0;
    const layout = fieldLayout(this.params, options);
    const subs = layout.substrates;
    const index = layout.index;
    this.grid = new Grid(layout.grid);
    this.fieldIndex = index;
    // Exosome fields (and the hypoxic cargo) every dtExosome, the rest every dtDiffusion (checked there).
    const every = fieldStepMultiples(layout, options);
    if (engine) {
      const names = engine.solver.substrates.map((x) => x.name).join(',');
      if (
        names !== subs.map((x) => x.name).join(',') ||
        engine.solver.grid.voxelCount !== this.grid.voxelCount
      )
        throw new SpatialError(`field engine: substrates ${names} do not match the options' field layout`);
      if (engine.solver.dt !== this.dtDiffusion)
        throw new SpatialError(
          `field engine: dt ${engine.solver.dt} differs from dtDiffusion ${this.dtDiffusion}`,
        );
      if (engine.every.join(',') !== every.join(','))
        throw new SpatialError(
          `field engine: steps per field step ${engine.every.join(',')} differ from the options' ${every.join(',')} (dtExosome)`,
        );
      this.fields = engine.solver;
      this.runner = engine;
    } else {
      const f = new FieldSolver({ grid: this.grid, substrates: subs, dt: this.dtDiffusion });
      this.fields = f;
      this.runner = new SerialFieldRunner(f, every);
    }
    this.held = new Float64Array(subs.length);
    this.isHeld = new Uint8Array(subs.length);
    const held: [number, number][] = [];
    for (const [name, v] of Object.entries(options.held ?? {})) {
      if (!(EXOSOME_FIELDS as readonly string[]).includes(name))
        throw new SpatialError(`held: unknown field '${name}' (${EXOSOME_FIELDS.join(', ')})`);
      if (!(v !== undefined && v >= 0)) throw new SpatialError(`held.${name} ${v}: expected >= 0`);
      held.push([index[name as ExosomeField], v]);
    }
    // Without exosomes (the niche option) every exosome field, the hypoxic cargo included, is held at zero: no
    // release, no uptake, and the fields cost nothing (a held field is not stepped).
    if (this.niche.exosomes === false) {
      if (held.length > 0) throw new SpatialError('held: the exosome fields are off (niche.exosomes false)');
      for (const k of [...EXOSOME_FIELDS, 'cml_hyp'] as const) if (index[k] >= 0) held.push([index[k], 0]);
    }
    for (const [s, v] of held) {
      this.held[s] = v;
      this.isHeld[s] = 1;
      this.fields.field(s).fill(v);
      // Held: never stepped (the held value is restored after each mechanics step anyway), so no work.
      this.runner.setFrozen(s, true);
    }
    this.srcCount = new Int32Array(subs.length);
    for (let s = 0; s < subs.length; s++) {
      this.srcVox.push(new Int32Array(PER_ID));
      this.srcRate.push(new Float64Array(PER_ID));
    }
    const drugName = options.drug?.name;
    this.tkiLowersRelease =
      drugName !== undefined && drugsWithModulator(kb, undefined, 'donor', 'reduces').has(drugName);
    this.drugBlocksSrc =
      drugName !== undefined &&
      drugsWithModulator(kb, 'cml-endothelium-src-angiogenesis', 'recipient', 'blocks').has(drugName);
    this.store = new AgentStore({ dims: d, shared: agents?.shared ?? false });
    if (options.immune) {
      this.tPerVoxel = new Float64Array(this.grid.voxelCount);
      const k = deriveStreamKey(options.seed, [
        ['purpose', 'spatial'],
        ['use', 'immune-influx'],
      ]);
      this.influxKey[0] = k.k0;
      this.influxKey[1] = k.k1;
      this.influxKey[2] = k.c2;
      this.influxKey[3] = k.c3;
    }
    if (options.mechanics ?? true) {
      const p = this.params;
      const r = p.radius;
      const reach = 2 * p.adhesionReach * Math.max(r.cml, r.lsc, r.bmsc, r.endo);
      const mo: MechanicsOptions = {
        domain: { lo: [...lo], hi: [...hi] },
        dt: this.dtMechanics,
        boundary: { kind: 'reflect' },
        seed: options.seed,
        // A fixed bin size: the neighbour order (and so every force sum) never depends on history (checkpoints).
        binSize: reach,
      };
      this.mechanics = agents ? agents.create(this.store, mo) : new Mechanics(this.store, mo);
    } else this.mechanics = null;
  }

  /** Agents of each type now. */
  counts(): Record<CellType | 'quiescent' | 'cycling', number> & { y2?: number; y3?: number } {
    const out = { cml: 0, lsc: 0, bmsc: 0, endo: 0, normal: 0, tcell: 0, quiescent: 0, cycling: 0 };
    const { type, id } = this.store;
    for (let i = 0; i < this.store.count; i++) {
      const t = type[i];
      out[CELL_TYPES[t]]++;
      if (t === LSC) {
        if (this.st.cycling[id[i]] === 1) out.cycling++;
        else out.quiescent++;
      }
    }
    // With the lineage option the cml agents are the progenitors (y1); y2 and y3 are domain-wide counts.
    return this.opts.lineage ? { ...out, y2: this.y2, y3: this.y3 } : out;
  }

  /**
   * The leukaemic lineage now (option `lineage`; undefined without it): progenitor agents (y1, type cml),
   * differentiated (y2) and mature (y3) cells of the domain.
   */
  lineage(): { readonly y1: number; readonly y2: number; readonly y3: number } | undefined {
    if (!this.opts.lineage) return undefined;
    let y1 = 0;
    for (let i = 0; i < this.store.count; i++) if (this.store.type[i] === CML) y1++;
    return { y1, y2: this.y2, y3: this.y3 };
  }

  /** Capacity K of the in-vitro cell-line cycle (cmlCycle.capacity, default lscCapacity). */
  get cmlCapacity(): number {
    return this.opts.cmlCycle?.capacity ?? this.opts.lscCapacity;
  }

  /** Adds a cell; returns its id. Call before stepping or between steps. */
  addCell(c: AddCell): number {
    const t = CELL_TYPES.indexOf(c.type);
    if (t < 0) throw new SpatialError(`cell type '${c.type}': one of ${CELL_TYPES.join(', ')}`);
    const p = this.params;
    const r = p.radius[t === NORMAL || t === TCELL ? 'lsc' : (c.type as 'cml' | 'lsc' | 'bmsc' | 'endo')];
    const lsc = t === LSC;
    // Normal stem cells and T cells move like LSCs (the same motility keys, no radius or speed of their own in the
    // KB yet) but do not chemotax.
    const stem = lsc || t === NORMAL || t === TCELL;
    const id = this.nextId++;
    this.store.add({
      id,
      x: c.x,
      y: c.y,
      ...(this.dims === 3 ? { z: c.z ?? 0 } : {}),
      radius: r,
      type: t,
      repulsion: p.repulsion,
      adhesion: p.adhesion,
      adhesionReach: p.adhesionReach,
      speed: stem ? p.speedLsc : 0,
      persistence: stem ? p.persistenceLsc : 0,
      chemotaxisBias: lsc && this.fieldIndex.cxcl12 >= 0 ? p.chemotaxisBiasLsc : 0,
    });
    this.initState(id, t, c.x, c.y, c.z ?? 0, lsc && !c.quiescent);
    this.dirty = true;
    return id;
  }

  private initState(id: number, t: number, x: number, y: number, z: number, cycling: boolean): void {
    const st = this.st;
    st.ensure(id);
    st.cycling[id] = cycling ? 1 : 0;
    st.anchor[3 * id] = x;
    st.anchor[3 * id + 1] = y;
    st.anchor[3 * id + 2] = z;
    const m = this.opts.membrane;
    st.side[id] = m ? ([x, y, z][m.axis] < m.at ? -1 : 1) : 0;
    st.act[2 * id] = 1;
    st.act[2 * id + 1] = 1;
    st.adh[2 * id] = 1;
    st.adh[2 * id + 1] = 1;
    // Bulk CML cells draw only with the lineage or cell-line option (without, they draw nothing: no key needed).
    const cmlRules = t === CML && (this.opts.lineage !== undefined || this.opts.cmlCycle !== undefined);
    if (t === LSC || t === NORMAL || t === TCELL || (t === ENDO && this.opts.vessels) || cmlRules) {
      const key = deriveStreamKey(this.opts.seed, [
        ['purpose', 'spatial'],
        ['agent', id],
        ['use', t === ENDO ? 'vessel' : 'phenotype'],
      ]);
      st.key[4 * id] = key.k0;
      st.key[4 * id + 1] = key.k1;
      st.key[4 * id + 2] = key.c2;
      st.key[4 * id + 3] = key.c3;
      st.block[id] = 0;
    }
  }

  /** Advances by the whole number of phenotype steps nearest to `minutes`. */
  run(minutes: number): void {
    const n = Math.round(minutes / this.dtPhenotype);
    for (let k = 0; k < n; k++) this.step();
  }

  /** One phenotype step: fields and mechanics over dtPhenotype, then the cell rules. */
  step(): void {
    const sortEvery = this.opts.sortRowsEvery ?? 0;
    if (this.mechanics && sortEvery > 0 && this.phenotypeSteps % sortEvery === 0) {
      this.mechanics.sortRows();
      this.dirty = true;
    }
    if (this.dirty) this.rebuildRows();
    // Sources are fixed over the phenotype step (rebuilt with the rows after the rules).
    const runner = this.runner;
    for (let s = 0; s < this.srcCount.length; s++)
      runner.setSources(s, this.srcVox[s], this.srcRate[s], this.isHeld[s] === 1 ? 0 : this.srcCount[s]);
    const nMech = Math.round(this.dtPhenotype / this.dtMechanics);
    const nDiff = Math.round(this.dtMechanics / this.dtDiffusion);
    // Without chemotaxis the mechanics read no field and the fields no position (the uptake voxels are taken before
    // the run), so the agents move while a field worker steps the fields (`during`; after them on one thread).
    const beside = this.mechanics !== null && this.fieldIndex.cxcl12 < 0;
    for (let m = 0; m < nMech; m++) {
      this.diffuse(nDiff, beside ? this.moveAgents : undefined);
      if (this.mechanics && !beside) {
        this.chemotaxisDirections();
        this.moveAgents();
      }
    }
    this.time = (this.phenotypeSteps + 1) * this.dtPhenotype;
    this.phenotype();
    this.phenotypeSteps++;
  }

  /**
   * The fields over one mechanics step, `steps` diffusion steps: within it agents neither move nor change their
   * rates, and no field's step reads another field (oxygen uptake is local to oxygen; the other fields have decay
   * and point sources only), so the runner advances each field through all the steps at once (per step: sources,
   * oxygen uptake, implicit LOD solve; exosome fields every dtExosome), on two threads with one synchronisation.
   * Held fields are not stepped and keep their value.
   */
  private diffuse(steps: number, during: (() => void) | undefined): void {
    const o2 = this.fieldIndex.oxygen;
    if (o2 >= 0) this.runner.setUptake(o2, this.vox, this.o2coef, this.store.count);
    this.runner.run(steps, during);
    const f = this.fields;
    for (let s = 0; s < f.substrateCount; s++) if (this.isHeld[s] === 1) f.field(s).fill(this.held[s]);
  }

  /** Fixed cells back to their anchors; agents kept on their side of a membrane. */
  private constrain(): void {
    const s = this.store;
    const st = this.st;
    const m = this.opts.membrane;
    const { x, y, z, type, id, radius } = s;
    for (let i = 0; i < s.count; i++) {
      const t = type[i];
      const k = id[i];
      if (t === BMSC || t === ENDO) {
        x[i] = st.anchor[3 * k];
        y[i] = st.anchor[3 * k + 1];
        z[i] = this.dims === 3 ? st.anchor[3 * k + 2] : 0;
      } else if (m) {
        const c = m.axis === 0 ? x : m.axis === 1 ? y : z;
        const r = radius[i];
        if (st.side[k] < 0 && c[i] > m.at - r) c[i] = m.at - r;
        else if (st.side[k] > 0 && c[i] < m.at + r) c[i] = m.at + r;
      }
    }
  }

  private refreshVoxels(): void {
    const s = this.store;
    const g = this.grid;
    const { x, y, z } = s;
    const vox = this.vox;
    for (let i = 0; i < s.count; i++) {
      let v = g.voxelAt(x[i], y[i], z[i]);
      if (v < 0) v = g.voxelAt(this.clampAxis(0, x[i]), this.clampAxis(1, y[i]), this.clampAxis(2, z[i]));
      vox[i] = v;
    }
  }

  private clampAxis(a: number, v: number): number {
    if (a >= this.dims) return v;
    const lo = this.opts.domain.lo[a];
    const hi = this.opts.domain.hi[a];
    const eps = 1e-9 * (hi - lo);
    return v < lo ? lo + eps : v >= hi ? hi - eps : v;
  }

  /** Local hypoxia 0 (20 % O2) .. 1 (1 % O2) from the oxygen field, or the niche option without one. */
  private hypoxiaAt(v: number): number {
    const o2 = this.fieldIndex.oxygen;
    if (o2 < 0) return this.niche.hypoxia;
    const p = this.params;
    const h = (p.o2Normoxic - this.fields.field(o2)[v]) / (p.o2Normoxic - p.o2Hypoxic);
    return Math.min(Math.max(h, 0), 1);
  }

  private tkiAt(v: number): number {
    const d = this.fieldIndex.drug;
    if (this.drug === null) return 0;
    return d < 0 ? this.drugUniform : tkiEffect(this.drug, this.fields.field(d)[v]);
  }

  /** The cell rules, once per phenotype step (rates held over the step). */
  private phenotype(): void {
    const s = this.store;
    const st = this.st;
    const p = this.params;
    const ch = this.ch;
    const n = this.niche;
    const dt = this.dtPhenotype;
    const { cargo } = p;
    const hillN = cargo.hill;
    const ec50 = cargo.ec50;
    const fC = this.fields.field(this.fieldIndex.cml);
    const fL = this.fields.field(this.fieldIndex.lsc);
    const fB = this.fields.field(this.fieldIndex.bmsc);
    const hypField = this.fieldIndex.cml_hyp >= 0 ? this.fields.field(this.fieldIndex.cml_hyp) : null;
    const blk = n.uptakeBlocker;
    const relaxAct = -Math.expm1(-p.kAct * dt);
    const relaxVasc = -Math.expm1(-p.kVasc * dt);
    const cur = n.curcumin;
    let yTot = 0;
    let nNormal = 0;
    for (let i = 0; i < s.count; i++) {
      if (s.type[i] === LSC && st.cycling[s.id[i]] === 1) yTot++;
      else if (s.type[i] === NORMAL) nNormal++;
    }
    // Shared niche (src/niche/lsc.ts, haematopoiesis.ts): cycling LSCs see (Y + w_nl N)/Ky, normal stem cells
    // (N + w_ln Y)/Kn; the counts are the domain's (a well-mixed capacity, as for the LSCs alone).
    const logistic = Math.max(0, 1 - (yTot + p.wNl * nNormal) / this.opts.lscCapacity);
    const normalNet = p.pn * (1 - (nNormal + p.wLn * yTot) / this.normalCapacity);
    // Immune compartment at the domain's scale (see SpatialOptions.immune).
    const immune = this.opts.immune !== undefined;
    const imm = p.immune;
    const scale = this.immuneScale;
    const kzD = scale * imm.kz;
    const recruit = immune ? (scale * imm.pz * yTot) / (kzD * kzD + yTot * yTot) : 0;
    const killPerT = immune ? (imm.m / scale) * this.grid.voxelCount : 0;
    if (immune) {
      // Kill m/(1 + I1) per T cell (src/niche/lsc.ts), I1 (cml-tcell-suppression) from the T cell's own uptake.
      this.tPerVoxel.fill(0);
      for (let i = 0; i < s.count; i++) {
        if (s.type[i] !== TCELL) continue;
        const vt = this.vox[i];
        const uT = uptakeFraction(fC[vt] + p.wLsc * fL[vt], p.kmCml, blk);
        this.tPerVoxel[vt] += 1 / (1 + cargoEffect(ch.i1.k, channelSignal(ch.i1, uT), ec50, hillN));
      }
    }
    const w = this.words;
    this.deaths.length = 0;
    this.divisions.length = 0;
    this.sprouts.length = 0;
    // Leukaemic lineage (in vivo) and the cell line's cycle (in vitro): see SpatialOptions.lineage / cmlCycle.
    const lineage = this.opts.lineage !== undefined;
    const cmlCycle = this.opts.cmlCycle !== undefined;
    const lin = p.lineage;
    this.productions.length = 0;
    this.lineageProd = 0;
    let progInv = 0;
    let nProg = 0;
    let nCml = 0;
    if (cmlCycle) for (let i = 0; i < s.count; i++) if (s.type[i] === CML) nCml++;
    const cmlLogistic = cmlCycle ? Math.max(0, 1 - nCml / this.cmlCapacity) : 0;
    // Intrinsic apoptosis of cycling leukaemic cells with the exosome layer on (src/niche/lsc.ts Renew/Apop): delta
    // extra divisions and delta/(1 + S) deaths under the niche's crowding factor, Hähnel's net rate at S = 0.
    const delta = this.niche.exosomes === false ? 0 : p.survival.delta;
    const vessels = this.opts.vessels !== undefined;
    let nEndo = 0;
    if (vessels) {
      for (let i = 0; i < s.count; i++) if (s.type[i] === ENDO) nEndo++;
      if (this.vesselBaseline === 0) this.vesselBaseline = this.opts.vessels?.baseline ?? nEndo;
    }
    for (let i = 0; i < s.count; i++) {
      const t = s.type[i];
      const id = s.id[i];
      const v = this.vox[i];
      const cargoConc = fC[v] + p.wLsc * fL[v];
      const uC = uptakeFraction(cargoConc, p.kmCml, blk);
      const uB = uptakeFraction(fB[v], p.kmBmsc, blk);
      st.uCml[id] = uC;
      st.uBmsc[id] = uB;
      st.cargo[3 * id] += uC * dt;
      if (cargoConc > 0) st.cargo[3 * id + 1] += ((uC * p.wLsc * fL[v]) / cargoConc) * dt;
      st.cargo[3 * id + 2] += uB * dt;
      if (t === LSC) {
        // Q = B4q + R, P = B4p + wp max(R, 0) (src/niche/niche-cells.ts), R from the local chemokines.
        const R = this.retentionAt(v, i);
        const Q = cargoEffect(ch.b4q.k, channelSignal(ch.b4q, uB), ec50, hillN) + R;
        const P = cargoEffect(ch.b4p.k, channelSignal(ch.b4p, uB), ec50, hillN) + p.fb.wp * Math.max(R, 0);
        const A = cargoEffect(ch.a1.k, channelSignal(ch.a1, uC), ec50, hillN);
        const S = delta > 0 ? this.survivalAt(v, A) : 0;
        const e = this.tkiAt(v);
        st.q[id] = Q;
        st.p[id] = P;
        st.a[id] = A;
        st.tki[id] = e;
        const cyc = st.cycling[id] === 1;
        const rDeact = cyc ? p.pyx * (1 + Q) : 0;
        const rDiv = cyc ? (p.py * (1 + A) + delta) * logistic : 0;
        const rKill = cyc
          ? (p.eTki * e) / (1 + P) +
            killPerT * (immune ? this.tPerVoxel[v] : 0) +
            (delta / (1 + S)) * logistic
          : 0;
        const total = cyc ? rDeact + rDiv + rKill : p.pxy;
        // Lineage: progenitors at ay/(1 + (fa - 1) tkiE) while the LSC cycles (src/niche/haematopoiesis.ts Yy1).
        const rProd = lineage && cyc ? lin.ay / (1 + (lin.fa - 1) * e) : 0;
        const byParent = rProd > 0 ? lin.by / (1 + (lin.fb - 1) * e) : 0;
        if (total <= 0) {
          if (rProd > 0) this.produce(id, rProd, dt, dt, byParent);
          continue;
        }
        this.nextBlock(id);
        const u1 = u53(w[0], w[1]);
        if (u1 >= -Math.expm1(-total * dt)) {
          if (rProd > 0) this.produce(id, rProd, dt, dt, byParent);
          continue;
        }
        if (!cyc) {
          st.cycling[id] = 1;
          continue;
        }
        const pick = u53(w[2], w[3]) * total;
        if (rProd > 0) {
          // The LSC produces until its event ends its cycling (at the event time -ln(1 - u1)/total, by the
          // inversion that decided the event) or, after a division, for the whole step.
          const div = pick >= rDeact && pick < rDeact + rDiv;
          this.produce(id, rProd, div ? dt : -Math.log1p(-u1) / total, dt, byParent);
        }
        if (pick < rDeact) st.cycling[id] = 0;
        else if (pick < rDeact + rDiv) this.divisions.push(id);
        else this.deaths.push(id);
      } else if (t === TCELL) {
        if (!immune) continue;
        // Recruitment by cycling LSCs (a division) or death, as dZ/dt = ... - az Z + pz/(1 + I2) Y Z/(Kz^2 + Y^2),
        // I2 (cml-treg-expansion) from this T cell's own CML-cargo uptake.
        const i2 = cargoEffect(ch.i2.k, channelSignal(ch.i2, uC), ec50, hillN);
        const rec = i2 === 0 ? recruit : recruit / (1 + i2);
        const total = rec + imm.az;
        const u = this.draw(id);
        if (u >= -Math.expm1(-total * dt)) continue;
        if (u53(w[2], w[3]) * total < rec) this.divisions.push(id);
        else this.deaths.push(id);
      } else if (t === NORMAL) {
        // dN/dt = pn N (1 - (N + w_ln Y)/Kn): each cell divides at the net rate when it is positive and dies at
        // its magnitude when negative, so the expected population follows the niche model's N.
        if (normalNet === 0) continue;
        const u = this.draw(id);
        if (u >= -Math.expm1(-Math.abs(normalNet) * dt)) continue;
        if (normalNet > 0) this.divisions.push(id);
        else this.deaths.push(id);
      } else if (t === ENDO) {
        // Vascular density (E1 Src with curcumin and the endothelial Src block of a dasatinib-like drug; E3; E4
        // miR-210 with the donors' hypoxia; D1 miR-21 with curcumin) and IL-8 (E6), as src/niche/niche-cells.ts.
        let srcF = 1 - cur * p.curDepl;
        if (this.drugBlocksSrc) srcF *= 1 - p.srcBlock * Math.min(this.tkiAt(v), 1);
        const hShare = hypField ? (cargoConc > 0 ? hypField[v] / cargoConc : 0) : n.hypoxia;
        const e1 = cargoEffect(ch.src.k, channelSignal(ch.src, srcF * uC), ec50, hillN);
        const e3 = cargoEffect(ch.mir92a.k, channelSignal(ch.mir92a, uC), ec50, hillN);
        const e4 = cargoEffect(
          ch.mir210.k,
          channelSignal(ch.mir210, hShare * p.mir210Gain * uC),
          ec50,
          hillN,
        );
        const d1 = cargoEffect(ch.mir21.k, channelSignal(ch.mir21, cur * uC), ec50, hillN);
        const e6 = cargoEffect(ch.e6.k, channelSignal(ch.e6, uC), ec50, hillN);
        const vascT = (1 + e1 + e3 + e4) / (1 + d1);
        st.act[2 * id] += (vascT - st.act[2 * id]) * relaxVasc;
        st.act[2 * id + 1] += (1 + (1 - cur) * e6 - st.act[2 * id + 1]) * relaxAct;
        // E5: miR-126 lowers CXCL12; VCAM1 follows E6 (up) or miR-126 (down) by the sign of
        // crosstalk.vcam1_direction (conflict vcam1-endothelium), each scaled to niche.ch.vcam1.emax, exactly the
        // niche model's targets (src/niche/niche-cells.ts) from this cell's own uptake.
        const adh = this.adhTarget;
        endothelialAdhesion(adh, ch.e6, ch.mir126, cargo, this.vcam, uC, cur);
        st.adh[2 * id] += (adh[0] - st.adh[2 * id]) * relaxAct;
        st.adh[2 * id + 1] += (adh[1] - st.adh[2 * id + 1]) * relaxAct;
        st.tki[id] = this.tkiAt(v);
        if (vessels) {
          // Net rate k_vasc (T N0/N - 1): summed over the N cells, dN/dt = k_vasc (mean(T) N0 - N), the niche
          // model's vascular density equation with V = N / N0. Above zero the cell sprouts, below it regresses.
          const r = p.kVasc * ((vascT * this.vesselBaseline) / nEndo - 1);
          if (r === 0) continue;
          const u = this.draw(id);
          if (u >= -Math.expm1(-Math.abs(r) * dt)) continue;
          if (r > 0) this.sprouts.push(id);
          else this.deaths.push(id);
        }
      } else if (t === CML) {
        if (lineage) {
          // A leukaemic progenitor (y1): lost at d1 (1 - s + s/(1 + P)), P its own B4 protection (the niche
          // model's writeLeukaemicLoss), while it makes differentiated cells at by/(1 + (fb - 1) tkiE) (y1y2).
          const P = cargoEffect(ch.b4p.k, channelSignal(ch.b4p, uB), ec50, hillN);
          const S =
            delta > 0 ? this.survivalAt(v, cargoEffect(ch.a1.k, channelSignal(ch.a1, uC), ec50, hillN)) : 0;
          const e = this.tkiAt(v);
          st.p[id] = P;
          st.tki[id] = e;
          // The survival signal S divides the apoptotic share too (writeLeukaemicLoss: 1 - s + s/(1 + P + S)).
          const inv = 1 / (1 + P + S);
          progInv += inv;
          nProg++;
          const byRate = lin.by / (1 + (lin.fb - 1) * e);
          const loss = lin.d1 * (1 - lin.bulkShare + lin.bulkShare * inv);
          const u = this.draw(id);
          if (u < -Math.expm1(-loss * dt)) {
            this.deaths.push(id);
            // It makes y2 until its death time (the inversion's -ln(1 - u)/loss).
            this.lineageProd += byRate * (-Math.log1p(-u) / loss);
          } else this.lineageProd += byRate * dt;
        } else if (cmlCycle) {
          // The cell line in vitro: the culture mapping's cycling compartment (src/experiments/leukaemia.ts),
          // division py (1 + A) max(0, 1 - n/K), TKI kill e_tki tkiE/(1 + P); A and P of its own uptake.
          const P = cargoEffect(ch.b4p.k, channelSignal(ch.b4p, uB), ec50, hillN);
          const A = cargoEffect(ch.a1.k, channelSignal(ch.a1, uC), ec50, hillN);
          const e = this.tkiAt(v);
          st.p[id] = P;
          st.a[id] = A;
          st.tki[id] = e;
          const S = delta > 0 ? this.survivalAt(v, A) : 0;
          const rDiv = (p.py * (1 + A) + delta) * cmlLogistic;
          const rKill = (p.eTki * e) / (1 + P) + (delta / (1 + S)) * cmlLogistic;
          const total = rDiv + rKill;
          if (total <= 0) continue;
          const u = this.draw(id);
          if (u >= -Math.expm1(-total * dt)) continue;
          if (u53(w[2], w[3]) * total < rDiv) this.divisions.push(id);
          else this.deaths.push(id);
        }
      } else if (t === BMSC) {
        const b1 = cargoEffect(ch.b1.k, channelSignal(ch.b1, uC), ec50, hillN);
        const b2 = cargoEffect(ch.b2.k, channelSignal(ch.b2, uC), ec50, hillN);
        const b3 = cargoEffect(ch.b3.k, channelSignal(ch.b3, uC), ec50, hillN);
        st.act[2 * id] += (1 + b1 + b2 - st.act[2 * id]) * relaxAct;
        st.act[2 * id + 1] += (1 + b3 - st.act[2 * id + 1]) * relaxAct;
      }
    }
    if (this.productions.length > 0) {
      // Progenitors first (ascending producer id), while their producers are all still in place.
      this.productions.sort((a, b) => a - b);
      for (const id of this.productions) this.divide(id, CML);
    }
    if (lineage) this.advanceLineage(nProg > 0 ? progInv / nProg : 1);
    if (this.deaths.length > 0 || this.divisions.length > 0 || this.sprouts.length > 0) {
      // Canonical order (ascending id) so that rows and new ids do not depend on the store's row order.
      this.deaths.sort((a, b) => a - b);
      this.divisions.sort((a, b) => a - b);
      this.sprouts.sort((a, b) => a - b);
      for (const id of this.deaths) this.store.remove(id);
      for (const id of this.divisions) this.divide(id);
      for (const id of this.sprouts) this.sprout(id);
    }
    if (immune) this.immuneInflux(scale * imm.rz * dt);
    this.rebuildRows();
  }

  /** The next Philox block of agent `id`'s stream into this.words (four 32-bit words); advances the stream. */
  private nextBlock(id: number): Uint32Array {
    const st = this.st;
    const w = this.words;
    const b = st.block[id];
    const lo = b % 4294967296;
    philox4x32(
      lo,
      (b - lo) / 4294967296,
      st.key[4 * id + 2],
      st.key[4 * id + 3],
      st.key[4 * id],
      st.key[4 * id + 1],
      w,
      0,
    );
    st.block[id] = b + 1;
    return w;
  }

  /** One block from agent `id`'s stream; a uniform in [0, 1) from its words 0-1. */
  private draw(id: number): number {
    const w = this.nextBlock(id);
    return u53(w[0], w[1]);
  }

  /**
   * An endothelial cell divides (a sprout): a new endothelial cell (fixed, new id) at contact distance 2r beside a
   * cell of the parent's vessel, adhered to it. The parent is tried first; if it is enclosed (contact inhibition),
   * the new cell goes beside the nearest cell of the same vessel with room, in breadth-first order over adhered
   * neighbours (ascending id): a proliferating stalk cell lengthens its sprout (Gerhardt 2003: stalk cells
   * proliferate, tip cells lead). The sprout fails only if no cell of the vessel has room (counted in
   * failedSprouts), so the division rate stays k_vasc's. Sprouts are rare events and may allocate, like divisions.
   */
  private sprout(parent: number): void {
    const s = this.store;
    const reach = this.params.adhesionReach;
    const queue = [parent];
    const seen = new Set<number>(queue);
    for (let q = 0; q < queue.length; q++) {
      if (this.placeSprout(queue[q], parent)) return;
      const i = s.indexOf(queue[q]);
      const next: number[] = [];
      for (let j = 0; j < s.count; j++) {
        if (j === i || s.type[j] !== ENDO || seen.has(s.id[j])) continue;
        const dx = s.x[i] - s.x[j];
        const dy = s.y[i] - s.y[j];
        const dz = s.z[i] - s.z[j];
        if (dx * dx + dy * dy + dz * dz <= (reach * (s.radius[i] + s.radius[j])) ** 2) next.push(s.id[j]);
      }
      next.sort((a, b) => a - b);
      for (const id of next) {
        seen.add(id);
        queue.push(id);
      }
    }
    this.failedSprouts++;
  }

  /**
   * Places a new endothelial cell beside `host` (random numbers from `parent`'s stream); false if `host` is
   * enclosed. The preferred direction leads away from the host's adhered endothelial neighbours (the sum of unit
   * vectors from each; perpendicular to the vessel where they balance, as in the middle of a straight segment), so
   * a sprout leaves its vessel, perturbed by a random unit vector times spatial.vessel.sprout_spread (any direction
   * for a cell without neighbours). The new cell must lie in the domain and adhere to no endothelial cell other
   * than the host (sprouts do not grow into vessels); if the preferred spot is taken, further candidates turn away
   * from it (2D: steps of 15 degrees either side, up to 180; 3D: growing random perturbations, 12 tries).
   */
  private placeSprout(host: number, parent: number): boolean {
    const s = this.store;
    const i = s.indexOf(host);
    const p = this.params;
    const reach = p.adhesionReach;
    const { x, y, z, type, radius } = s;
    const r = radius[i];
    let bx = 0;
    let by = 0;
    let bz = 0;
    let ax = 0;
    let ay = 0;
    let az = 0;
    let nb = 0;
    for (let j = 0; j < s.count; j++) {
      if (j === i || type[j] !== ENDO) continue;
      const dx = x[i] - x[j];
      const dy = y[i] - y[j];
      const dz = z[i] - z[j];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > (reach * (r + radius[j])) ** 2 || d2 === 0) continue;
      const dn = Math.sqrt(d2);
      bx += dx / dn;
      by += dy / dn;
      bz += dz / dn;
      if (nb === 0) {
        ax = dx / dn;
        ay = dy / dn;
        az = dz / dn;
      }
      nb++;
    }
    const w = this.words;
    const TWO32 = 4294967296;
    const d3 = this.dims === 3;
    // A random unit vector from two words (3D) or one (2D) of the current block.
    const unit = (k: number, out: Float64Array) => {
      if (d3) {
        const cz = 2 * (w[k] / TWO32) - 1;
        const rho = Math.sqrt(Math.max(0, 1 - cz * cz));
        const phi = (TWO_PI * w[k + 1]) / TWO32;
        out[0] = rho * Math.cos(phi);
        out[1] = rho * Math.sin(phi);
        out[2] = cz;
      } else {
        const phi = (TWO_PI * w[k]) / TWO32;
        out[0] = Math.cos(phi);
        out[1] = Math.sin(phi);
        out[2] = 0;
      }
    };
    const u = this.grad;
    this.draw(parent);
    let bn = Math.sqrt(bx * bx + by * by + bz * bz);
    if (nb > 0 && bn < 0.5) {
      // Balanced neighbours: perpendicular to the first neighbour's axis (random side / orientation).
      unit(0, u);
      const dot = u[0] * ax + u[1] * ay + u[2] * az;
      bx = u[0] - dot * ax;
      by = u[1] - dot * ay;
      bz = u[2] - dot * az;
      bn = Math.sqrt(bx * bx + by * by + bz * bz);
    }
    const hasBase = nb > 0 && bn > 1e-12;
    if (hasBase) {
      bx /= bn;
      by /= bn;
      bz /= bn;
    } else bx = by = bz = 0;
    // Tip cells migrate up the angiogenic gradient (Gerhardt 2003: migration follows the VEGF-A gradient, stalk
    // proliferation its concentration). Here the signal is the CML-exosome cargo (cml + w_lsc lsc, the fields the
    // vasc target reads) at the host's voxel; its unit gradient, weighted by spatial.vessel.sprout_gradient_weight,
    // joins the outward direction. A zero gradient (a uniform or held field) leaves the rule as it was, bit for bit.
    const wg = p.sproutGradient;
    if (wg > 0) {
      const g = this.sproutGrad;
      const gl = this.sproutGradL;
      const vh = this.grid.voxelAt(
        this.clampAxis(0, x[i]),
        this.clampAxis(1, y[i]),
        this.clampAxis(2, d3 ? z[i] : 0),
      );
      gradientAt(this.grid, this.fields.field(this.fieldIndex.cml), vh, g);
      gradientAt(this.grid, this.fields.field(this.fieldIndex.lsc), vh, gl);
      const gx = g[0] + p.wLsc * gl[0];
      const gy = g[1] + p.wLsc * gl[1];
      const gz = d3 ? g[2] + p.wLsc * gl[2] : 0;
      const gn = Math.sqrt(gx * gx + gy * gy + gz * gz);
      if (gn > 0) {
        bx += (wg * gx) / gn;
        by += (wg * gy) / gn;
        bz += (wg * gz) / gn;
      }
    }
    const spread = hasBase ? p.sproutSpread : 1;
    unit(2, u);
    let dx = bx + spread * u[0];
    let dy = by + spread * u[1];
    let dz = bz + spread * u[2];
    const tries = d3 ? 12 : 25;
    const STEP = Math.PI / 12;
    const phi0 = Math.atan2(dy, dx);
    for (let k = 0; k < tries; k++) {
      if (k > 0) {
        if (d3) {
          // 3D: a fresh perturbation, growing every second try
          if (k % 2 === 1) this.draw(parent);
          unit(k % 2 === 1 ? 0 : 2, u);
          const sk = spread * 2 ** Math.floor(k / 2);
          dx = bx + sk * u[0];
          dy = by + sk * u[1];
          dz = bz + sk * u[2];
        } else {
          const phi = phi0 + (k % 2 === 1 ? 1 : -1) * Math.ceil(k / 2) * STEP;
          dx = Math.cos(phi);
          dy = Math.sin(phi);
        }
      }
      const dn = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (!(dn > 0)) continue;
      const nx = x[i] + (2 * r * dx) / dn;
      const ny = y[i] + (2 * r * dy) / dn;
      const nz = d3 ? z[i] + (2 * r * dz) / dn : 0;
      if (!this.inDomain(nx, ny, nz)) continue;
      let free = true;
      for (let j = 0; j < s.count && free; j++) {
        if (j === i || type[j] !== ENDO) continue;
        const ex = nx - x[j];
        const ey = ny - y[j];
        const ez = nz - z[j];
        if (ex * ex + ey * ey + ez * ez <= (reach * (r + radius[j])) ** 2) free = false;
      }
      if (!free) continue;
      const id = this.nextId++;
      s.add({
        id,
        x: nx,
        y: ny,
        ...(d3 ? { z: nz } : {}),
        radius: r,
        type: ENDO,
        repulsion: p.repulsion,
        adhesion: p.adhesion,
        adhesionReach: p.adhesionReach,
        speed: 0,
        persistence: 0,
        chemotaxisBias: 0,
      });
      this.initState(id, ENDO, nx, ny, nz, false);
      const st = this.st;
      st.side[id] = st.side[parent];
      // The new cell starts in its parent's activation state.
      st.act[2 * id] = st.act[2 * parent];
      st.act[2 * id + 1] = st.act[2 * parent + 1];
      st.adh[2 * id] = st.adh[2 * parent];
      st.adh[2 * id + 1] = st.adh[2 * parent + 1];
      return true;
    }
    return false;
  }

  private inDomain(x: number, y: number, z: number): boolean {
    const { lo, hi } = this.opts.domain;
    const c = [x, y, z];
    for (let a = 0; a < this.dims; a++) if (!(c[a] >= lo[a] && c[a] < hi[a])) return false;
    return true;
  }

  /**
   * The vessel network now (src/spatial/network.ts): endothelial cells joined where they adhere (centres within
   * spatial.mechanics.adhesion_reach x (r_i + r_j)); total tube length, components, branch points.
   */
  vesselNetwork(): VesselNetwork {
    const s = this.store;
    const rows: number[] = [];
    for (let i = 0; i < s.count; i++) if (s.type[i] === ENDO) rows.push(i);
    rows.sort((a, b) => s.id[a] - s.id[b]);
    const pick = (c: Float64Array) => Float64Array.from(rows, (i) => c[i]);
    return vesselNetwork(
      rows.length,
      pick(s.x),
      pick(s.y),
      pick(s.z),
      pick(s.radius),
      this.params.adhesionReach,
    );
  }

  /** N0 of the vessel rule (0 until the first phenotype step of a run with `vessels`). */
  get vesselBaselineCount(): number {
    return this.vesselBaseline;
  }

  /** The domain's share of the marrow for the immune compartment (immune.scale or lscCapacity / Ky). */
  get immuneScale(): number {
    return this.opts.immune?.scale ?? this.opts.lscCapacity / this.params.immune.ky;
  }

  /**
   * Influx of T cells over one phenotype step: a Poisson number with mean `mean` (inversion, one block of the
   * domain's influx stream per arrival tried), each at a uniform random position in the domain.
   */
  private immuneInflux(mean: number): void {
    const w = this.words;
    const k = this.influxKey;
    const next = () => {
      const b = this.influxBlock;
      const lo = b % 4294967296;
      philox4x32(lo, (b - lo) / 4294967296, k[2], k[3], k[0], k[1], w, 0);
      this.influxBlock = b + 1;
    };
    // Poisson by inversion: count arrivals while the running product of uniforms stays above e^-mean.
    const limit = Math.exp(-mean);
    next();
    let prod = u53(w[0], w[1]);
    const { lo, hi } = this.opts.domain;
    while (prod > limit) {
      // words 2-3 were not used for the uniform: a fresh block gives the position
      next();
      const x = lo[0] + (hi[0] - lo[0]) * u53(w[0], w[1]);
      const y = lo[1] + (hi[1] - lo[1]) * u53(w[2], w[3]);
      let z = 0;
      if (this.dims === 3) {
        next();
        z = lo[2] + (hi[2] - lo[2]) * u53(w[0], w[1]);
      }
      this.addCell({ type: 'tcell', x, y, z });
      next();
      prod *= u53(w[0], w[1]);
    }
  }

  /** Normal stem-cell capacity of the domain (Kn), cells. */
  get normalCapacity(): number {
    return this.opts.normalCapacity ?? this.opts.lscCapacity * this.params.knOverKy;
  }

  /**
   * A cycling LSC, a normal stem cell, a T cell or (in vitro, cmlCycle) a CML cell divides, or (lineage) a cycling
   * LSC produces a progenitor (`child` = CML): the new cell (new id; cycling if an LSC) sits one parent radius away
   * in a direction from the parent's stream. Stem and T cells move, CML cells do not (as addCell).
   */
  private divide(parent: number, child?: number): void {
    const s = this.store;
    const st = this.st;
    const i = s.indexOf(parent);
    const w = this.nextBlock(parent);
    const r = s.radius[i];
    let dx: number;
    let dy: number;
    let dz = 0;
    if (this.dims === 3) {
      const cz = 2 * u53(w[0], w[1]) - 1;
      const rho = Math.sqrt(Math.max(0, 1 - cz * cz));
      const phi = TWO_PI * u53(w[2], w[3]);
      dx = rho * Math.cos(phi);
      dy = rho * Math.sin(phi);
      dz = cz;
    } else {
      const phi = TWO_PI * u53(w[0], w[1]);
      dx = Math.cos(phi);
      dy = Math.sin(phi);
    }
    const x = this.clampAxis(0, s.x[i] + r * dx);
    const y = this.clampAxis(1, s.y[i] + r * dy);
    const z = this.dims === 3 ? this.clampAxis(2, s.z[i] + r * dz) : 0;
    const p = this.params;
    const t = child ?? s.type[i];
    const moves = t !== CML;
    const id = this.nextId++;
    s.add({
      id,
      x,
      y,
      ...(this.dims === 3 ? { z } : {}),
      radius: t === CML ? p.radius.cml : r,
      type: t,
      repulsion: p.repulsion,
      adhesion: p.adhesion,
      adhesionReach: p.adhesionReach,
      speed: moves ? p.speedLsc : 0,
      persistence: moves ? p.persistenceLsc : 0,
      // A daughter LSC chemotaxes as addCell's LSCs do (the store's default bias would leave it blind to CXCL12).
      chemotaxisBias: t === LSC && this.fieldIndex.cxcl12 >= 0 ? p.chemotaxisBiasLsc : 0,
    });
    this.initState(id, t, x, y, z, t === LSC);
    st.side[id] = st.side[parent];
    if (child === CML && s.type[i] === LSC) {
      // A new progenitor reads as its producer's place until its first step: uptake, tkiE, and its own B4 P.
      const ch = this.ch;
      st.uCml[id] = st.uCml[parent];
      st.uBmsc[id] = st.uBmsc[parent];
      st.tki[id] = st.tki[parent];
      st.hyp[id] = st.hyp[parent];
      st.p[id] = cargoEffect(ch.b4p.k, channelSignal(ch.b4p, st.uBmsc[id]), p.cargo.ec50, p.cargo.hill);
    }
  }

  /**
   * Lineage: progenitors from cycling LSC `id` over [0, window) of the step, a Poisson process of rate `rate`
   * (exponential gaps by inversion, two per block of the LSC's own stream). Each is queued for placement and makes
   * differentiated cells at `byRate` from its birth to the step's end (its share of this step's y2 production).
   */
  private produce(id: number, rate: number, window: number, dt: number, byRate: number): void {
    let w = this.nextBlock(id);
    let k = 0;
    let t = 0;
    for (;;) {
      if (k === 4) {
        w = this.nextBlock(id);
        k = 0;
      }
      t -= Math.log1p(-u53(w[k], w[k + 1])) / rate;
      k += 2;
      if (t >= window) return;
      this.productions.push(id);
      this.lineageProd += byRate * (dt - t);
    }
  }

  /**
   * Lineage: y2 and y3 over one phenotype step, exactly for a y2 production held at this step's mean (the
   * progenitors' by' times their time alive, lineageProd / dt) and the loss d2' = d2 (1 - s + s m), m the mean
   * 1/(1 + P) of the progenitors (1 without any):
   *   y2(dt) = y2 e^{-d2' dt} + B (1 - e^{-d2' dt})/d2'
   *   y3(dt) = y3 e^{-d3 dt} + cy [c (1 - e^{-d3 dt})/d3 + (y2 - c)(e^{-d2' dt} - e^{-d3 dt})/(d3 - d2')], c = B/d2'.
   */
  private advanceLineage(m: number): void {
    const L = this.params.lineage;
    const dt = this.dtPhenotype;
    const k = L.d2 * (1 - L.bulkShare + L.bulkShare * m);
    const B = this.lineageProd / dt;
    this.lineageProd = 0;
    const y20 = this.y2;
    const ek = Math.exp(-k * dt);
    const e3 = Math.exp(-L.d3 * dt);
    const c = B / k;
    const x = L.d3 - k;
    // (e^{-k dt} - e^{-d3 dt})/(d3 - k), written to stay exact as d3 -> k
    const cross = ek * (Math.abs(x * dt) < 1e-12 ? dt : -Math.expm1(-x * dt) / x);
    this.y2 = y20 * ek + c * -Math.expm1(-k * dt);
    this.y3 = this.y3 * e3 + L.cy * ((c * -Math.expm1(-L.d3 * dt)) / L.d3 + (y20 - c) * cross);
  }

  /** Row arrays: voxels, per-field source lists (rate per donor cell, per um^3) and oxygen uptake coefficients. */
  private rebuildRows(): void {
    this.dirty = false;
    const s = this.store;
    const n = s.count;
    if (this.vox.length < n) {
      let c = this.vox.length;
      while (c < n) c *= 2;
      this.vox = new Int32Array(c);
      this.o2coef = new Float64Array(c);
      this.srcVox = this.srcVox.map(() => new Int32Array(c));
      this.srcRate = this.srcRate.map(() => new Float64Array(c));
    }
    this.refreshVoxels();
    const p = this.params;
    const nic = this.niche;
    const st = this.st;
    const idx = this.fieldIndex;
    const perVol = 1 / this.depth;
    const gw = 1 - nic.releaseInhibitor;
    this.srcCount.fill(0);
    const o2 = idx.oxygen;
    for (let i = 0; i < n; i++) {
      const t = s.type[i];
      const id = s.id[i];
      const v = this.vox[i];
      const h = this.hypoxiaAt(v);
      st.hyp[id] = h;
      const common = (1 + h * p.hypGain) * gw * perVol;
      if (o2 >= 0) {
        const r = s.radius[i];
        this.o2coef[i] = (p.o2Consumption * (4 / 3) * Math.PI * r * r * r) / this.depth;
      }
      let f = -1;
      let rate = 0;
      if (t === CML || t === LSC) {
        const tk = this.tkiLowersRelease ? 1 - p.tkiReduction * Math.min(this.tkiAt(v), 1) : 1;
        f = t === CML ? idx.cml : idx.lsc;
        rate = (t === CML ? p.rCml : p.rLsc) * common * tk;
        if (idx.cml_hyp >= 0) {
          // Hypoxia-weighted CML cargo (miR-210 rises with the donor's hypoxia); LSC exosomes count with w_lsc.
          const k = idx.cml_hyp;
          const j = this.srcCount[k]++;
          this.srcVox[k][j] = v;
          this.srcRate[k][j] = rate * h * (t === LSC ? p.wLsc : 1);
        }
      } else if (t === BMSC) {
        f = idx.bmsc;
        rate = p.rBmsc * st.act[2 * id + 1] * common;
      }
      if (f >= 0) {
        const j = this.srcCount[f]++;
        this.srcVox[f][j] = v;
        this.srcRate[f][j] = rate;
      }
    }
    if (idx.il8 >= 0 || idx.cxcl12 >= 0) this.chemokineSources();
  }

  /**
   * IL-8 and CXCL12 sources. Levels are relative to the domain's baseline: a source cell of a type with N cells in
   * the domain (volume V) secretes w k V / N times its activation, so the well-mixed steady level is
   * sum_types w mean(activation), the niche model's weighted population state (src/niche/niche-cells.ts): IL-8
   * from BMSCs (w = niche.feedback.il8.bmsc_weight, activation il8_bmsc) and endothelium (1 - w, il8_endo);
   * CXCL12 from endothelium (w = 1, activation cxcl12_endo, lowered by miR-126, E5). A type absent from the domain
   * counts at baseline (its w is added to every local level). With CXCL12 on, also the endothelial lists for the
   * VCAM1 contact (endoHead).
   */
  private chemokineSources(): void {
    const s = this.store;
    const st = this.st;
    const p = this.params;
    const idx = this.fieldIndex;
    let nB = 0;
    let nE = 0;
    for (let i = 0; i < s.count; i++) {
      if (s.type[i] === BMSC) nB++;
      else if (s.type[i] === ENDO) nE++;
    }
    const { lo, hi } = this.opts.domain;
    let V = this.depth;
    for (let a = 0; a < this.dims; a++) V *= hi[a] - lo[a];
    const perVol = 1 / this.depth;
    const wb = p.fb.wbIl8;
    this.il8Offset = (nB === 0 ? wb : 0) + (nE === 0 ? 1 - wb : 0);
    this.cxcl12Offset = nE === 0 ? 1 : 0;
    // Start from the baseline (the well-mixed level of the sources at activation 1), not from zero, so a run does
    // not begin with a mobilising chemokine deficit. Only before the first step (restores keep their fields).
    if (this.time === 0 && this.phenotypeSteps === 0) {
      if (idx.il8 >= 0) this.fields.field(idx.il8).fill(1 - this.il8Offset);
      if (idx.cxcl12 >= 0) this.fields.field(idx.cxcl12).fill(1 - this.cxcl12Offset);
    }
    for (let i = 0; i < s.count; i++) {
      const t = s.type[i];
      if (t !== BMSC && t !== ENDO) continue;
      const id = s.id[i];
      const v = this.vox[i];
      if (idx.il8 >= 0) {
        const k = idx.il8;
        const j = this.srcCount[k]++;
        this.srcVox[k][j] = v;
        // act: BMSC (il8, support), endothelium (vasc, il8)
        this.srcRate[k][j] =
          t === BMSC
            ? ((wb * p.decayIl8 * V) / nB) * st.act[2 * id] * perVol
            : (((1 - wb) * p.decayIl8 * V) / nE) * st.act[2 * id + 1] * perVol;
      }
      if (idx.cxcl12 >= 0 && t === ENDO) {
        const k = idx.cxcl12;
        const j = this.srcCount[k]++;
        this.srcVox[k][j] = v;
        this.srcRate[k][j] = ((p.decayCxcl12 * V) / nE) * st.adh[2 * id + 1] * perVol;
      }
    }
    if (idx.cxcl12 >= 0) {
      // VCAM1 is a contact molecule (VLA-4 on the LSC binds it on the endothelial surface; it does not diffuse):
      // an LSC meets the endothelial cells within adhesion reach (retentionAt). Lists per voxel, rows in order.
      const nv = this.grid.voxelCount;
      if (this.endoHead.length !== nv) this.endoHead = new Int32Array(nv);
      if (this.endoNext.length < s.count) {
        this.endoNext = new Int32Array(this.vox.length);
        this.endoVcam = new Float64Array(this.vox.length);
      }
      this.endoHead.fill(-1);
      for (let i = s.count - 1; i >= 0; i--) {
        if (s.type[i] !== ENDO) continue;
        const v = this.vox[i];
        this.endoNext[i] = this.endoHead[v];
        this.endoHead[v] = i;
        this.endoVcam[i] = st.adh[2 * s.id[i]];
      }
    }
  }

  /**
   * The VCAM1 an LSC (row i, voxel v) meets: the mean vcam1_endo of the endothelial cells in contact, centres within
   * spatial.mechanics.adhesion_reach x (r_i + r_j) (PhysiCell's adhesion distance, the network's edges), searched
   * in the voxels around v; 1 (baseline: no deviation) without contact. Cells at one point, as in a well-mixed
   * domain, all touch: the mean is the endothelium's, the niche model's vcam1_endo.
   */
  private vcamAt(v: number, i: number): number {
    const s = this.store;
    const g = this.grid;
    const reachF = this.params.adhesionReach;
    const rmax = reachF * (s.radius[i] + this.params.radius.endo);
    const xi = s.x[i];
    const yi = s.y[i];
    const zi = s.z[i];
    const cx = v % g.nx;
    const cyz = (v - cx) / g.nx;
    const cy = cyz % g.ny;
    const cz = (cyz - cy) / g.ny;
    const ax = Math.ceil(rmax / g.dx);
    const ay = g.ny > 1 ? Math.ceil(rmax / g.dy) : 0;
    const az = g.nz > 1 ? Math.ceil(rmax / g.dz) : 0;
    let sum = 0;
    let n = 0;
    for (let kz = Math.max(0, cz - az); kz <= Math.min(g.nz - 1, cz + az); kz++)
      for (let ky = Math.max(0, cy - ay); ky <= Math.min(g.ny - 1, cy + ay); ky++)
        for (let kx = Math.max(0, cx - ax); kx <= Math.min(g.nx - 1, cx + ax); kx++)
          for (let j = this.endoHead[kx + g.nx * (ky + g.ny * kz)]; j >= 0; j = this.endoNext[j]) {
            const dx = xi - s.x[j];
            const dy = yi - s.y[j];
            const dz = zi - s.z[j];
            const r = reachF * (s.radius[i] + s.radius[j]);
            if (dx * dx + dy * dy + dz * dz > r * r) continue;
            sum += this.endoVcam[j];
            n++;
          }
    return n > 0 ? sum / n : 1;
  }

  /** LSC chemotaxis directions: the unit CXCL12 gradient at each LSC's voxel (zero where flat). */
  private chemotaxisDirections(): void {
    const s = this.store;
    const u = this.fields.field(this.fieldIndex.cxcl12);
    const g = this.grad;
    const { cx, cy, cz, type } = s;
    for (let i = 0; i < s.count; i++) {
      if (type[i] !== LSC) continue;
      gradientAt(this.grid, u, this.vox[i], g);
      const norm = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
      if (norm > 0) {
        cx[i] = g[0] / norm;
        cy[i] = g[1] / norm;
        cz[i] = g[2] / norm;
      } else cx[i] = cy[i] = cz[i] = 0;
    }
  }

  /**
   * The niche model's LSC retention R = R_il8 + R_adh (src/niche/niche-cells.ts) from the local IL-8 and CXCL12
   * levels: I = max(il8 - 1, 0), D = (vcam1 + cxcl12)/2 - 1 with vcam1 the mean vcam1_endo of the endothelial
   * cells the LSC touches (vcamAt; 1 without contact: no deviation). 0 without chemokine fields.
   */
  /**
   * Survival signal S of an untreated leukaemic cell (src/niche/niche-cells.ts): the A1 anti-apoptotic arm from the
   * cell's own A1 effect `a1` (same saturation, its own maximum) and IL-8/CXCR1-2 survival from the local IL-8.
   */
  private survivalAt(v: number, a1: number): number {
    const sv = this.params.survival;
    const emaxA1 = this.params.cargo.emax.a1 ?? 0;
    let S = emaxA1 > 0 ? (sv.emaxA1s * a1) / emaxA1 : 0;
    const il8 = this.fieldIndex.il8;
    if (il8 >= 0) {
      const I = Math.max(this.fields.field(il8)[v] + this.il8Offset - 1, 0);
      S += (this.niche.feedbacks['il8-cxcr-retention'] * sv.smaxIl8 * I) / (this.params.fb.kIl8 + I);
    }
    return S;
  }

  private retentionAt(v: number, i: number): number {
    const idx = this.fieldIndex;
    const fb = this.params.fb;
    const scale = this.niche.feedbacks;
    let R = 0;
    if (idx.il8 >= 0) {
      const I = Math.max(this.fields.field(idx.il8)[v] + this.il8Offset - 1, 0);
      R += (scale['il8-cxcr-retention'] * fb.rmaxIl8 * I) / (fb.kIl8 + I);
    }
    if (idx.cxcl12 >= 0) {
      const vcam = this.vcamAt(v, i);
      const D = (vcam + this.fields.field(idx.cxcl12)[v] + this.cxcl12Offset) / 2 - 1;
      R += (scale['vcam1-cxcl12-retention'] * fb.rmaxAdh * D) / (fb.kAdh + Math.abs(D));
    }
    return R;
  }

  // --- read-outs ---

  /** Per-id state of one agent (for read-outs and tests). */
  cell(id: number): {
    type: CellType;
    cycling: boolean;
    cargo: [number, number, number];
    activation: [number, number];
    /** Endothelial adhesion states [vcam1_endo, cxcl12_endo] (1 for other types). */
    adhesion: [number, number];
    quiescence: number;
    protection: number;
    proliferation: number;
    tki: number;
    hypoxia: number;
    uptakeCml: number;
    uptakeBmsc: number;
  } {
    const i = this.store.indexOf(id);
    if (i < 0) throw new SpatialError(`no live agent with id ${id}`);
    const st = this.st;
    return {
      type: CELL_TYPES[this.store.type[i]],
      cycling: st.cycling[id] === 1,
      cargo: [st.cargo[3 * id], st.cargo[3 * id + 1], st.cargo[3 * id + 2]],
      activation: [st.act[2 * id], st.act[2 * id + 1]],
      adhesion: [st.adh[2 * id], st.adh[2 * id + 1]],
      quiescence: st.q[id],
      protection: st.p[id],
      proliferation: st.a[id],
      tki: st.tki[id],
      hypoxia: st.hyp[id],
      uptakeCml: st.uCml[id],
      uptakeBmsc: st.uBmsc[id],
    };
  }

  /**
   * One entry per live agent, ascending id (so a snapshot does not depend on the store's row order): position,
   * radius, type index (CELL_TYPES), and the rule state. Activation columns are NaN where a type has none
   * (il8: BMSCs and endothelium; support: BMSCs; vasc: endothelium); cycling is 1 for cycling LSCs only.
   */
  agentColumns(): AgentColumns {
    const s = this.store;
    const n = s.count;
    const rows = Array.from({ length: n }, (_, i) => i).sort((a, b) => s.id[a] - s.id[b]);
    const f = () => new Float64Array(n);
    const out: AgentColumns = {
      id: new Int32Array(n),
      type: new Int32Array(n),
      x: f(),
      y: f(),
      z: f(),
      radius: f(),
      cycling: new Uint8Array(n),
      quiescence: f(),
      protection: f(),
      proliferation: f(),
      tki: f(),
      hypoxia: f(),
      uptakeCml: f(),
      uptakeBmsc: f(),
      cargoCml: f(),
      cargoLsc: f(),
      cargoBmsc: f(),
      il8: f(),
      support: f(),
      vasc: f(),
    };
    const st = this.st;
    for (let k = 0; k < n; k++) {
      const i = rows[k];
      const id = s.id[i];
      const t = s.type[i];
      out.id[k] = id;
      out.type[k] = t;
      out.x[k] = s.x[i];
      out.y[k] = s.y[i];
      out.z[k] = s.z[i];
      out.radius[k] = s.radius[i];
      out.cycling[k] = t === LSC ? st.cycling[id] : 0;
      out.quiescence[k] = st.q[id];
      out.protection[k] = st.p[id];
      out.proliferation[k] = st.a[id];
      out.tki[k] = st.tki[id];
      out.hypoxia[k] = st.hyp[id];
      out.uptakeCml[k] = st.uCml[id];
      out.uptakeBmsc[k] = st.uBmsc[id];
      out.cargoCml[k] = st.cargo[3 * id];
      out.cargoLsc[k] = st.cargo[3 * id + 1];
      out.cargoBmsc[k] = st.cargo[3 * id + 2];
      out.il8[k] = t === BMSC ? st.act[2 * id] : t === ENDO ? st.act[2 * id + 1] : Number.NaN;
      out.support[k] = t === BMSC ? st.act[2 * id + 1] : Number.NaN;
      out.vasc[k] = t === ENDO ? st.act[2 * id] : Number.NaN;
    }
    return out;
  }

  /** Ids of the live agents, in row order. */
  ids(): number[] {
    return Array.from(this.store.id.subarray(0, this.store.count));
  }

  // --- checkpoint / restart ---

  /** A copy of the complete state: agents with their stream positions, per-cell rule state, fields, time. */
  checkpoint(): SpatialCheckpoint {
    const s = this.store;
    const n = s.count;
    const F = F64_NAMES.length;
    const I = I32_NAMES.length;
    const f64 = new Float64Array(F * n);
    const i32 = new Int32Array(I * n);
    const u8 = new Uint8Array(U8_NAMES.length * n);
    const cols = s as unknown as Record<string, Float64Array>;
    const icols = s as unknown as Record<string, Int32Array>;
    const ucols = s as unknown as Record<string, Uint8Array>;
    F64_NAMES.forEach((c, k) => f64.set(cols[c].subarray(0, n), k * n));
    I32_NAMES.forEach((c, k) => i32.set(icols[c].subarray(0, n), k * n));
    U8_NAMES.forEach((c, k) => u8.set(ucols[c].subarray(0, n), k * n));
    const perId: Record<string, ArrayLike<number>> = {};
    const st = this.st as unknown as Record<string, Float64Array>;
    for (const [name, stride] of PER_ID_COLUMNS) perId[name] = st[name].slice(0, stride * this.nextId);
    return {
      version: 1,
      time: this.time,
      phenotypeSteps: this.phenotypeSteps,
      mechanicsSteps: this.mechanics?.steps ?? 0,
      nextId: this.nextId,
      count: n,
      f64,
      i32,
      u8,
      perId,
      fields: this.fields.data.slice(),
      vesselBaseline: this.vesselBaseline,
      influxBlock: this.influxBlock,
      ...(this.opts.lineage ? { lineageY2: this.y2, lineageY3: this.y3 } : {}),
    };
  }

  /**
   * A niche built with the same knowledge base and options, in the checkpoint's state. `engine` and `agents` as
   * for the constructor (createParallelSpatial(kb, options, 2, cp) restores onto two threads); the result does not
   * depend on them.
   */
  static restore(
    kb: KnowledgeBase,
    options: SpatialOptions,
    cp: SpatialCheckpoint,
    engine?: FieldEngine,
    agents?: AgentEngine,
  ): SpatialNiche {
    if (cp.version !== 1) throw new SpatialError(`checkpoint version ${cp.version}: expected 1`);
    const sim = new SpatialNiche(kb, options, engine, agents);
    if (cp.fields.length !== sim.fields.data.length)
      throw new SpatialError(
        `checkpoint fields hold ${cp.fields.length} values; these options give ${sim.fields.data.length}`,
      );
    const n = cp.count;
    const s = sim.store;
    s.reserve(n);
    const idCol = I32_NAMES.indexOf('id');
    for (let i = 0; i < n; i++) s.add({ id: cp.i32[idCol * n + i], x: 0, y: 0, radius: 1 });
    const cols = s as unknown as Record<string, Float64Array>;
    const icols = s as unknown as Record<string, Int32Array>;
    const ucols = s as unknown as Record<string, Uint8Array>;
    F64_NAMES.forEach((c, k) => cols[c].set(cp.f64.subarray(k * n, (k + 1) * n)));
    I32_NAMES.forEach((c, k) => icols[c].set(cp.i32.subarray(k * n, (k + 1) * n)));
    U8_NAMES.forEach((c, k) => ucols[c].set(cp.u8.subarray(k * n, (k + 1) * n)));
    sim.nextId = cp.nextId;
    sim.st.ensure(Math.max(0, cp.nextId - 1));
    const st = sim.st as unknown as Record<string, Float64Array>;
    for (const [name] of PER_ID_COLUMNS) {
      const col = cp.perId[name] as ArrayLike<number> | undefined;
      // A checkpoint from before the endothelial adhesion states: they were at baseline (1).
      if (col === undefined && name === 'adh') st[name].fill(1);
      else st[name].set(col as ArrayLike<number>);
    }
    sim.fields.data.set(cp.fields);
    sim.time = cp.time;
    sim.vesselBaseline = cp.vesselBaseline ?? 0;
    sim.influxBlock = cp.influxBlock ?? 0;
    if (options.lineage) {
      if (cp.lineageY2 === undefined || cp.lineageY3 === undefined)
        throw new SpatialError(
          'checkpoint has no lineage state (y2, y3) but the options turn the lineage on',
        );
      sim.y2 = cp.lineageY2;
      sim.y3 = cp.lineageY3;
    }
    sim.phenotypeSteps = cp.phenotypeSteps;
    if (sim.mechanics) sim.mechanics.steps = cp.mechanicsSteps;
    sim.rebuildRows();
    return sim;
  }
}

const F64_NAMES = F64_COLUMNS;
const I32_NAMES = I32_COLUMNS;
const U8_NAMES = U8_COLUMNS;

/**
 * Who runs the mechanics: e.g. ParallelMechanics on two threads (src/spatial/parallel.ts), which needs the agent
 * store in a SharedArrayBuffer. Must give the same bits as `new Mechanics(store, options)`.
 */
export interface AgentEngine {
  readonly shared: boolean;
  readonly create: (store: AgentStore, options: MechanicsOptions) => Mechanics;
}

/**
 * Who advances the fields, built elsewhere: e.g. ParallelFieldSolver over a SharedArrayBuffer with a worker thread
 * (src/spatial/parallel.ts). Its solver has the options' field layout (fieldLayout) at dtDiffusion and its step
 * multiples are fieldStepMultiples; it must give the same bits as a SerialFieldRunner over such a solver.
 */
export interface FieldEngine extends FieldRunner {
  /** Base steps per step of each substrate (multirate). */
  readonly every: Int32Array;
}

/**
 * Base steps (dtDiffusion) per field step: dtExosome / dtDiffusion for the exosome fields and the hypoxic cargo
 * (slow diffusion: D dt / h^2 = 0.01 at 0.01 min and 20 um), 1 for the rest. Checks that dtExosome is a multiple of
 * dtDiffusion dividing dtMechanics.
 */
export function fieldStepMultiples(layout: FieldLayout, options: SpatialOptions): number[] {
  const dtD = options.dtDiffusion ?? 0.1;
  const dtM = options.dtMechanics ?? 0.1;
  const dtE = options.dtExosome ?? dtD;
  const multiple = (a: number, b: number, what: string) => {
    const r = a / b;
    if (!(a > 0 && b > 0) || Math.abs(r - Math.round(r)) > 1e-9 || Math.round(r) < 1)
      throw new SpatialError(`${what}: ${a} min must be a positive multiple of ${b} min`);
    return Math.round(r);
  };
  const e = multiple(dtE, dtD, 'dtExosome');
  multiple(dtM, dtE, 'dtMechanics (a multiple of dtExosome)');
  const out = layout.substrates.map(() => 1);
  for (const k of [...EXOSOME_FIELDS, 'cml_hyp'] as const) if (layout.index[k] >= 0) out[layout.index[k]] = e;
  return out;
}

export interface FieldLayout {
  readonly grid: GridOptions;
  readonly substrates: SubstrateSpec[];
  readonly index: Record<ExosomeField | 'cml_hyp' | 'oxygen' | 'drug' | 'il8' | 'cxcl12', number>;
}

/** The grid and the substrates (with their indices) that a set of options needs. */
export function fieldLayout(p: SpatialParams, options: SpatialOptions): FieldLayout {
  const d = options.dims;
  const { lo, hi } = options.domain;
  const shape: number[] = [];
  const spacing: number[] = [];
  for (let a = 0; a < d; a++) {
    const L = hi[a] - lo[a];
    if (options.voxel === 'single') {
      shape.push(1);
      spacing.push(L);
    } else {
      const n = Math.round(L / options.voxel);
      if (!(options.voxel > 0) || Math.abs(n * options.voxel - L) > 1e-9 * L || n < 1)
        throw new SpatialError(`voxel ${options.voxel} um must divide the domain edge ${L} um`);
      shape.push(n);
      spacing.push(options.voxel);
    }
  }

  // In vivo, clearance with uptake lumped in (niche.exo.clearance); in culture none (src/experiments/culture.ts:
  // no extracellular half-life at 37 C was found, so released exosomes accumulate in the medium).
  const exoDecay = p.setting === 'in-vitro' ? 0 : p.kClear;
  const subs: SubstrateSpec[] = EXOSOME_FIELDS.map((name) => ({
    name,
    diffusion: p.dExosome,
    decay: exoDecay,
  }));
  const index = { cml: 0, lsc: 1, bmsc: 2, cml_hyp: -1, oxygen: -1, drug: -1, il8: -1, cxcl12: -1 };
  const faces = (value: number) =>
    Object.fromEntries(
      ['xmin', 'xmax', 'ymin', 'ymax', 'zmin', 'zmax']
        .slice(0, 2 * d)
        .map((f) => [f, { kind: 'dirichlet', value }]),
    );
  if (options.oxygen) {
    index.cml_hyp = subs.length;
    subs.push({ name: 'cml_hyp', diffusion: p.dExosome, decay: exoDecay });
    index.oxygen = subs.length;
    subs.push({
      name: 'oxygen',
      diffusion: p.dOxygen,
      decay: p.decayOxygen,
      initial: options.oxygen.boundary,
      boundary: faces(options.oxygen.boundary),
    });
  }
  if (options.drug) {
    if (!(options.drug.nM >= 0)) throw new SpatialError(`drug.nM ${options.drug.nM}: expected >= 0`);
    // A uniform supply with no consumption stays uniform: no field, every cell sees options.drug.nM.
    if ((options.drug.supply ?? 'uniform') === 'boundary') {
      index.drug = subs.length;
      subs.push({ name: 'drug', diffusion: p.dDrug, decay: 0, initial: 0, boundary: faces(options.drug.nM) });
    }
  }
  if (options.chemokines?.il8) {
    index.il8 = subs.length;
    subs.push({ name: 'il8', diffusion: p.dChemokine, decay: p.decayIl8 });
  }
  if (options.chemokines?.cxcl12) {
    index.cxcl12 = subs.length;
    subs.push({ name: 'cxcl12', diffusion: p.dChemokine, decay: p.decayCxcl12 });
  }
  return { grid: { shape, spacing, origin: [...lo] }, substrates: subs, index };
}
