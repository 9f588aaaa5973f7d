/**
 * The next-reaction method of Gibson & Bruck (2000, J. Phys. Chem. A 104, 1876-1889).
 *
 * Each reaction j carries an absolute putative firing time tau_j; an indexed binary min-heap gives the next
 * one in O(1) and re-keys in O(log m). After mu fires at time t:
 *  - tau_mu = t + E/a_mu(new) with a fresh E ~ Exp(1);
 *  - every other dependent alpha (dependency graph) reuses its pending exponential by rescaling,
 *    tau_alpha = t + (a_alpha(old)/a_alpha(new)) (tau_alpha - t), which is exact because the residual of an
 *    exponential clock is exponential (Gibson & Bruck, theorem 2);
 *  - a dependent whose propensity was 0 (tau = Infinity) and is now positive gets a fresh draw; G&B keep the
 *    residual from before it reached 0 to save a random number, a fresh draw is equally exact by
 *    memorylessness and simpler;
 *  - a propensity that becomes 0 sets tau = Infinity.
 * One exponential per firing. Time-dependent propensities are not supported here (use the direct method,
 * which integrates their hazard): the constructor refuses a problem that has them.
 */
import type { UniformSource } from '../random/stream.js';
import { type DependencyGraph, dependencyGraph } from './dependency-graph.js';
import { propensityError } from './direct.js';
import { IndexedMinHeap } from './priority-queue.js';
import {
  type JumpProblem,
  type Propensity,
  type PropensityInto,
  propensityIntoOf,
  type SsaEngine,
} from './problem.js';

export interface NextReactionOptions {
  /** No reaction is sought beyond this time (peek() returns Infinity). Default Infinity. */
  readonly horizon?: number;
}

const INF = Number.POSITIVE_INFINITY;

export class NextReactionMethod implements SsaEngine {
  t = 0;
  readonly x: Float64Array;
  firings = 0;
  horizon: number;
  private readonly problem: JumpProblem;
  private readonly graph: DependencyGraph;
  private readonly props: readonly Propensity[];
  private readonly into: PropensityInto;
  private readonly p: Float64Array;
  private readonly a: Float64Array;
  private readonly heap: IndexedMinHeap;
  private readonly scratch: Float64Array;
  private rng: UniformSource | null = null;
  // The CSR arrays of the hot loop, held directly (one load each instead of two).
  private readonly changePtr: Int32Array;
  private readonly changeSpecies: Int32Array;
  private readonly changeDelta: Float64Array;
  private readonly depPtr: Int32Array;
  private readonly dep: Int32Array;

  constructor(problem: JumpProblem, options: NextReactionOptions = {}) {
    for (let j = 0; j < problem.nReactions; j++)
      if (problem.timeDependent[j])
        throw new Error(
          `next-reaction method: reaction '${problem.reactionNames?.[j] ?? j}' has a time-dependent propensity; use the direct method ('ssa')`,
        );
    this.problem = problem;
    this.graph = dependencyGraph(problem);
    this.changePtr = problem.changePtr;
    this.changeSpecies = problem.changeSpecies;
    this.changeDelta = problem.changeDelta;
    this.depPtr = this.graph.ptr;
    this.dep = this.graph.dep;
    this.props = problem.propensities;
    this.into = propensityIntoOf(problem);
    this.p = problem.p;
    this.x = new Float64Array(problem.nSpecies);
    this.a = new Float64Array(problem.nReactions);
    this.heap = new IndexedMinHeap(problem.nReactions);
    this.scratch = new Float64Array(problem.nReactions);
    this.horizon = options.horizon ?? INF;
  }

  reset(t0: number, rng: UniformSource, x0?: ArrayLike<number>): void {
    this.rng = rng;
    this.t = t0;
    this.x.set(x0 ?? this.problem.x0);
    this.firings = 0;
    this.refresh();
  }

  refresh(): void {
    const m = this.a.length;
    const keys = this.scratch;
    for (let j = 0; j < m; j++) {
      const v = this.evaluate(j);
      this.a[j] = v;
      keys[j] = v > 0 ? this.t - Math.log(this.rng!.nextFloat64Open()) / v : INF;
    }
    this.heap.build(keys);
  }

  peek(): number {
    if (this.a.length === 0) return INF;
    const tn = this.heap.topKey();
    return tn > this.horizon ? INF : tn;
  }

  advanceTo(tNew: number): void {
    this.t = tNew;
  }

  fire(): number {
    const heap = this.heap;
    const mu = heap.top();
    const key = heap.key;
    const tn = key[mu];
    if (!(tn < INF)) throw new Error('NextReactionMethod.fire: no reaction can fire');
    this.t = tn;
    const x = this.x;
    const changeSpecies = this.changeSpecies;
    const changeDelta = this.changeDelta;
    for (let q = this.changePtr[mu], end = this.changePtr[mu + 1]; q < end; q++)
      x[changeSpecies[q]] += changeDelta[q];
    const a = this.a;
    const dep = this.dep;
    const into = this.into;
    const p = this.p;
    const rng = this.rng!;
    for (let q = this.depPtr[mu], end = this.depPtr[mu + 1]; q < end; q++) {
      const k = dep[q];
      const old = a[k];
      into(k, tn, x, p, a);
      const v = a[k];
      if (!(v >= 0 && v < INF)) throw new Error(propensityError(this.problem, k, v, tn));
      let tk: number;
      if (v <= 0) tk = INF;
      else if (k === mu || !(key[k] < INF)) tk = tn - Math.log(rng.nextFloat64Open()) / v;
      else tk = tn + (old / v) * (key[k] - tn);
      heap.update(k, tk);
    }
    this.firings++;
    return mu;
  }

  private evaluate(j: number): number {
    const v = this.props[j](this.t, this.x, this.p);
    if (!(v >= 0 && v < INF)) throw new Error(propensityError(this.problem, j, v, this.t));
    return v;
  }
}
