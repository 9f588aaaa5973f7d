/** Judging an experiment's measures against its expectations (data in, data out). */
import type { KnowledgeBase } from '../knowledge/load.js';
import {
  type CheckResult,
  type CheckStatus,
  type Criterion,
  DIRECTION_EPS,
  type Experiment,
  type ExperimentResult,
  type ExperimentStatus,
} from './types.js';

const fmt = (x: number) =>
  Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : `${+x.toPrecision(4)}`;

/** The expectation in words. */
export function describeCriterion(c: Criterion): string {
  switch (c.kind) {
    case 'increase':
      return '> 1 (increase)';
    case 'decrease':
      return '< 1 (decrease)';
    case 'band':
      return `${fmt(c.target)} (${fmt(c.low)} – ${fmt(c.high)})`;
    case 'atMost':
      return `<= ${fmt(c.limit)}`;
    case 'atLeast':
      return `>= ${fmt(c.limit)}`;
    case 'increasingSeries':
      return 'rises with dose';
    case 'notReproducible':
      return 'not reproducible';
  }
}

export function judge(c: Criterion, v: number | readonly number[] | undefined): CheckStatus {
  if (c.kind === 'notReproducible') return 'not reproducible';
  if (v === undefined) throw new Error(`no measure for a '${c.kind}' expectation`);
  if (c.kind === 'increasingSeries') {
    if (typeof v === 'number') throw new Error('a dose series is needed');
    for (let i = 1; i < v.length; i++) if (!(v[i] > v[i - 1] * (1 + DIRECTION_EPS))) return 'fail';
    return 'pass';
  }
  if (typeof v !== 'number') throw new Error(`a number is needed for a '${c.kind}' expectation`);
  if (!Number.isFinite(v)) return 'fail';
  switch (c.kind) {
    case 'increase':
      return v > 1 + DIRECTION_EPS ? 'pass' : 'fail';
    case 'decrease':
      return v < 1 - DIRECTION_EPS ? 'pass' : 'fail';
    case 'band':
      return v >= c.low && v <= c.high ? 'pass' : 'fail';
    case 'atMost':
      return v <= c.limit ? 'pass' : 'fail';
    case 'atLeast':
      return v >= c.limit ? 'pass' : 'fail';
  }
}

/**
 * Overall status from the checks whose target is not [R] (recalled, unverified: biology.md §0.1 says not to use
 * them as pass/fail targets; they are judged and shown but not counted): fail if any counted check fails, pass if
 * at least one passes and none fails, else not reproducible.
 */
export function overall(checks: readonly CheckResult[]): ExperimentStatus {
  const counted = checks.filter((c) => c.evidence !== 'R');
  if (counted.some((c) => c.status === 'fail')) return 'fail';
  if (counted.some((c) => c.status === 'pass')) return 'pass';
  return 'not reproducible';
}

/** Detail shown for a judged [R] check. */
export const PROVISIONAL = 'provisional [R] target: judged and shown, not counted in the experiment status';

/** Runs an experiment and judges it. A run that throws is reported as not reproducible with the error. */
export function runExperiment(e: Experiment, kb: KnowledgeBase): ExperimentResult {
  const t0 = performance.now();
  let run: ReturnType<Experiment['run']> | undefined;
  let error: string | undefined;
  try {
    run = e.run(kb);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const checks: CheckResult[] = e.expectations.map((x) => {
    const base = {
      id: x.id,
      statement: x.statement,
      measure: x.measure,
      evidence: x.evidence,
      expected: describeCriterion(x.criterion),
    };
    if (x.criterion.kind === 'notReproducible')
      return {
        ...base,
        obtained: null,
        status: 'not reproducible',
        detail: `not reproducible: ${x.criterion.reason}`,
      };
    if (!run)
      return {
        ...base,
        obtained: null,
        status: 'not reproducible',
        detail: `not reproducible: run failed: ${error}`,
      };
    const v = run.measures[x.id];
    return {
      ...base,
      obtained: v ?? null,
      status: judge(x.criterion, v),
      ...(x.note || x.evidence === 'R'
        ? { detail: [x.evidence === 'R' ? PROVISIONAL : '', x.note ?? ''].filter((d) => d).join('; ') }
        : {}),
    };
  });
  return {
    id: e.id,
    title: e.title,
    setting: e.setting,
    source: e.source,
    arms: run?.arms ?? [],
    checks,
    ...(run?.mechanism ? { mechanism: run.mechanism } : {}),
    status: overall(checks),
    gaps: checks.filter((c) => c.status === 'not reproducible').map((c) => `${c.statement}: ${c.detail}`),
    seconds: (performance.now() - t0) / 1000,
  };
}

export { fmt as formatNumber };
