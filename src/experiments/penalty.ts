/**
 * The virtual experiments as soft constraints of a calibration (docs/calibration.md §2): every counted check that
 * passes at a reference parameter set becomes a hinge on the log of its measure, and the penalty is
 *
 *   W * sum h^2,  h = violation in natural-log units (0 when the check holds with its margin),
 *
 * so that a fit that moves shared niche keys keeps each VE that passes now passing, with its direction and size.
 * Margins: a band or a one-sided threshold is its own bound (no margin); an increase / decrease must keep at least
 * DIRECTION_KEEP of the reference effect in log units, capped at ln(1 + DIRECTION_CAP) (so that effects cannot
 * shrink to solver noise and still "pass"); a dose series must keep every step likewise. [R] checks are not
 * counted (evaluate.ts), so they are not constraints either.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { runExperiment } from './evaluate.js';
import type { Experiment } from './types.js';

/** Weight of the squared hinge, per (ln unit)^2: a 1 % shortfall costs 1 objective unit, a 10 % one 100. */
export const VE_PENALTY_WEIGHT = 1e4;
/** Share of a reference direction effect (in log units) that must remain. */
export const DIRECTION_KEEP = 0.5;
/** Cap of the required direction effect: ln(1.1). */
export const DIRECTION_CAP = 0.1;

export interface VeConstraint {
  readonly experiment: string;
  readonly check: string;
  /** Lower and upper bound on ln(measure) (or on ln of each step ratio for a series); ±Infinity when open. */
  readonly lo: number;
  readonly hi: number;
  readonly series: boolean;
  /** The measure at the reference parameter set. */
  readonly reference: number | readonly number[];
}

export interface VeTerm {
  readonly experiment: string;
  readonly check: string;
  readonly value: number | readonly number[] | null;
  /** Largest violation in ln units (0 = satisfied). */
  readonly violation: number;
}

const ln = (v: number) => (v > 0 ? Math.log(v) : Number.NEGATIVE_INFINITY);
const keep = (x: number) => Math.min(DIRECTION_KEEP * Math.abs(x), Math.log1p(DIRECTION_CAP));

/** Constraints from the checks of `experiments` that pass (and count) at the reference knowledge base. */
export function veConstraints(experiments: readonly Experiment[], kbRef: KnowledgeBase): VeConstraint[] {
  const out: VeConstraint[] = [];
  for (const e of experiments) {
    const r = runExperiment(e, kbRef);
    for (const c of r.checks) {
      if (c.status !== 'pass' || c.evidence === 'R' || c.obtained === null) continue;
      const x = e.expectations.find((q) => q.id === c.id)?.criterion;
      if (!x) continue;
      const v = c.obtained;
      const base = { experiment: e.id, check: c.id, reference: v };
      if (x.kind === 'increasingSeries' && typeof v !== 'number') {
        const steps = v.slice(1).map((y, i) => ln(y / v[i]));
        out.push({ ...base, lo: Math.min(...steps.map(keep)), hi: Number.POSITIVE_INFINITY, series: true });
      } else if (typeof v === 'number') {
        const b =
          x.kind === 'increase'
            ? { lo: keep(ln(v)), hi: Number.POSITIVE_INFINITY }
            : x.kind === 'decrease'
              ? { lo: Number.NEGATIVE_INFINITY, hi: -keep(ln(v)) }
              : x.kind === 'band'
                ? { lo: ln(x.low), hi: ln(x.high) }
                : x.kind === 'atLeast'
                  ? { lo: ln(x.limit), hi: Number.POSITIVE_INFINITY }
                  : x.kind === 'atMost'
                    ? { lo: Number.NEGATIVE_INFINITY, hi: ln(x.limit) }
                    : undefined;
        if (b) out.push({ ...base, ...b, series: false });
      }
    }
  }
  return out;
}

/** Violation (ln units) of one value against [lo, hi]; a non-positive or non-finite value violates a lower bound by 30. */
function violation(y: number, lo: number, hi: number): number {
  if (Number.isNaN(y)) return 30;
  if (y < lo) return Math.min(lo - y, 30);
  if (y > hi) return Math.min(y - hi, 30);
  return 0;
}

/**
 * Penalty of the constraints at a knowledge base (W sum h^2) and the per-check terms. Only the experiments named by
 * the constraints are run; a run that throws violates all its constraints by 30 ln units.
 */
export function vePenalty(
  experiments: readonly Experiment[],
  constraints: readonly VeConstraint[],
  kb: KnowledgeBase,
): { penalty: number; terms: VeTerm[] } {
  const ids = new Set(constraints.map((c) => c.experiment));
  const measures = new Map<string, Readonly<Record<string, number | readonly number[]>> | null>();
  for (const e of experiments) {
    if (!ids.has(e.id)) continue;
    try {
      measures.set(e.id, e.run(kb).measures);
    } catch {
      measures.set(e.id, null);
    }
  }
  let sum = 0;
  const terms = constraints.map((c) => {
    const m = measures.get(c.experiment);
    const v = m ? m[c.check] : undefined;
    let h = 30;
    if (v !== undefined) {
      if (c.series && typeof v !== 'number')
        h = Math.max(0, ...v.slice(1).map((y, i) => violation(ln(y / v[i]), c.lo, c.hi)));
      else if (typeof v === 'number') h = violation(ln(v), c.lo, c.hi);
    }
    sum += h * h;
    return { experiment: c.experiment, check: c.check, value: v ?? null, violation: h };
  });
  return { penalty: VE_PENALTY_WEIGHT * sum, terms };
}
