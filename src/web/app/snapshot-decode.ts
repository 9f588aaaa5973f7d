/**
 * Decodes the snapshot files of a CLI spatial run with the project's decoders (src/spatial/snapshot.ts
 * decodeAgents / decodeFields, which bring in apache-arrow) and pairs them (snapshot-files.ts). Runs in its own
 * Worker (snapshot-worker.ts, dist-web/snapshot-worker.js, created when a run is first opened): a 100,000-agent
 * Arrow file is about 20 MB and decoding it takes longer than the 100 ms a page may stall, and neither the page
 * (app.js) nor the engine Worker (worker.js) carries the Arrow library.
 */
import { CELL_TYPES } from '../../spatial/cell-types.js';
import { decodeAgents, decodeFields } from '../../spatial/snapshot.js';
import {
  type AgentsPart,
  assembleRun,
  classifyName,
  type FieldsPart,
  type LoadedRun,
  runFacts,
  SnapshotFilesError,
  selectFiles,
  sniffKind,
} from './snapshot-files.js';

export interface SnapshotFileInput {
  /** Path as picked (webkitRelativePath for a folder, else the name). */
  readonly path: string;
  readonly bytes: ArrayBuffer;
}

export interface DecodeRequest {
  readonly files: readonly SnapshotFileInput[];
  /** 'folder': files that are not snapshots are passed over; 'files': each must be one (or summary/manifest). */
  readonly mode: 'folder' | 'files';
}

const ARROW_TAIL = 'ARROW1';

function agentsOf(path: string, bytes: Uint8Array): AgentsPart {
  // An Arrow IPC file ends with its magic after the footer; a cut file may still parse its first batches.
  const tail = String.fromCharCode(...bytes.subarray(Math.max(0, bytes.length - 6)));
  if (sniffKind(bytes) === 'agents' && tail !== ARROW_TAIL)
    throw new SnapshotFilesError(
      `${path}: truncated Arrow IPC file (${bytes.length} bytes; an Arrow file ends with '${ARROW_TAIL}')`,
    );
  const s = decodeAgents(bytes, path);
  return { source: path, time: s.time, dims: s.dims, columns: s.columns };
}

function fieldsOf(path: string, bytes: Uint8Array): FieldsPart {
  const s = decodeFields(bytes, path);
  return { source: path, header: s.header, data: s.data };
}

/** Decodes and pairs the files; throws (naming the file) rather than return part of a run. */
export function decodeSnapshotFiles(req: DecodeRequest): LoadedRun {
  const t0 = performance.now();
  const sel = selectFiles(req.files);
  const agents: AgentsPart[] = [];
  const fields: FieldsPart[] = [];
  const ignored: string[] = [];
  const take = (f: SnapshotFileInput, kind: 'agents' | 'fields') => {
    const bytes = new Uint8Array(f.bytes);
    if (kind === 'agents') agents.push(agentsOf(f.path, bytes));
    else fields.push(fieldsOf(f.path, bytes));
  };
  for (const f of sel.snapshots) take(f, classifyName(f.path).kind as 'agents' | 'fields');
  for (const f of sel.others) {
    const kind = sniffKind(new Uint8Array(f.bytes, 0, Math.min(8, f.bytes.byteLength)));
    if (req.mode === 'folder') ignored.push(f.path);
    else if (kind === 'other')
      throw new SnapshotFilesError(
        `${f.path}: not a snapshot: expected an agent snapshot (agents-<t>.arrow, an Apache Arrow IPC file starting 'ARROW1'), a field snapshot (fields-<t>.bin, starting 'EXNFLD01'), summary.json or manifest.json`,
      );
    else take(f, kind);
  }
  const text = (f?: SnapshotFileInput) =>
    f ? { source: f.path, text: new TextDecoder().decode(f.bytes) } : undefined;
  const facts = runFacts(text(sel.summary), text(sel.manifest));
  // The run's name: summary.json's, else the picked folder's.
  const first = req.files[0]?.path ?? '';
  const folder = req.mode === 'folder' && first.includes('/') ? first.split('/')[0] : undefined;
  return assembleRun(agents, fields, {
    cellTypes: CELL_TYPES,
    name: facts.name ?? folder ?? 'snapshots',
    facts,
    read: [...sel.snapshots, ...(sel.summary ? [sel.summary] : []), ...(sel.manifest ? [sel.manifest] : [])]
      .map((f) => f.path)
      .concat(req.mode === 'files' ? sel.others.map((f) => f.path) : []),
    ignored,
    ms: performance.now() - t0,
  });
}
