/**
 * Reaction dependency graph (Gibson & Bruck 2000, J. Phys. Chem. A 104, 1876): reaction k depends on reaction
 * j when j changes a species that propensity k reads. After j fires only its dependents are recomputed.
 * Stored in CSR form: dependents of j are dep[ptr[j] .. ptr[j+1]), always including j itself (its own
 * propensity must be recomputed and, in the next-reaction method, redrawn) and sorted.
 */
import type { JumpProblem } from './problem.js';

export interface DependencyGraph {
  readonly ptr: Int32Array;
  readonly dep: Int32Array;
}

export function dependencyGraph(problem: JumpProblem): DependencyGraph {
  const { nSpecies: n, nReactions: m, changePtr, changeSpecies, readPtr, readSpecies } = problem;
  // readers[i]: reactions whose propensity reads species i.
  const readers: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < m; k++)
    for (let q = readPtr[k]; q < readPtr[k + 1]; q++) readers[readSpecies[q]].push(k);
  const ptr = new Int32Array(m + 1);
  const out: number[] = [];
  for (let j = 0; j < m; j++) {
    const set = new Set<number>([j]);
    for (let q = changePtr[j]; q < changePtr[j + 1]; q++)
      for (const k of readers[changeSpecies[q]]) set.add(k);
    out.push(...[...set].sort((a, b) => a - b));
    ptr[j + 1] = out.length;
  }
  return { ptr, dep: Int32Array.from(out) };
}
