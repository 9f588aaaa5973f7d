import { describe, expect, it } from 'vitest';
import { dependencyGraph } from '../../../src/numerics/ssa/dependency-graph.js';
import { jumpProblem } from '../../../src/numerics/ssa/problem.js';

describe('dependencyGraph', () => {
  it('links a reaction to the propensities that read the species it changes (net change), and to itself', () => {
    // R0: E + S -> E + C (E catalytic: net change of E is 0);  R1: C -> P;  R2: P -> (reads P);  R3: -> E
    const zero = () => 0;
    const prob = jumpProblem({
      x0: [1, 1, 0, 0], // E, S, C, P
      propensities: [zero, zero, zero, zero],
      changes: [
        [
          [0, -1],
          [1, -1],
          [0, 1],
          [2, 1],
        ],
        [
          [2, -1],
          [3, 1],
        ],
        [[3, -1]],
        [[0, 1]],
      ],
      reads: [[0, 1], [2], [3], []],
    });
    expect(Array.from(prob.changeSpecies.subarray(prob.changePtr[0], prob.changePtr[1]))).toEqual([1, 2]);
    const g = dependencyGraph(prob);
    const deps = (j: number) => Array.from(g.dep.subarray(g.ptr[j], g.ptr[j + 1]));
    expect(deps(0)).toEqual([0, 1]); // S and C change: R0 (reads S), R1 (reads C)
    expect(deps(1)).toEqual([1, 2]);
    expect(deps(2)).toEqual([2]);
    expect(deps(3)).toEqual([0, 3]); // E changes: R0 reads E
  });

  it('rejects out-of-range species', () => {
    expect(() => jumpProblem({ x0: [0], propensities: [() => 0], changes: [[[1, 1]]], reads: [[]] })).toThrow(
      /out of range/,
    );
  });
});
