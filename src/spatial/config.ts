/**
 * Spatial run files (`exoniche spatial RUN.yaml`, docs/spatial.md "Running from the command line"): YAML -> the
 * SpatialOptions of model.ts, the initial cells and the run's duration and snapshot interval. Pure (no file access:
 * the CLI reads the file). Every problem becomes a diagnostic `file:line:col: error: field.path: message`, found with
 * the `yaml` package's LineCounter and the knowledge base's positionOf, the same way scenario files report theirs.
 *
 * Cell generators place `count` cells uniformly in a box or a disc (a ball in 3D) from the keyed stream
 * (seed, 'spatial-config', generator index), so the same file and seed always give the same cells.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../knowledge/errors.js';
import type { KnowledgeBase } from '../knowledge/load.js';
import { positionOf } from '../knowledge/parse.js';
import { closestNames } from '../knowledge/query.js';
import { resolveOptions } from '../niche/options.js';
import { deriveStreamKey } from '../numerics/random/keys.js';
import { RandomStream } from '../numerics/random/stream.js';
import { type AddCell, CELL_TYPES, EXOSOME_FIELDS, type SpatialOptions } from './model.js';
import { drugAction } from './params.js';

export interface SpatialConfigDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path, e.g. `cells[1].region.box.hi` (empty for syntax errors). */
  readonly path: string;
  readonly message: string;
}

export function formatSpatialDiagnostic(d: SpatialConfigDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: error: ${d.path ? `${d.path}: ` : ''}${d.message}`;
}

export class SpatialConfigError extends Error {
  override name = 'SpatialConfigError';
  constructor(readonly diagnostics: readonly SpatialConfigDiagnostic[]) {
    super(diagnostics.map(formatSpatialDiagnostic).join('\n') || 'invalid spatial run file');
  }
}

const pos = z.number().positive();
const coords = z.array(z.number()).min(2).max(3);
const onOff = z.union([z.boolean(), z.number().min(0)]);

const Box = z.strictObject({ lo: coords, hi: coords });
const Disc = z.strictObject({ centre: coords, radius: pos });
const Region = z.union([z.strictObject({ box: Box }), z.strictObject({ disc: Disc })], {
  error: 'expected { box: { lo, hi } } or { disc: { centre, radius } }',
});
const CellTypeName = z.enum(CELL_TYPES);

const ExplicitCell = z.strictObject({
  type: CellTypeName,
  x: z.number(),
  y: z.number(),
  z: z.number().optional(),
  quiescent: z.boolean().optional(),
});
const Generator = z.strictObject({
  type: CellTypeName,
  count: z.number().int().min(0),
  region: Region,
  quiescent: z.boolean().optional(),
});

/** The run file's schema (docs/spatial.md "Running from the command line"). */
export const SpatialRunFile = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  seed: z.number().int().min(0),
  domain: z.strictObject({
    dims: z.union([z.literal(2), z.literal(3)]),
    /** Edge lengths (um); the domain spans [0, size]. */
    size: coords,
    voxel: z.union([pos, z.literal('single')], { error: "expected a voxel edge > 0 (um) or 'single'" }),
    depth: pos.optional(),
  }),
  time: z
    .strictObject({
      dtDiffusion: pos.optional(),
      dtMechanics: pos.optional(),
      dtPhenotype: pos.optional(),
      dtExosome: pos.optional(),
    })
    .optional(),
  duration: z.union([z.strictObject({ hours: pos }), z.strictObject({ days: pos })], {
    error: 'expected { hours: H } or { days: D } (> 0)',
  }),
  /** Hours between snapshots (and checkpoints). */
  snapshotEvery: pos,
  lscCapacity: pos,
  normalCapacity: pos.optional(),
  patient: z.number().int().min(1).optional(),
  setting: z.enum(['in-vivo', 'in-vitro']).optional(),
  mechanics: z.boolean().optional(),
  sortRowsEvery: z.number().int().min(0).optional(),
  drug: z
    .strictObject({
      name: z.string().min(1),
      nM: z.number().min(0),
      supply: z.enum(['uniform', 'boundary']).optional(),
    })
    .optional(),
  oxygen: z.strictObject({ boundary: z.number().min(0) }).optional(),
  chemokines: z.strictObject({ il8: z.boolean().optional(), cxcl12: z.boolean().optional() }).optional(),
  vessels: z
    .union([z.boolean(), z.strictObject({ baseline: z.number().int().positive().optional() })])
    .optional(),
  immune: z.union([z.boolean(), z.strictObject({ scale: pos.optional() })]).optional(),
  /** In vivo: leukaemic progenitors as agents, y2 / y3 as counts (initial values, default 0). */
  lineage: z
    .union([
      z.boolean(),
      z.strictObject({ y2: z.number().min(0).optional(), y3: z.number().min(0).optional() }),
    ])
    .optional(),
  /** In vitro: the cell line (cml cells) divides and dies; capacity default lscCapacity. */
  cmlCycle: z.union([z.boolean(), z.strictObject({ capacity: pos.optional() })]).optional(),
  held: z
    .strictObject(Object.fromEntries(EXOSOME_FIELDS.map((f) => [f, z.number().min(0).optional()])))
    .optional(),
  membrane: z
    .strictObject({ axis: z.union([z.literal(0), z.literal(1), z.literal(2)]), at: z.number() })
    .optional(),
  niche: z
    .strictObject({
      exosomes: z.boolean().optional(),
      channels: z.record(z.string(), onOff).optional(),
      feedbacks: z.record(z.string(), onOff).optional(),
      hypoxia: z.number().min(0).max(1).optional(),
      interventions: z.record(z.string(), z.number()).optional(),
    })
    .optional(),
  cells: z
    .array(
      z.union([ExplicitCell, Generator], {
        error:
          'expected a cell { type, x, y[, z][, quiescent] } or a generator { type, count, region[, quiescent] }',
      }),
    )
    .min(1),
});
export type SpatialRunFile = z.infer<typeof SpatialRunFile>;

/** A validated run file, ready to build: the niche's options, its initial cells and the run's schedule. */
export interface SpatialRunConfig {
  readonly name: string;
  readonly file: SpatialRunFile;
  readonly options: SpatialOptions;
  readonly cells: readonly AddCell[];
  /** Simulated minutes in all, and between snapshots; both whole numbers of phenotype steps. */
  readonly durationMin: number;
  readonly snapshotMin: number;
  /** Phenotype steps between snapshots, and snapshots after t = 0. */
  readonly stepsPerSnapshot: number;
  readonly snapshots: number;
}

/** Parses and validates a spatial run file; `file` names it in messages. Throws SpatialConfigError. */
export function parseSpatialRun(text: string, file: string, kb: KnowledgeBase): SpatialRunConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new SpatialConfigError(
      doc.errors.map((e) => {
        const p = lines.linePos(e.pos[0]);
        return { file, line: p.line, column: p.col, path: '', message: e.message.split('\n')[0] };
      }),
    );
  const at = (path: readonly PropertyKey[], message: string): SpatialConfigDiagnostic => {
    const p = positionOf(doc, lines, path);
    return { file, line: p.line, column: p.col, path: formatPath(path), message };
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new SpatialConfigError([at([], (e as Error).message)]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SpatialConfigError([
      at([], 'a spatial run file is a YAML mapping (seed: ..., domain: ..., cells: ...)'),
    ]);
  const r = SpatialRunFile.safeParse(raw);
  if (!r.success) {
    const diags: SpatialConfigDiagnostic[] = [];
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const near = closestNames(key, knownKeys(issue.path));
          const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : '';
          diags.push(at([...issue.path, key], `unknown field '${key}'${hint}`));
        }
      } else if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined)
        diags.push(at(issue.path, `missing field (${issue.message})`));
      else diags.push(at(issue.path, issue.message));
    }
    throw new SpatialConfigError(diags.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  const f = r.data;
  const diags: SpatialConfigDiagnostic[] = [];
  const d = f.domain.dims;
  if (f.domain.size.length !== d)
    diags.push(at(['domain', 'size'], `expected ${d} edge lengths (dims ${d})`));
  f.domain.size.forEach((s, a) => {
    if (!(s > 0)) diags.push(at(['domain', 'size', a], `edge ${s}: expected > 0 um`));
  });
  const size = f.domain.size;
  const inside = (c: readonly number[], path: readonly PropertyKey[]) => {
    if (c.length !== d) diags.push(at(path, `expected ${d} coordinates (dims ${d})`));
    else if (c.some((v, a) => !(v >= 0 && v <= size[a])))
      diags.push(at(path, `[${c.join(', ')}] lies outside the domain [0, ${size.join('] x [0, ')}]`));
  };
  f.cells.forEach((c, i) => {
    if ('region' in c) {
      if ('box' in c.region) {
        const { lo, hi } = c.region.box;
        inside(lo, ['cells', i, 'region', 'box', 'lo']);
        inside(hi, ['cells', i, 'region', 'box', 'hi']);
        if (lo.some((v, a) => !(hi[a] > v)))
          diags.push(at(['cells', i, 'region', 'box'], 'hi must exceed lo on every axis'));
      } else inside(c.region.disc.centre, ['cells', i, 'region', 'disc', 'centre']);
    } else inside(d === 3 ? [c.x, c.y, c.z ?? 0] : [c.x, c.y], ['cells', i]);
  });
  if (f.membrane && f.membrane.axis >= d) diags.push(at(['membrane', 'axis'], `expected an axis below ${d}`));
  const setting = f.setting ?? 'in-vivo';
  if (f.lineage && setting !== 'in-vivo')
    diags.push(
      at(['lineage'], `leukaemic progenitors are an in-vivo rule: needs setting 'in-vivo', not '${setting}'`),
    );
  if (f.cmlCycle && setting !== 'in-vitro')
    diags.push(
      at(['cmlCycle'], `the cell line cycles in vitro only: needs setting 'in-vitro', not '${setting}'`),
    );
  if (f.drug) {
    try {
      drugAction(kb, f.drug.name);
    } catch (e) {
      diags.push(
        at(['drug', 'name'], `unknown or incomplete drug '${f.drug.name}' (${(e as Error).message})`),
      );
    }
  }
  if (f.niche) {
    try {
      resolveOptions(f.niche);
    } catch (e) {
      diags.push(at(['niche'], (e as Error).message));
    }
  }
  const dtPhenotype = f.time?.dtPhenotype ?? 6;
  const durationMin = 'hours' in f.duration ? 60 * f.duration.hours : 1440 * f.duration.days;
  const snapshotMin = 60 * f.snapshotEvery;
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9 && Math.round(x) >= 1;
  if (!whole(snapshotMin / dtPhenotype) || !whole(snapshotMin))
    diags.push(
      at(
        ['snapshotEvery'],
        `${f.snapshotEvery} h: expected whole minutes and a multiple of dtPhenotype ${dtPhenotype} min`,
      ),
    );
  else if (!whole(durationMin / snapshotMin))
    diags.push(
      at(
        ['duration'],
        `${durationMin} min: expected a whole number of snapshot intervals (${snapshotMin} min)`,
      ),
    );
  if (diags.length > 0)
    throw new SpatialConfigError(diags.sort((a, b) => a.line - b.line || a.column - b.column));

  const options: SpatialOptions = {
    dims: d,
    domain: { lo: size.map(() => 0), hi: [...size] },
    voxel: f.domain.voxel,
    ...(f.domain.depth !== undefined ? { depth: f.domain.depth } : {}),
    seed: f.seed,
    ...(f.time ?? {}),
    lscCapacity: f.lscCapacity,
    ...pick(f, ['normalCapacity', 'patient', 'setting', 'mechanics', 'sortRowsEvery', 'drug', 'oxygen']),
    ...pick(f, ['chemokines', 'held', 'membrane', 'niche']),
    ...(f.vessels ? { vessels: f.vessels === true ? {} : f.vessels } : {}),
    ...(f.immune ? { immune: f.immune === true ? {} : f.immune } : {}),
    ...(f.lineage ? { lineage: f.lineage === true ? {} : f.lineage } : {}),
    ...(f.cmlCycle ? { cmlCycle: f.cmlCycle === true ? {} : f.cmlCycle } : {}),
  } as SpatialOptions;
  return {
    name: f.name ?? 'spatial',
    file: f,
    options,
    cells: initialCells(f),
    durationMin,
    snapshotMin,
    stepsPerSnapshot: Math.round(snapshotMin / dtPhenotype),
    snapshots: Math.round(durationMin / snapshotMin),
  };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The cells of the file in order: explicit ones as given, generated ones from their keyed streams. */
export function initialCells(f: SpatialRunFile): AddCell[] {
  const out: AddCell[] = [];
  const d = f.domain.dims;
  f.cells.forEach((c, i) => {
    if (!('region' in c)) {
      out.push(
        c.quiescent !== undefined
          ? { ...c }
          : { type: c.type, x: c.x, y: c.y, ...(c.z !== undefined ? { z: c.z } : {}) },
      );
      return;
    }
    const rng = new RandomStream(
      deriveStreamKey(f.seed, [
        ['purpose', 'spatial-config'],
        ['generator', i],
      ]),
    );
    const p = [0, 0, 0];
    for (let k = 0; k < c.count; k++) {
      if ('box' in c.region) {
        const { lo, hi } = c.region.box;
        for (let a = 0; a < d; a++) p[a] = lo[a] + (hi[a] - lo[a]) * rng.nextFloat64();
      } else {
        // Rejection from the bounding cube, clipped to the domain: uniform over the disc's part inside it.
        const { centre, radius } = c.region.disc;
        for (;;) {
          let r2 = 0;
          for (let a = 0; a < d; a++) {
            const u = 2 * rng.nextFloat64() - 1;
            p[a] = centre[a] + radius * u;
            r2 += u * u;
          }
          let ok = r2 <= 1;
          for (let a = 0; a < d && ok; a++) ok = p[a] >= 0 && p[a] <= f.domain.size[a];
          if (ok) break;
        }
      }
      out.push({
        type: c.type,
        x: p[0],
        y: p[1],
        ...(d === 3 ? { z: p[2] } : {}),
        ...(c.quiescent !== undefined ? { quiescent: c.quiescent } : {}),
      });
    }
  });
  return out;
}

interface SchemaNode {
  readonly shape?: Record<string, SchemaNode>;
  readonly _zod?: {
    readonly def: {
      readonly innerType?: SchemaNode;
      readonly element?: SchemaNode;
      readonly options?: readonly SchemaNode[];
    };
  };
}

/** Field names accepted at `path` (for 'did you mean'): the union of the object shapes reachable there. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let nodes: SchemaNode[] = [SpatialRunFile as unknown as SchemaNode];
  const expand = (ns: SchemaNode[]): SchemaNode[] =>
    ns.flatMap((n) => {
      const def = n._zod?.def;
      if (def?.innerType) return expand([def.innerType]);
      if (def?.options) return expand([...def.options]);
      return [n];
    });
  for (const p of path) {
    nodes = expand(nodes).flatMap((n) => {
      if (typeof p === 'number' && n._zod?.def.element) return [n._zod.def.element];
      const s = typeof p === 'string' ? n.shape?.[p] : undefined;
      return s ? [s] : [];
    });
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.shape ?? {})))];
}
