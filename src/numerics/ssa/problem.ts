/**
 * A jump problem for exact stochastic simulation: n species with counts in a Float64Array, m reactions, each
 * with a propensity a_j(t, x, p) (its hazard: the probability per unit time that it fires, given the state)
 * and a sparse state change nu_j. The engine core knows no biology; `models/compile/propensities.ts` builds
 * these from a model.
 *
 * Dependencies are declared, not discovered: `reads` lists the species each propensity depends on, so the
 * engines update only the propensities a firing can change (the dependency graph, Gibson & Bruck 2000).
 * A propensity that depends on time other than through x (a time-dependent rate) must be flagged in
 * `timeDependent`; the direct method then integrates its hazard exactly (see direct.ts).
 */

/** a_j(t, x, p) >= 0. Must not allocate. */
export type Propensity = (t: number, x: Float64Array, p: Float64Array) => number;

/**
 * Optional fast path: one function that writes a_j(t, x, p) into out[j] for any j (a generated switch). The
 * engines call it from a single call site that stays monomorphic, and no double is boxed on return, which
 * matters when propensities are cheap. Must agree with `propensities`.
 */
export type PropensityInto = (
  j: number,
  t: number,
  x: Float64Array,
  p: Float64Array,
  out: Float64Array,
) => void;

export interface JumpProblem {
  readonly nSpecies: number;
  readonly nReactions: number;
  /** Initial counts (copied by the engines). */
  readonly x0: Float64Array;
  /** Parameter vector handed to every propensity (shared by reference: callers may mutate it between runs). */
  readonly p: Float64Array;
  readonly propensities: readonly Propensity[];
  readonly propensityInto?: PropensityInto;
  /** CSR: reaction j adds changeDelta[k] to species changeSpecies[k], k in [changePtr[j], changePtr[j+1]). */
  readonly changePtr: Int32Array;
  readonly changeSpecies: Int32Array;
  readonly changeDelta: Float64Array;
  /** CSR: the species propensity j reads, readSpecies[readPtr[j] .. readPtr[j+1]). */
  readonly readPtr: Int32Array;
  readonly readSpecies: Int32Array;
  /** 1 when a_j depends on t explicitly. */
  readonly timeDependent: Uint8Array;
  readonly speciesNames?: readonly string[];
  readonly reactionNames?: readonly string[];
}

export interface JumpProblemSpec {
  readonly x0: ArrayLike<number>;
  readonly p?: Float64Array;
  readonly propensities: readonly Propensity[];
  readonly propensityInto?: PropensityInto;
  /** Per reaction: the net state change as [species, delta] pairs (zero deltas are dropped, repeats summed). */
  readonly changes: readonly (readonly (readonly [number, number])[])[];
  /** Per reaction: the species its propensity reads. */
  readonly reads: readonly (readonly number[])[];
  readonly timeDependent?: ArrayLike<number | boolean>;
  readonly speciesNames?: readonly string[];
  readonly reactionNames?: readonly string[];
}

/** Build and validate a JumpProblem from per-reaction lists. */
export function jumpProblem(spec: JumpProblemSpec): JumpProblem {
  const n = spec.x0.length;
  const m = spec.propensities.length;
  if (spec.changes.length !== m || spec.reads.length !== m)
    throw new Error(
      `jumpProblem: ${m} propensities but ${spec.changes.length} change lists and ${spec.reads.length} read lists`,
    );
  const checkSpecies = (i: number, what: string): void => {
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new Error(`jumpProblem: ${what}: species index ${i} out of range [0, ${n})`);
  };
  const changePtr = new Int32Array(m + 1);
  const cs: number[] = [];
  const cd: number[] = [];
  const readPtr = new Int32Array(m + 1);
  const rs: number[] = [];
  for (let j = 0; j < m; j++) {
    const net = new Map<number, number>();
    for (const [i, d] of spec.changes[j]) {
      checkSpecies(i, `reaction ${j} change`);
      if (!Number.isFinite(d)) throw new Error(`jumpProblem: reaction ${j}: change ${d} is not finite`);
      net.set(i, (net.get(i) ?? 0) + d);
    }
    for (const [i, d] of [...net].sort((a, b) => a[0] - b[0]))
      if (d !== 0) {
        cs.push(i);
        cd.push(d);
      }
    changePtr[j + 1] = cs.length;
    const reads = [...new Set(spec.reads[j])].sort((a, b) => a - b);
    for (const i of reads) checkSpecies(i, `reaction ${j} read`);
    rs.push(...reads);
    readPtr[j + 1] = rs.length;
  }
  const td = new Uint8Array(m);
  if (spec.timeDependent) for (let j = 0; j < m; j++) td[j] = spec.timeDependent[j] ? 1 : 0;
  return {
    nSpecies: n,
    nReactions: m,
    x0: Float64Array.from(spec.x0),
    p: spec.p ?? new Float64Array(0),
    propensities: spec.propensities,
    propensityInto: spec.propensityInto,
    changePtr,
    changeSpecies: Int32Array.from(cs),
    changeDelta: Float64Array.from(cd),
    readPtr,
    readSpecies: Int32Array.from(rs),
    timeDependent: td,
    speciesNames: spec.speciesNames,
    reactionNames: spec.reactionNames,
  };
}

/** problem.propensityInto, or a wrapper over the per-reaction functions. */
export function propensityIntoOf(problem: JumpProblem): PropensityInto {
  if (problem.propensityInto) return problem.propensityInto;
  const props = problem.propensities;
  return (j, t, x, p, out) => {
    out[j] = props[j](t, x, p);
  };
}

/** The interface both exact engines implement; `simulate-stochastic.ts` drives it (save points, events). */
export interface SsaEngine {
  /** Current time. */
  readonly t: number;
  /** Current counts, owned by the engine. Callers may write it, then must call refresh(). */
  readonly x: Float64Array;
  /** Reactions fired since reset(). */
  readonly firings: number;
  /** Start a trajectory at t0 from x0 (default problem.x0), drawing from `rng`. */
  reset(t0: number, rng: import('../random/stream.js').UniformSource, x0?: ArrayLike<number>): void;
  /**
   * Time of the next reaction, drawn if not drawn yet (Infinity when no reaction can fire). Calling it again
   * without fire()/refresh() returns the same time: the draw stands while nothing changes.
   */
  peek(): number;
  /** Fire the next reaction (at peek()); returns its index. */
  fire(): number;
  /** Move the clock to tNew <= peek() without firing: by memorylessness the pending draw stays valid. */
  advanceTo(tNew: number): void;
  /** x or p changed from outside (an event) at the current time: recompute every propensity and redraw. */
  refresh(): void;
}
