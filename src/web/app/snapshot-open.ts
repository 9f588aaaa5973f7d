/**
 * The page's side of opening a CLI spatial run (spatial.tsx "Open run…"): the files of a folder pick
 * (webkitdirectory), a multi-file pick or a drop (folders dropped are walked with webkitGetAsEntry), read into
 * ArrayBuffers and transferred to the snapshot Worker (snapshot-worker.ts), created on first use so that the Arrow
 * decoder loads only then. One request at a time; the reply is a whole run or an error naming the file.
 */
import { type LoadedRun, selectFiles } from './snapshot-files.js';

export interface PickedFile {
  readonly path: string;
  readonly file: File;
}

type Reply = { id: number; ok: true; data: LoadedRun } | { id: number; ok: false; error: string };

export class SnapshotOpener {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<number, (r: Reply) => void>();

  constructor(private readonly url = './snapshot-worker.js') {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url, { type: 'module' });
    w.onmessage = (e: MessageEvent<Reply>) => {
      const done = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      done?.(e.data);
    };
    w.onerror = (e) => {
      for (const [, done] of this.pending)
        done({ id: 0, ok: false, error: `snapshot worker failed: ${e.message}` });
      this.pending.clear();
      this.worker = undefined;
    };
    this.worker = w;
    return w;
  }

  /**
   * Reads and decodes `files`. A folder ('folder') reads only its snapshots, summary.json and manifest.json and
   * passes over the rest (checkpoint.bin is not read); picked or dropped files ('files') are all read and checked.
   */
  async open(files: readonly PickedFile[], mode: 'folder' | 'files'): Promise<LoadedRun> {
    const sel = selectFiles(files);
    const wanted = new Set<PickedFile>([
      ...sel.snapshots,
      ...(sel.summary ? [sel.summary] : []),
      ...(sel.manifest ? [sel.manifest] : []),
      ...(mode === 'files' ? sel.others : []),
    ]);
    const payload = await Promise.all(
      files.map(async (f) => ({
        path: f.path,
        bytes: wanted.has(f) ? await f.file.arrayBuffer() : new ArrayBuffer(0),
      })),
    );
    const worker = this.start();
    const id = this.next++;
    return await new Promise<LoadedRun>((resolve, reject) => {
      this.pending.set(id, (r) => (r.ok ? resolve(r.data) : reject(new Error(r.error))));
      worker.postMessage(
        { id, files: payload, mode },
        payload.map((p) => p.bytes),
      );
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}

/** Files of an input: webkitRelativePath (folder picks) or the name. */
export function pickedFromInput(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** Files of a drop, folders walked; `folder` when a folder was dropped. */
export async function pickedFromDrop(
  dt: DataTransfer,
): Promise<{ files: PickedFile[]; mode: 'folder' | 'files' }> {
  const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null))
    return { files: [...dt.files].map((file) => ({ path: file.name, file })), mode: 'files' };
  const out: PickedFile[] = [];
  let folder = false;
  const walk = async (e: FileSystemEntry, prefix: string): Promise<void> => {
    if (e.isFile) {
      const file = await new Promise<File>((ok, fail) => (e as FileSystemFileEntry).file(ok, fail));
      out.push({ path: `${prefix}${e.name}`, file });
    } else if (e.isDirectory) {
      folder = true;
      const reader = (e as FileSystemDirectoryEntry).createReader();
      // readEntries returns the entries in batches until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const c of batch) await walk(c, `${prefix}${e.name}/`);
      }
    }
  };
  for (const e of entries) if (e) await walk(e, '');
  return { files: out, mode: folder ? 'folder' : 'files' };
}
