/**
 * Web Worker entry of the dashboard engine (issue #10); the messages are in protocol.ts. A run request
 * `{ id, scenario?, overrides? }` is answered with `{ id, ok: true, data: PlotData }`; `meta` gives the knowledge
 * base's channels, citations, response lines and experiments; `validate` parses scenario text with the same
 * parser as the CLI (errors with line, column and field); `experiment` runs a virtual experiment; `spatial` runs a
 * spatial preset (spatial-presets.ts) and transfers its frames' buffers. The knowledge
 * base is bundled (see bundled-data.d.ts) and parsed at the first message; later runs reuse the engine's cached
 * models, so moving a slider costs one integration.
 */
import { TEXTS } from 'exoniche:web-data';
import { runExperiment } from '../experiments/evaluate.js';
import { findExperiment } from '../experiments/registry.js';
import { ScenarioError } from '../scenario/parse.js';
import { type Engine, prepareEngine } from './engine.js';
import { dashboardMeta } from './meta.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { runSpatialPreset, type SpatialRun, spatialTransferables } from './spatial-presets.js';

export type { WorkerRequest } from './protocol.js';

/** The part of the worker global scope used here (tsconfig has no DOM/WebWorker lib). */
interface WorkerScope {
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
  postMessage(message: WorkerReply, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: Engine | undefined;

function answer(req: WorkerRequest, e: Engine): unknown {
  switch (req.kind) {
    case undefined:
    case 'run':
      return e.run(req.scenario, req.overrides ?? {});
    case 'meta':
      return dashboardMeta(e.kb);
    case 'validate':
      e.parse(req.scenario);
      return { ok: true };
    case 'experiment': {
      const x = findExperiment(req.experiment);
      if (!x) throw new Error(`unknown experiment '${req.experiment}'`);
      return runExperiment(x, e.kb);
    }
    case 'spatial':
      return runSpatialPreset(e.kb, req);
  }
}

scope.onmessage = (msg) => {
  const req = msg.data;
  try {
    engine ??= prepareEngine(TEXTS);
    const data = answer(req, engine);
    scope.postMessage(
      { id: req.id, ok: true, data },
      req.kind === 'spatial' ? spatialTransferables(data as SpatialRun) : [],
    );
  } catch (err) {
    scope.postMessage({
      id: req.id,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ...(err instanceof ScenarioError ? { diagnostics: err.diagnostics } : {}),
    });
  }
};
