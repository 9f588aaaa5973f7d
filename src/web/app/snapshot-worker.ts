/**
 * The Worker that opens snapshot files (dist-web/snapshot-worker.js, created by the Spatial tab when a run is first
 * opened): `{ id, files: [{ path, bytes }], mode }` (bytes transferred) is answered with `{ id, ok: true, data:
 * LoadedRun }` (typed arrays transferred back) or `{ id, ok: false, error }` with the decoder's message naming the
 * file. Its own bundle so that the Arrow library loads only when it is needed.
 */
import { type DecodeRequest, decodeSnapshotFiles } from './snapshot-decode.js';
import { loadedTransferables } from './snapshot-files.js';

export type SnapshotWorkerRequest = DecodeRequest & { readonly id: number };

interface WorkerScope {
  onmessage: ((e: { data: SnapshotWorkerRequest }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (msg) => {
  const { id } = msg.data;
  try {
    const run = decodeSnapshotFiles(msg.data);
    scope.postMessage({ id, ok: true, data: run }, loadedTransferables(run));
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
