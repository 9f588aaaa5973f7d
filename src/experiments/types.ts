/**
 * Virtual experiments (biology.md §4, VE-*): named, runnable set-ups on the niche model with their read-outs and
 * the expected direction or size beside the simulated one. An experiment is data (protocol, expectations with the
 * study's evidence tag) plus a `run` that returns the measures the expectations are judged on.
 */
import type { KnowledgeBase } from '../knowledge/load.js';

/** biology.md provenance tags: [V] verified, [V2] secondary source, [C] computed, [R] recalled (provisional). */
export type EvidenceTag = 'V' | 'V2' | 'C' | 'R';

/**
 * How a measure is judged. Measures are ratios (treatment / control) unless stated.
 * - increase / decrease: the ratio moves by more than `DIRECTION_EPS` (relative), i.e. beyond solver noise.
 * - band: target with an inclusive tolerance band (quantitative targets).
 * - atMost / atLeast: a one-sided operational threshold for a qualitative word ("blocks", "minimal").
 * - increasingSeries: a dose series (ratios in dose order) that rises strictly at every step.
 * - notReproducible: the model lacks what the read-out needs; never passes, never fails.
 */
export type Criterion =
  | { readonly kind: 'increase' }
  | { readonly kind: 'decrease' }
  | { readonly kind: 'band'; readonly target: number; readonly low: number; readonly high: number }
  | { readonly kind: 'atMost'; readonly limit: number }
  | { readonly kind: 'atLeast'; readonly limit: number }
  | { readonly kind: 'increasingSeries' }
  | { readonly kind: 'notReproducible'; readonly reason: string };

/** Relative change below which a ratio counts as unchanged (well above the rtol 1e-8 of the runs). */
export const DIRECTION_EPS = 1e-6;

export interface Expectation {
  /** Key of the measure in the run result. */
  readonly id: string;
  /** What the study reports, in words (biology.md). */
  readonly statement: string;
  /** The simulated quantity compared (how the read-out maps onto the model). */
  readonly measure: string;
  readonly criterion: Criterion;
  readonly evidence: EvidenceTag;
  /** Why a threshold or band has its value, or how the set-up departs from the default parameter set. */
  readonly note?: string;
}

/** One arm of an experiment: its set-up in words and its read-outs (model quantities at the read-out times). */
export interface ArmResult {
  readonly arm: string;
  readonly readouts: Readonly<Record<string, number>>;
}

export interface ExperimentRun {
  readonly arms: readonly ArmResult[];
  /** The measures the expectations are judged on (a number, or a dose series). */
  readonly measures: Readonly<Record<string, number | readonly number[]>>;
  /** Model parameters that carry the mechanism under test (for cross-experiment consistency, e.g. VE-14/15). */
  readonly mechanism?: Readonly<Record<string, number>>;
}

export interface Experiment {
  /** 'VE-1', ... as in biology.md §4. */
  readonly id: string;
  readonly title: string;
  /** Study code of biology.md §2 (E1, B4, ...) and the citation key in data/knowledge/references.yaml. */
  readonly source: { readonly study: string; readonly ref: string };
  readonly setting: 'in-vitro' | 'in-vivo' | 'in-vitro + in-vivo';
  /** The laboratory protocol (biology.md). */
  readonly protocol: string;
  /** How the protocol is expressed on the niche model (options, overrides, held pools, read-out times). */
  readonly mapping: string;
  readonly expectations: readonly Expectation[];
  run(kb: KnowledgeBase): ExperimentRun;
}

export type CheckStatus = 'pass' | 'fail' | 'not reproducible';

export interface CheckResult {
  readonly id: string;
  readonly statement: string;
  readonly measure: string;
  readonly evidence: EvidenceTag;
  /** The expectation in words ("> 1", "2 (1.5 – 2.5)", ...). */
  readonly expected: string;
  readonly obtained: number | readonly number[] | null;
  readonly status: CheckStatus;
  /** 'not reproducible: <reason>' or the note of the expectation. */
  readonly detail?: string;
}

export type ExperimentStatus = 'pass' | 'fail' | 'not reproducible';

export interface ExperimentResult {
  readonly id: string;
  readonly title: string;
  readonly setting: Experiment['setting'];
  readonly source: Experiment['source'];
  readonly arms: readonly ArmResult[];
  readonly checks: readonly CheckResult[];
  readonly mechanism?: Readonly<Record<string, number>>;
  /**
   * pass: every reproducible check passes (and there is at least one); fail: any check fails; not reproducible:
   * no check could be evaluated. `gaps` lists the read-outs the model cannot produce.
   */
  readonly status: ExperimentStatus;
  readonly gaps: readonly string[];
  readonly seconds: number;
}
