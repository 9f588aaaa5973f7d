/**
 * The Thomas algorithm for the backward-Euler step of 1D diffusion on a line of n voxels, with the factorisation
 * computed once per (D dt / h^2, n, boundary kinds) and reused for every line and every step.
 *
 * The system is (I - r L) x = d with r = D dt / h^2 and L the cell-centred finite-volume Laplacian (times h^2):
 * row i is -r x[i-1] + b_i x[i] - r x[i+1] with b_i = 1 + (flux terms of its two faces). An interior face adds r;
 * a zero-flux (Neumann) boundary face adds nothing; a Dirichlet face with value g sits h/2 from the centre, so it
 * adds 2r to the diagonal and 2r g to the right-hand side (ghost-cell treatment). The matrix is a symmetric,
 * strictly diagonally dominant M-matrix: the elimination needs no pivoting and its inverse is non-negative
 * (positivity and a discrete maximum principle for any r). With two Neumann ends its rows sum to one, so the
 * solve conserves the sum of x to round-off (mass conservation).
 *
 * Elimination (Thomas, 1949; e.g. Press et al., Numerical Recipes, 3rd ed., sec. 2.4): with inv_i = 1 / (b_i -
 * r^2 inv_{i-1}) and up_i = r inv_i, forward  y_i = inv_i d_i + up_i y_{i-1},  back  x_i = y_i + up_i x_{i+1}.
 */

export interface TridiagonalFactor {
  readonly n: number;
  /** r = D dt / h^2. */
  readonly r: number;
  /** 1 / pivot_i. */
  readonly inv: Float64Array;
  /** r / pivot_i: the multiplier of the forward and the back substitution. */
  readonly up: Float64Array;
  /** Whether the low / high end is a Dirichlet face (adds 2r to the end diagonal). */
  readonly dirichletLow: boolean;
  readonly dirichletHigh: boolean;
}

export function factorTridiagonal(
  n: number,
  r: number,
  dirichletLow: boolean,
  dirichletHigh: boolean,
): TridiagonalFactor {
  const inv = new Float64Array(n);
  const up = new Float64Array(n);
  // pivot_i = b_i - r^2 / pivot_{i-1} cancels badly for large r (the Neumann matrix tends to a singular one).
  // Written as pivot_i = (1 + upper face term) + low_i with low_i = r * excess_{i-1} / pivot_{i-1} and
  // excess_i = pivot_i - r = 1 + low_i, every term is positive: no cancellation, exact conservation stays at
  // round-off for any r.
  let low = dirichletLow ? 2 * r : 0;
  for (let i = 0; i < n; i++) {
    const upperFace = i < n - 1 ? r : dirichletHigh ? 2 * r : 0;
    const excess = 1 + low;
    const pivot = excess + upperFace;
    const pinv = 1 / pivot;
    inv[i] = pinv;
    up[i] = r * pinv;
    low = r * excess * pinv;
  }
  return { n, r, inv, up, dirichletLow, dirichletHigh };
}

/**
 * The right-hand-side terms of a sweep, [qLow, qHigh, scale]: q is added at the first / last voxel of each line
 * (2 r g for a Dirichlet face with value g, else 0); the contiguous sweep multiplies u by `scale` first, so the
 * caller can fold a uniform factor (the exact decay) into it at no cost. Passed as an array, not as numbers:
 * a double argument of a call that is not inlined is boxed, and the hot loop must not allocate.
 */
export type SweepTerms = Float64Array;

export function sweepTerms(qLow: number, qHigh: number, scale = 1): SweepTerms {
  return Float64Array.of(qLow, qHigh, scale);
}

/** Lines per block of the contiguous sweep (measured best of 4..64 on 100- and 30-voxel lines). */
const LINE_BLOCK = 16;

/** Lines per chunk of the strided sweep: 256 lines x 100 positions x 8 bytes = 200 kB. */
const STRIDED_CHUNK = 256;

/**
 * Solves all lines along the contiguous axis (x) in place: `lines` lines of n values starting at `offset`, line
 * after line, right-hand side `scale * u + q` (see SweepTerms).
 */
export function sweepContiguous(
  u: Float64Array,
  offset: number,
  lines: number,
  f: TridiagonalFactor,
  terms: SweepTerms,
): void {
  const qLow = terms[0];
  const qHigh = terms[1];
  const scale = terms[2];
  const n = f.n;
  const inv = f.inv;
  const up = f.up;
  if (n === 1) {
    const c = inv[0];
    const q = (qLow + qHigh) * c;
    const s = scale * c;
    for (let l = 0, p = offset; l < lines; l++, p++) u[p] = s * u[p] + q;
    return;
  }
  const last = n - 1;
  const qLo = qLow * inv[0];
  const qHi = qHigh * inv[last];
  // Lines are processed in blocks of LINE_BLOCK with the line index innermost: the recurrence of one line is a
  // serial chain of multiply-adds, and interleaving independent lines hides its latency (about 1.5-2x faster
  // than line by line here). The arithmetic per value is unchanged, so the result is the same bits.
  for (let l0 = 0; l0 < lines; l0 += LINE_BLOCK) {
    const b0 = offset + l0 * n;
    const b1 = offset + Math.min(lines, l0 + LINE_BLOCK) * n;
    {
      const c = scale * inv[0];
      for (let p = b0; p < b1; p += n) u[p] = c * u[p] + qLo;
    }
    for (let i = 1; i < last; i++) {
      const c = scale * inv[i];
      const a = up[i];
      for (let p = b0 + i; p < b1; p += n) u[p] = c * u[p] + a * u[p - 1];
    }
    {
      const c = scale * inv[last];
      const a = up[last];
      for (let p = b0 + last; p < b1; p += n) u[p] = c * u[p] + qHi + a * u[p - 1];
    }
    for (let i = last - 1; i >= 0; i--) {
      const a = up[i];
      for (let p = b0 + i; p < b1; p += n) u[p] += a * u[p + 1];
    }
  }
}

/**
 * Solves, in place, `width` independent lines that run along a strided axis: value m of line position i sits at
 * offset + i * stride + m (0 <= m < width <= stride); the right-hand side is u + q (the scale of `terms` is not used). The recurrence advances over i while the inner loop runs
 * over the `width` contiguous lines, so memory is read in order and the lines' chains are independent.
 */
export function sweepStrided(
  u: Float64Array,
  offset: number,
  width: number,
  stride: number,
  f: TridiagonalFactor,
  terms: SweepTerms,
): void {
  const qLow = terms[0];
  const qHigh = terms[1];
  const n = f.n;
  const inv = f.inv;
  const up = f.up;
  if (n === 1) {
    const c = inv[0];
    const q = (qLow + qHigh) * c;
    for (let m = offset, end = offset + width; m < end; m++) u[m] = c * u[m] + q;
    return;
  }
  const last = n - 1;
  // Chunks of STRIDED_CHUNK lines: forward and back substitution of a chunk touch n * chunk values, which stay
  // in the L2 cache between the two passes even when a whole plane of lines does not.
  for (let m0 = offset, mEnd = offset + width; m0 < mEnd; m0 += STRIDED_CHUNK) {
    const m1 = Math.min(mEnd, m0 + STRIDED_CHUNK);
    // Forward elimination, first row (with the low face's Dirichlet term).
    {
      const c = inv[0];
      const q = qLow * c;
      for (let m = m0; m < m1; m++) u[m] = c * u[m] + q;
    }
    for (let i = 1; i < last; i++) {
      const c = inv[i];
      const a = up[i];
      const row = i * stride;
      for (let m = m0 + row; m < m1 + row; m++) u[m] = c * u[m] + a * u[m - stride];
    }
    {
      const c = inv[last];
      const a = up[last];
      const q = qHigh * c;
      const row = last * stride;
      for (let m = m0 + row; m < m1 + row; m++) u[m] = c * u[m] + q + a * u[m - stride];
    }
    // Back substitution.
    for (let i = last - 1; i >= 0; i--) {
      const a = up[i];
      const row = i * stride;
      for (let m = m0 + row; m < m1 + row; m++) u[m] += a * u[m + stride];
    }
  }
}
