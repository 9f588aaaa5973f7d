/**
 * Hybrid (stochastic/deterministic) partition of the niche model for simulateApproximate(..., { engine: 'hybrid' })
 * (src/numerics/hybrid: Haseltine & Rawlings 2002 partitioning, jump times by the random time change). The cell
 * populations that go through small numbers, where extinction and the chance arrival of a mutant or a
 * blast-crisis cell matter, are left to the engine's thresholds ('auto': discrete below `low`, continuous above
 * `high`): leukaemic stem cells of every clone (X, Y), blast-crisis cells (Bs, Bi) and, if `immune` is set, the immune
 * cells (Z). Everything else (normal stem cells, the lineages, exosome pools, niche-cell activation states, which
 * are relative levels rather than counts) is always continuous.
 *
 * Every niche-model rate law is a non-negative propensity as long as the LSCs stay below their carrying capacity
 * (the logistic growth terms) and the niche states stay positive, which the ODE part keeps. Model events (TKI stop,
 * dosing) are executed by the hybrid engine (simulate-approximate.ts).
 */
import type { PartitionMode } from '../numerics/hybrid/hybrid.js';
import type { NicheModel } from './build.js';

export interface PartitionOptions {
  /** Immune cells stochastic too (default false: Z is continuous, it never falls low in the Hähnel fits). */
  readonly immune?: boolean;
}

/** The partition by species id: 'auto' for the small populations, 'continuous' for the rest. */
export function nicheHybridPartition(
  nm: NicheModel,
  options: PartitionOptions = {},
): Record<string, PartitionMode> {
  const small = new Set<string>([...nm.lsc.quiescent, ...nm.lsc.cycling]);
  if (nm.options.blastCrisis) for (const b of ['Bs', 'Bi']) small.add(b);
  if (options.immune && nm.lsc.immune) small.add(nm.lsc.immune);
  return Object.fromEntries(
    nm.model.species.map((s) => [s.id, small.has(s.id) ? 'auto' : 'continuous'] as const),
  );
}
