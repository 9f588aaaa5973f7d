/**
 * The page's side of the Worker protocol (src/web/protocol.ts): one request per call, replies matched by id.
 * `latest(kind)` gives a caller that keeps at most one run in flight and one waiting, dropping the waiting one when
 * a newer one arrives: a slider dragged across many values re-runs for the value it rests on, not for each step.
 */
import type { ScenarioDiagnostic } from '../../scenario/parse.js';
import type { WorkerData, WorkerReply, WorkerRequest } from '../protocol.js';

export class WorkerError extends Error {
  override name = 'WorkerError';
  constructor(
    message: string,
    readonly diagnostics: readonly ScenarioDiagnostic[] = [],
  ) {
    super(message);
  }
}

/** Thrown to a request that a newer one replaced before it was sent. */
export class Superseded extends Error {
  override name = 'Superseded';
}

type Body<K extends keyof WorkerData> = Omit<Extract<WorkerRequest, { kind?: K }>, 'id'> & { kind: K };

export class EngineClient {
  private next = 1;
  private readonly pending = new Map<number, (r: WorkerReply) => void>();
  private readonly worker: Worker;

  constructor(url = './worker.js') {
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const done = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      done?.(e.data);
    };
    this.worker.onerror = (e) => {
      for (const [, done] of this.pending) done({ id: 0, ok: false, error: `worker failed: ${e.message}` });
      this.pending.clear();
    };
  }

  request<K extends keyof WorkerData>(body: Body<K>): Promise<WorkerData[K]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (r) =>
        r.ok ? resolve(r.data as WorkerData[K]) : reject(new WorkerError(r.error, r.diagnostics ?? [])),
      );
      this.worker.postMessage({ ...body, id });
    });
  }

  /** A caller of `request` with at most one request in flight; a waiting request is replaced by a newer one. */
  latest<K extends keyof WorkerData>(): (body: Body<K>) => Promise<WorkerData[K]> {
    let running = false;
    let waiting:
      | { body: Body<K>; resolve: (v: WorkerData[K]) => void; reject: (e: unknown) => void }
      | undefined;
    const pump = () => {
      if (running || !waiting) return;
      const w = waiting;
      waiting = undefined;
      running = true;
      this.request(w.body)
        .then(w.resolve, w.reject)
        .finally(() => {
          running = false;
          pump();
        });
    };
    return (body) =>
      new Promise((resolve, reject) => {
        waiting?.reject(new Superseded('replaced by a newer request'));
        waiting = { body, resolve, reject };
        pump();
      });
  }

  terminate(): void {
    this.worker.terminate();
  }
}
