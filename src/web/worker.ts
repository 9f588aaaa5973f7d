/**
 * Web Worker entry of the dashboard engine (issue #10): answers `{ id, scenario?, overrides? }` messages with
 * `{ id, ok: true, data: PlotData }` or `{ id, ok: false, error }`. The knowledge base is bundled (see
 * bundled-data.d.ts) and parsed at the first message; later messages reuse the engine's cached models, so moving
 * a slider costs one integration.
 */
import { TEXTS } from 'exoniche:web-data';
import { type Engine, type ParameterOverrides, prepareEngine } from './engine.js';

export interface WorkerRequest {
  readonly id: number;
  /** Scenario YAML (default: the default scenario). */
  readonly scenario?: string;
  readonly overrides?: ParameterOverrides;
}

/** The part of the worker global scope used here (tsconfig has no DOM/WebWorker lib). */
interface WorkerScope {
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: Engine | undefined;

scope.onmessage = (e) => {
  const { id, scenario, overrides } = e.data;
  try {
    engine ??= prepareEngine(TEXTS);
    const data = engine.run(scenario, overrides ?? {});
    scope.postMessage({ id, ok: true, data });
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
