/**
 * Generated code for forward sensitivities of a compiled model.
 *
 * With S = dy/dtheta (n x k) and W = dp_A/dtheta (the parameters A whose values depend on theta: theta itself,
 * parameters computed from it by initial assignments, parameters events set from them), the sensitivity
 * equations are dS/dt = (df/dy) S + (df/dp_A) W (Hairer, Norsett and Wanner, Solving ODEs I, sec. I.14;
 * CVODES user guide, "Forward sensitivity analysis"). The augmented state is z = [y, S] with
 * S[s, j] at z[n + s*k + j]. Everything is built symbolically from the lowered right-hand side (the same
 * memoised differentiation and hash-consed code generation as `jacobian.ts`), so both the augmented
 * right-hand side and its exact Jacobian are straight-line generated code:
 *
 *   d(dS_sj)/dy_q = sum_r d2f_s/dy_r dy_q S_rj + sum_a d2f_s/dp_a dy_q W_aj,   d(dS_sj)/dS_rj = df_s/dy_r.
 *
 * An exact augmented Jacobian matters for Rosenbrock methods, whose order conditions assume it.
 * Fallbacks: a first derivative that has no symbolic form is a finite difference of the model's right-hand
 * side (written into the buffer `X` before each call, see `fill`); then, and for second derivatives without
 * a symbolic form, the affected S rows of the augmented Jacobian are forward differences of the augmented
 * right-hand side, column by column.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { buildFunction, Emitter } from '../../numerics/expr/codegen.js';
import { differentiate, NotDifferentiableError } from '../../numerics/expr/differentiate.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import { simplify } from '../../numerics/expr/simplify.js';
import type { CsrPattern } from '../../numerics/linalg/csr.js';
import type { CompiledModel } from './compile.js';
import { loweredResolver, paramName, stateName } from './lower.js';

/** (t, z, p, W, X, dz): augmented right-hand side. */
export type SensRhs = (
  t: number,
  z: Float64Array,
  p: Float64Array,
  W: Float64Array,
  X: Float64Array,
  dz: Float64Array,
) => void;
/** (t, z, p, W, out, outS): selected observables and their sensitivities (outS[o*k + j]). */
export type SensObserve = (
  t: number,
  z: Float64Array,
  p: Float64Array,
  W: Float64Array,
  out: Float64Array,
  outS: Float64Array,
) => void;
/** (t, z, p, W, out): d(target amount)/dtheta of an event's assignments at the pre-event state, out[a*k + j]. */
export type SensJump = (
  t: number,
  z: Float64Array,
  p: Float64Array,
  W: Float64Array,
  out: Float64Array,
) => void;

export interface SensitivityCode {
  readonly n: number;
  readonly k: number;
  /** Parameter-vector indices of the rows of W. */
  readonly A: Int32Array;
  /** Augmented right-hand side; call `fill` first when `fdEntries > 0`. */
  readonly rhs: SensRhs;
  /** Dense row-major augmented Jacobian (size N*N, N = n + n*k), FD columns included. */
  jacobian(
    t: number,
    z: Float64Array,
    p: Float64Array,
    W: Float64Array,
    X: Float64Array,
    JJ: Float64Array,
  ): void;
  /** CSR pattern of the augmented Jacobian (absent when some entries are finite differences). */
  readonly sparsity?: CsrPattern;
  /** The augmented Jacobian's values in `sparsity` order. */
  readonly sparseJacobian?: (
    t: number,
    z: Float64Array,
    p: Float64Array,
    W: Float64Array,
    X: Float64Array,
    V: Float64Array,
  ) => void;
  /** Fill the finite-difference buffer X (first derivatives without a symbolic form). */
  fill(t: number, z: Float64Array, p: Float64Array, X: Float64Array): void;
  /** Length of X. */
  readonly xLength: number;
  /** First derivatives computed by finite differences (usually 0). */
  readonly fdEntries: number;
  readonly observe: SensObserve;
  /** One per event (null when the event assigns nothing whose sensitivity can be nonzero). */
  readonly jumps: readonly (SensJump | null)[];
}

const SQRT_EPS = Math.sqrt(Number.EPSILON);
const isZero = (e: Expr): boolean => e.kind === 'num' && e.value === 0;

/**
 * @param wrt parameter-vector indices of theta
 * @param A parameter-vector indices whose values may depend on theta (must contain `wrt`)
 * @param observables indices into `model.observableIds`
 */
export function buildSensitivityCode(
  model: CompiledModel,
  wrt: readonly number[],
  A: readonly number[],
  observables: readonly number[],
): SensitivityCode {
  const lowered = model.lowered;
  if (!lowered)
    throw new Error('sensitivities: the compiled model carries no lowered formulas (recompile it)');
  const f = model.derivatives;
  const n = f.length;
  const k = wrt.length;
  const nA = A.length;
  const N = n + n * k;
  const rowOfA = new Map<number, number>();
  A.forEach((a, i) => rowOfA.set(a, i));

  // Symbols of FD-computed first derivatives: `$fj<s*n+r>` (df_s/dy_r) and `$fp<s*nA+ia>` (df_s/dp_A[ia]).
  const resolve = (name: string): string => {
    if (name.startsWith('$fj')) return `X[${name.slice(3)}]`;
    if (name.startsWith('$fp')) return `X[${n * n + Number(name.slice(3))}]`;
    if (name.startsWith('$y')) return `z[${name.slice(2)}]`;
    return loweredResolver(name);
  };
  const simp = new Map<Expr, Expr>();
  const memoY = Array.from({ length: n }, () => new Map<Expr, Expr>());
  const memoP = Array.from({ length: nA }, () => new Map<Expr, Expr>());
  const d = (e: Expr, v: string, memo: Map<Expr, Expr>): Expr => simplify(differentiate(e, v, memo), simp);

  /** The variables an expression reads: state indices and rows of A. */
  const readsOf = (e: Expr): { ys: number[]; as: number[] } => {
    const ys: number[] = [];
    const as: number[] = [];
    for (const s of freeSymbols(e)) {
      if (s.startsWith('$y')) ys.push(Number(s.slice(2)));
      else if (s.startsWith('$p')) {
        const ia = rowOfA.get(Number(s.slice(2)));
        if (ia !== undefined) as.push(ia);
      }
    }
    return { ys: ys.sort((a, b) => a - b), as: as.sort((a, b) => a - b) };
  };

  // First derivatives. null = identically zero.
  const fdJ: [number, number][] = [];
  const fdP: [number, number][] = [];
  const Jx: (Expr | null)[][] = [];
  const Px: (Expr | null)[][] = [];
  const fdRow = new Uint8Array(n); // row s has an FD first derivative: its S rows need FD second derivatives
  for (let s = 0; s < n; s++) {
    const rowJ: (Expr | null)[] = new Array(n).fill(null);
    const rowP: (Expr | null)[] = new Array(nA).fill(null);
    const { ys, as } = readsOf(f[s]);
    for (const r of ys) {
      try {
        const e = d(f[s], stateName(r), memoY[r]);
        if (!isZero(e)) rowJ[r] = e;
      } catch (err) {
        if (!(err instanceof NotDifferentiableError)) throw err;
        fdJ.push([s, r]);
        fdRow[s] = 1;
        rowJ[r] = { kind: 'sym', name: `$fj${s * n + r}` };
      }
    }
    for (const ia of as) {
      try {
        const e = d(f[s], paramName(A[ia]), memoP[ia]);
        if (!isZero(e)) rowP[ia] = e;
      } catch (err) {
        if (!(err instanceof NotDifferentiableError)) throw err;
        fdP.push([s, ia]);
        fdRow[s] = 1;
        rowP[ia] = { kind: 'sym', name: `$fp${s * nA + ia}` };
      }
    }
    Jx.push(rowJ);
    Px.push(rowP);
  }

  // Augmented right-hand side.
  const em = new Emitter(resolve);
  const fCodes = f.map((e) => em.value(e));
  fCodes.forEach((c, s) => em.statement(`dz[${s}] = ${c};`));
  for (let s = 0; s < n; s++) {
    const terms: [string, number, number][] = []; // code, z offset or -1, W row or -1
    for (let r = 0; r < n; r++) {
      const e = Jx[s][r];
      if (e) terms.push([em.value(e), n + r * k, -1]);
    }
    for (let ia = 0; ia < nA; ia++) {
      const e = Px[s][ia];
      if (e) terms.push([em.value(e), -1, ia * k]);
    }
    for (let j = 0; j < k; j++) {
      const parts = terms.map(([c, zo, wo]) => (zo >= 0 ? `${c} * z[${zo + j}]` : `${c} * W[${wo + j}]`));
      em.statement(`dz[${n + s * k + j}] = ${parts.length > 0 ? parts.join(' + ') : '0'};`);
    }
  }
  const rhs = buildFunction(['t', 'z', 'p', 'W', 'X', 'dz'], em.body()) as SensRhs;

  // Augmented Jacobian.
  const ej = new Emitter(resolve);
  const memoY2 = Array.from({ length: n }, () => new Map<Expr, Expr>());
  const fdPairs = new Set<number>(); // s*n + q: S rows of s need FD in column q
  const entries: [number, number, string][] = []; // row, column, code
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < n; r++) {
      const e = Jx[s][r];
      if (!e) continue;
      const c = ej.value(e);
      entries.push([s, r, c]);
      for (let j = 0; j < k; j++) entries.push([n + s * k + j, n + r * k + j, c]);
    }
    if (k === 0) continue;
    // d(dS_sj)/dy_q.
    const cols = new Map<number, [string, number, number][]>();
    const add = (q: number, code: string, zo: number, wo: number): void => {
      let list = cols.get(q);
      if (!list) cols.set(q, (list = []));
      list.push([code, zo, wo]);
    };
    const second = (e: Expr, zo: number, wo: number): void => {
      for (const q of readsOf(e).ys) {
        if (fdPairs.has(s * n + q)) continue;
        try {
          const h = d(e, stateName(q), memoY2[q]);
          if (!isZero(h)) add(q, ej.value(h), zo, wo);
        } catch (err) {
          if (!(err instanceof NotDifferentiableError)) throw err;
          fdPairs.add(s * n + q);
        }
      }
    };
    if (fdRow[s]) {
      for (let q = 0; q < n; q++) fdPairs.add(s * n + q);
    } else {
      for (let r = 0; r < n; r++) if (Jx[s][r]) second(Jx[s][r]!, n + r * k, -1);
      for (let ia = 0; ia < nA; ia++) if (Px[s][ia]) second(Px[s][ia]!, -1, ia * k);
    }
    for (const [q, terms] of cols) {
      if (fdPairs.has(s * n + q)) continue;
      for (let j = 0; j < k; j++) {
        const parts = terms.map(([c, zo, wo]) => (zo >= 0 ? `${c} * z[${zo + j}]` : `${c} * W[${wo + j}]`));
        entries.push([n + s * k + j, q, parts.join(' + ')]);
      }
    }
  }
  const temps = ej.body();
  const jacSymbolic = buildFunction(
    ['t', 'z', 'p', 'W', 'X', 'JJ'],
    `JJ.fill(0);\n${temps}\n${entries.map(([row, col, c]) => `JJ[${row * N + col}] = ${c};`).join('\n')}`,
  ) as SensitivityCode['jacobian'];
  // The same entries in compressed-row order, for the sparse LU of large augmented systems (the augmented
  // Jacobian is block lower triangular with k + 1 copies of df/dy on the diagonal). Only when every entry
  // is symbolic.
  let sparsity: CsrPattern | undefined;
  let sparseJacobian: SensitivityCode['sparseJacobian'];
  if (fdPairs.size === 0) {
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const rowPtr = new Int32Array(N + 1);
    for (const [row] of entries) rowPtr[row + 1]++;
    for (let i = 0; i < N; i++) rowPtr[i + 1] += rowPtr[i];
    sparsity = { rowPtr, colIdx: Int32Array.from(entries.map(([, col]) => col)) };
    sparseJacobian = buildFunction(
      ['t', 'z', 'p', 'W', 'X', 'V'],
      `${temps}\n${entries.map(([, , c], pos) => `V[${pos}] = ${c};`).join('\n')}`,
    ) as SensitivityCode['sparseJacobian'];
  }

  // FD buffer: first derivatives by forward differences of the model right-hand side.
  const xLength = n * n + n * nA;
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const fdJCols = [...new Set(fdJ.map(([, r]) => r))];
  const fdPCols = [...new Set(fdP.map(([, ia]) => ia))];
  const fill = (t: number, z: Float64Array, p: Float64Array, X: Float64Array): void => {
    if (fdJ.length === 0 && fdP.length === 0) return;
    model.rhs(t, z, p, f0);
    for (const r of fdJCols) {
      const v = z[r];
      z[r] = v + SQRT_EPS * Math.max(Math.abs(v), 1e-5);
      const h = z[r] - v;
      model.rhs(t, z, p, f1);
      z[r] = v;
      for (let s = 0; s < n; s++) X[s * n + r] = (f1[s] - f0[s]) / h;
    }
    for (const ia of fdPCols) {
      const a = A[ia];
      const v = p[a];
      p[a] = v + SQRT_EPS * Math.max(Math.abs(v), 1e-5);
      const h = p[a] - v;
      model.rhs(t, z, p, f1);
      p[a] = v;
      for (let s = 0; s < n; s++) X[n * n + s * nA + ia] = (f1[s] - f0[s]) / h;
    }
  };

  // FD columns of the augmented Jacobian (S rows of flagged s only).
  const fdQ = [...new Set([...fdPairs].map((x) => x % n))].sort((a, b) => a - b);
  const fdRowsOfQ = fdQ.map((q) => [...fdPairs].filter((x) => x % n === q).map((x) => Math.floor(x / n)));
  const g0 = new Float64Array(N);
  const g1 = new Float64Array(N);
  const X1 = new Float64Array(xLength);
  const jacobian: SensitivityCode['jacobian'] =
    fdQ.length === 0
      ? jacSymbolic
      : (t, z, p, W, X, JJ) => {
          jacSymbolic(t, z, p, W, X, JJ);
          rhs(t, z, p, W, X, g0);
          for (let c = 0; c < fdQ.length; c++) {
            const q = fdQ[c];
            const v = z[q];
            z[q] = v + SQRT_EPS * Math.max(Math.abs(v), 1e-5);
            const h = z[q] - v;
            fill(t, z, p, X1);
            rhs(t, z, p, W, X1, g1);
            z[q] = v;
            for (const s of fdRowsOfQ[c])
              for (let j = 0; j < k; j++) {
                const row = n + s * k + j;
                JJ[row * N + q] = (g1[row] - g0[row]) / h;
              }
          }
        };

  // Observables by the chain rule.
  const eo = new Emitter(resolve);
  const sensTerms = (e: Expr, what: string): [string, number, number][] => {
    const out: [string, number, number][] = [];
    const { ys, as } = readsOf(e);
    try {
      for (const r of ys) {
        const g = d(e, stateName(r), memoY[r]);
        if (!isZero(g)) out.push([eo.value(g), n + r * k, -1]);
      }
      for (const ia of as) {
        const g = d(e, paramName(A[ia]), memoP[ia]);
        if (!isZero(g)) out.push([eo.value(g), -1, ia * k]);
      }
    } catch (err) {
      if (!(err instanceof NotDifferentiableError)) throw err;
      throw new Error(`sensitivities: ${what} has no symbolic derivative (${err.message})`);
    }
    return out;
  };
  const sumCode = (terms: [string, number, number][], j: number): string =>
    terms.length === 0
      ? '0'
      : terms.map(([c, zo, wo]) => (zo >= 0 ? `${c} * z[${zo + j}]` : `${c} * W[${wo + j}]`)).join(' + ');
  observables.forEach((o, io) => {
    const e = lowered.observables[o];
    const v = eo.value(e);
    eo.statement(`out[${io}] = ${v};`);
    const terms = sensTerms(e, `observable '${model.observableIds[o]}'`);
    for (let j = 0; j < k; j++) eo.statement(`outS[${io * k + j}] = ${sumCode(terms, j)};`);
  });
  const observe = buildFunction(['t', 'z', 'p', 'W', 'out', 'outS'], eo.body()) as SensObserve;

  // Event jumps: d(amount written)/dtheta = d(value * volume)/dy S + d(value * volume)/dp_A W, pre-event.
  const jumps = lowered.events.map((ev, e) => {
    const targets = model.events[e].targets;
    if (targets.length === 0 || k === 0) return null;
    const ee = new Emitter(resolve);
    const lines: string[] = [];
    let any = false;
    targets.forEach((tg, a) => {
      const value = ev.volumes[a]
        ? ({ kind: 'call', op: 'times', args: [ev.values[a], ev.volumes[a]!] } as Expr)
        : ev.values[a];
      const terms: [string, number, number][] = [];
      const { ys, as } = readsOf(value);
      try {
        for (const r of ys) {
          const g = d(value, stateName(r), new Map());
          if (!isZero(g)) terms.push([ee.value(g), n + r * k, -1]);
        }
        for (const ia of as) {
          const g = d(value, paramName(A[ia]), new Map());
          if (!isZero(g)) terms.push([ee.value(g), -1, ia * k]);
        }
      } catch (err) {
        if (!(err instanceof NotDifferentiableError)) throw err;
        throw new Error(
          `sensitivities: event '${model.events[e].id}': assignment to '${tg.id}' has no symbolic derivative (${err.message})`,
        );
      }
      if (terms.length > 0 || tg.where === 'y' || rowOfA.has(tg.index)) any = true;
      for (let j = 0; j < k; j++) lines.push(`out[${a * k + j}] = ${sumCode(terms, j)};`);
    });
    if (!any) return null;
    for (const l of lines) ee.statement(l);
    return buildFunction(['t', 'z', 'p', 'W', 'out'], ee.body()) as SensJump;
  });

  return {
    n,
    k,
    A: Int32Array.from(A),
    rhs,
    jacobian,
    fill,
    xLength,
    fdEntries: fdJ.length + fdP.length,
    observe,
    jumps,
    ...(sparsity && sparseJacobian ? { sparsity, sparseJacobian } : {}),
  };
}
