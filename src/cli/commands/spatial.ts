/**
 * `exoniche spatial RUN.yaml [--out DIR] [--threads 1|2] [--force]`: a spatial niche run from a run file
 * (src/spatial/config.ts, docs/spatial.md "Running from the command line").
 *
 * The run fills a work folder `<out>.partial` (snapshots/agents-<min>.arrow, snapshots/fields-<min>.bin and
 * checkpoint.bin after each snapshot, each file written atomically) and, once complete, the whole folder with
 * summary.json and manifest.json goes into place with writeFolderAtomic (src/io/run-folder.ts). Rerunning the same
 * command after an interruption resumes from checkpoint.bin, which holds the niche's complete state
 * (SpatialNiche.checkpoint(), random stream positions included), so the result is the same bytes as an
 * uninterrupted run. `--stop-after K` stops after K snapshots of this invocation (an interruption on purpose).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { canonicalJson, parameterHash, type RunManifest, sha256 } from '../../io/manifest.js';
import { type FolderFiles, RunFolderError, writeFolderAtomic } from '../../io/run-folder.js';
import { type KnowledgeBase, KnowledgeError, loadKnowledgeBase } from '../../knowledge/index.js';
import { parseSpatialRun, SpatialConfigError, type SpatialRunConfig } from '../../spatial/config.js';
import { effectiveQuantities } from '../../spatial/link.js';
import { type SpatialCheckpoint, SpatialError, type SpatialNiche } from '../../spatial/model.js';
import { createParallelSpatial } from '../../spatial/parallel.js';
import { agentSnapshot, fieldSnapshot } from '../../spatial/snapshot.js';
import { VERSION } from '../../version.js';
import { CliError, EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { intOption, readText } from '../run-folder-options.js';
import { commandLine, displayPath, RUNS_DIR } from './run.js';

interface SpatialFlags {
  out?: string;
  threads?: string;
  force?: boolean;
  stopAfter?: string;
  quiet?: boolean;
}

export function registerSpatial(program: Command): void {
  program
    .command('spatial')
    .description(
      'run a spatial niche (agents and fields) from a run file; a rerun resumes an interrupted run',
    )
    .argument('<run>', 'spatial run file (YAML, docs/spatial.md)')
    .option('--out <dir>', `run folder (default: ${RUNS_DIR}/<name>-<first 12 hex of the input sha256>)`)
    .option('--threads <n>', 'threads: 1 or 2 (the same bytes either way)', '1')
    .option('--force', 'replace an existing run folder, or a work folder of another input')
    .option('--stop-after <k>', 'stop after writing k snapshots (the work folder stays; rerun to resume)')
    .option('--quiet', 'no progress line')
    .action(async (file: string, flags: SpatialFlags, cmd: Command) => {
      await spatialCommand(file, flags, commandLine(cmd));
    });
}

/** Minutes as a zero-padded file name stem (sorts in time order). */
const stamp = (min: number) => String(Math.round(min)).padStart(7, '0');

async function spatialCommand(file: string, flags: SpatialFlags, command: string): Promise<void> {
  const t0 = performance.now();
  const threads = flags.threads === '1' ? 1 : flags.threads === '2' ? 2 : undefined;
  if (threads === undefined)
    throw new CliError(`--threads: expected 1 or 2, got '${flags.threads}'`, EXIT.usage);
  const stopAfter = intOption('--stop-after', flags.stopAfter, 1);
  const text = readText(file);
  const kb = loadKb();
  let cfg: SpatialRunConfig;
  try {
    cfg = parseSpatialRun(text, file, kb);
  } catch (err) {
    if (err instanceof SpatialConfigError) throw new CliError(err.message, EXIT.dataError);
    throw err;
  }
  const inputSha = sha256(text);
  const optionsHash = sha256(canonicalJson({ options: cfg.options, cells: cfg.cells }));
  const out =
    flags.out ?? join(RUNS_DIR, `${cfg.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-${inputSha.slice(0, 12)}`);
  if (existsSync(out) && !flags.force)
    throw new CliError(`${displayPath(out)} already exists (use --force to replace it)`, EXIT.cantCreate);
  const work = `${resolve(out)}.partial`;
  const cpPath = join(work, 'checkpoint.bin');

  // Resume from the work folder's checkpoint when it is of this input; otherwise start afresh.
  let resumed: { cp: SpatialCheckpoint; snapshot: number } | undefined;
  if (existsSync(cpPath)) {
    const c = decodeCheckpoint(readFileSync(cpPath), cpPath);
    if (c.meta.optionsHash === optionsHash) resumed = { cp: c.checkpoint, snapshot: c.meta.snapshot };
    else if (!flags.force)
      throw new CliError(
        `${displayPath(work)} holds a run of another input (use --force to start afresh)`,
        EXIT.cantCreate,
      );
  }
  try {
    if (!resumed) rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'snapshots'), { recursive: true });
  } catch (err) {
    throw new CliError(`cannot create ${displayPath(work)}: ${(err as Error).message}`, EXIT.cantCreate);
  }

  const tLoad = performance.now();
  let sim: SpatialNiche;
  let close = async () => {};
  try {
    // A resumed run continues on the requested threads (the same bytes on one or two).
    const p = await createParallelSpatial(kb, cfg.options, threads, resumed?.cp);
    sim = p.sim;
    close = () => p.close();
    if (!resumed) for (const c of cfg.cells) sim.addCell(c);
  } catch (err) {
    await close();
    if (err instanceof SpatialError) throw new CliError(`${file}: ${err.message}`, EXIT.dataError);
    throw err;
  }

  const put = (rel: string, data: Uint8Array | string) => {
    try {
      writeFileAtomic(join(work, rel), data);
    } catch (err) {
      throw new CliError(
        `cannot write ${displayPath(join(work, rel))}: ${(err as Error).message}`,
        EXIT.cantCreate,
      );
    }
  };
  const snapshot = (k: number) => {
    const t = stamp(sim.time);
    put(`snapshots/agents-${t}.arrow`, agentSnapshot(sim));
    put(`snapshots/fields-${t}.bin`, fieldSnapshot(sim));
    put('checkpoint.bin', encodeCheckpoint(sim.checkpoint(), { optionsHash, inputSha, snapshot: k }));
  };

  const progress = createProgress({ quiet: flags.quiet === true, label: cfg.name });
  let k = resumed ? resumed.snapshot : 0;
  let written = 0;
  let stopped = false;
  try {
    if (!resumed) snapshot(0);
    while (k < cfg.snapshots) {
      for (let s = 0; s < cfg.stepsPerSnapshot; s++) {
        sim.step();
        progress.update((k * cfg.stepsPerSnapshot + s + 1) / (cfg.snapshots * cfg.stepsPerSnapshot));
      }
      k++;
      snapshot(k);
      written++;
      if (stopAfter !== undefined && written >= stopAfter && k < cfg.snapshots) {
        stopped = true;
        break;
      }
    }
  } finally {
    progress.done();
    await close();
  }
  const tSim = performance.now();
  if (stopped) {
    process.stderr.write(
      `exoniche: stopped after ${written} snapshot(s) at t = ${sim.time} min (--stop-after); ` +
        `rerun the same command to resume from ${displayPath(cpPath)}\n`,
    );
    return;
  }

  const counts = sim.counts();
  const summary = {
    name: cfg.name,
    timeMin: sim.time,
    counts,
    effective: effectiveQuantities(sim),
    ...(cfg.options.vessels ? { vessels: sim.vesselNetwork(), vesselBaseline: sim.vesselBaselineCount } : {}),
  };
  put('summary.json', `${JSON.stringify(summary, finite, 2)}\n`);
  const files: FolderFiles = new Map();
  for (const rel of listFiles(work)) files.set(rel, readFileSync(join(work, rel)));
  const timings = { loadMs: tLoad - t0, simulateMs: tSim - tLoad, totalMs: performance.now() - t0 };
  const manifest: RunManifest = {
    tool: 'exoniche',
    version: VERSION,
    command,
    createdAt: new Date().toISOString(),
    node: process.version,
    inputs: [{ path: file, sha256: inputSha }],
    parameters: numericLeaves(cfg.options),
    parameterHash: parameterHash(numericLeaves(cfg.options)),
    seed: cfg.file.seed,
    settings: {
      threads,
      optionsHash,
      durationMin: cfg.durationMin,
      snapshotEveryMin: cfg.snapshotMin,
      ...(resumed ? { resumedAtMin: resumed.cp.time } : {}),
    },
    outputs: [...files.keys(), 'manifest.json'].sort(),
    timings,
    result: { counts },
  };
  files.set('manifest.json', `${JSON.stringify(manifest, finite, 2)}\n`);
  try {
    writeFolderAtomic(out, files, { force: flags.force === true });
  } catch (err) {
    if (err instanceof RunFolderError) throw new CliError(err.message, EXIT.cantCreate);
    throw err;
  }
  rmSync(work, { recursive: true, force: true });
  if (!flags.quiet)
    process.stdout.write(
      `${cfg.name}: ${cfg.durationMin} min, ${cfg.snapshots + 1} snapshots in ${displayPath(out)} ` +
        `(${(timings.simulateMs / 1000).toFixed(1)} s${resumed ? `, resumed at ${resumed.cp.time} min` : ''})\n` +
        `cells: ${Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}\n`,
    );
}

function loadKb(): KnowledgeBase {
  try {
    return loadKnowledgeBase();
  } catch (err) {
    if (err instanceof KnowledgeError)
      throw new CliError(`invalid knowledge base:\n${err.message}`, EXIT.dataError);
    throw err;
  }
}

function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Numeric leaves of the options as `a.b[0]` -> value (the manifest's parameters). */
function numericLeaves(o: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof o === 'number') out[prefix] = o;
  else if (Array.isArray(o)) o.forEach((v, i) => numericLeaves(v, `${prefix}[${i}]`, out));
  else if (o && typeof o === 'object')
    for (const [k, v] of Object.entries(o)) numericLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

function finite(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

// --- checkpoint.bin ---

/** What a checkpoint file records besides the state: whose run it is and how many snapshots were written. */
export interface CheckpointMeta {
  readonly optionsHash: string;
  readonly inputSha: string;
  readonly snapshot: number;
}

const CP_MAGIC = 'EXNCKP01';
const ARRAY_TYPES = { Float64Array, Int32Array, Uint8Array, Int8Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

/**
 * checkpoint.bin: 8-byte magic `EXNCKP01`, a uint32 LE header length H, H bytes of JSON (meta, the checkpoint's
 * scalars and an entry {name, type, length, offset} per typed array), zero padding to 8 bytes, then the arrays'
 * bytes (little-endian, each at an 8-byte aligned offset from the start of the data). Exact: no value is rounded.
 */
export function encodeCheckpoint(cp: SpatialCheckpoint, meta: CheckpointMeta): Uint8Array {
  const arrays: [string, ArrayBufferView & ArrayLike<number>][] = [
    ['f64', cp.f64],
    ['i32', cp.i32],
    ['u8', cp.u8],
    ['fields', cp.fields],
    ...Object.entries(cp.perId).map(
      ([k, v]) => [`perId.${k}`, v] as [string, ArrayBufferView & ArrayLike<number>],
    ),
  ];
  let offset = 0;
  const entries = arrays.map(([name, a]) => {
    const type = a.constructor.name as ArrayTypeName;
    if (!(type in ARRAY_TYPES)) throw new Error(`checkpoint array ${name}: unsupported type ${type}`);
    const e = { name, type, length: a.length, offset };
    offset += Math.ceil(a.byteLength / 8) * 8;
    return e;
  });
  const { f64: _a, i32: _b, u8: _c, fields: _d, perId: _e, ...scalars } = cp;
  const header = new TextEncoder().encode(JSON.stringify({ meta, scalars, arrays: entries }));
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const bytes = new Uint8Array(start + offset);
  bytes.set(new TextEncoder().encode(CP_MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  arrays.forEach(([, a], i) => {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + entries[i].offset);
  });
  return bytes;
}

export function decodeCheckpoint(
  bytes: Uint8Array,
  source = 'checkpoint',
): { meta: CheckpointMeta; checkpoint: SpatialCheckpoint } {
  const bad = (why: string) => new CliError(`${source}: not a spatial checkpoint (${why})`, EXIT.dataError);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== CP_MAGIC) throw bad('magic');
  const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let head: {
    meta: CheckpointMeta;
    scalars: Record<string, number>;
    arrays: { name: string; type: ArrayTypeName; length: number; offset: number }[];
  };
  try {
    head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
  } catch {
    throw bad('header');
  }
  const start = Math.ceil((12 + h) / 8) * 8;
  const arrays: Record<string, ArrayLike<number>> = {};
  for (const e of head.arrays) {
    const T = ARRAY_TYPES[e.type];
    if (!T) throw bad(`array type ${e.type}`);
    const n = e.length * T.BYTES_PER_ELEMENT;
    if (start + e.offset + n > bytes.length) throw bad('truncated');
    // a copy (the file's bytes need not be aligned for a typed-array view); Uint8Array's slice, since a Node
    // Buffer's slice is a view into a shared pool
    const buf = Uint8Array.prototype.slice.call(bytes, start + e.offset, start + e.offset + n).buffer;
    arrays[e.name] = new T(buf);
  }
  const perId: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(arrays)) if (k.startsWith('perId.')) perId[k.slice(6)] = v;
  const checkpoint = {
    ...head.scalars,
    f64: arrays.f64,
    i32: arrays.i32,
    u8: arrays.u8,
    fields: arrays.fields,
    perId,
  } as unknown as SpatialCheckpoint;
  return { meta: head.meta, checkpoint };
}
