/**
 * Messages between the dashboard page and its Web Worker (src/web/worker.ts). A request without `kind` is a run
 * (the first protocol, kept for test/web/browser.test.ts). Replies are `{ id, ok: true, data }` or
 * `{ id, ok: false, error, diagnostics? }`; `diagnostics` carry line, column and field for scenario errors. A
 * `spatial` run answers once with all its frames, their buffers in the transfer list.
 */
import type { ExperimentResult } from '../experiments/types.js';
import type { ScenarioDiagnostic } from '../scenario/parse.js';
import type { ParameterOverrides, PlotData } from './engine.js';
import type { DashboardMeta } from './meta.js';
import type { SpatialRun } from './spatial-info.js';

export type WorkerRequest =
  | {
      readonly id: number;
      readonly kind?: 'run';
      /** Scenario YAML (default: the default scenario). */
      readonly scenario?: string;
      readonly overrides?: ParameterOverrides;
    }
  | { readonly id: number; readonly kind: 'meta' }
  | { readonly id: number; readonly kind: 'validate'; readonly scenario: string }
  | { readonly id: number; readonly kind: 'experiment'; readonly experiment: string }
  | {
      readonly id: number;
      readonly kind: 'spatial';
      /** A preset of src/web/spatial-presets.ts (SPATIAL_PRESETS). */
      readonly preset: string;
      /** Phenotype steps (default: the preset's), a frame every `every` steps, and the field sent per frame. */
      readonly steps?: number;
      readonly every?: number;
      readonly field?: string;
    };

/** What each request kind answers with. */
export interface WorkerData {
  run: PlotData;
  meta: DashboardMeta;
  validate: { readonly ok: true };
  experiment: ExperimentResult;
  /** Frames of typed arrays, transferred (not copied) to the page. */
  spatial: SpatialRun;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly data: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: string;
      readonly diagnostics?: readonly ScenarioDiagnostic[];
    };
