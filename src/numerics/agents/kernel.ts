/**
 * The mechanics step's per-agent work as functions over ranges of cell-list positions, shared by the one-thread
 * `Mechanics` and the worker thread of `ParallelMechanics` (parallel.ts), so both run the same code on the same
 * data.
 *
 * Bit-identical for any split: the pair loop visits each pair once (half stencil: the rest of the agent's bin,
 * the next bin in x, the row above in y and, in 3D, the three rows of the next plane in z), and every stencil bin
 * has a larger linear index than the agent's bin. So in one pass over all bins, agent m's accumulator receives the
 * pair terms of the agents k < m in ascending k, then its own forward sum. A thread that owns the positions of
 * bins [bLo, bHi) reproduces exactly that: a prepass over the `halo` bins before bLo (the only ones whose stencil
 * reaches bLo) adds their terms to its own agents in ascending k, then its own bins run the ordinary loop, adding
 * terms to agents past bHi only to its own forward sums (the other thread computes them for its agents in its
 * prepass). Each thread writes only its own agents' velocities; no sum's order depends on the split.
 *
 * `pairs` runs the same loop from neighbour (Verlet) lists when the caller says they are complete: the same terms
 * in the same order, so the same bits (see there).
 */
import { philox4x32 } from '../random/philox.js';

/** Columns, cell list and private scratch one thread reads and writes in a mechanics step. */
export interface KernelState {
  dims: 2 | 3;
  dt: number;
  /** 0 none, 1 reflect, 2 wall. */
  boundary: 0 | 1 | 2;
  wallStrength: number;
  lo: Float64Array;
  hi: Float64Array;
  words: Uint32Array;
  // store columns (rows)
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  vz: Float64Array;
  radius: Float64Array;
  repulsion: Float64Array;
  adhesion: Float64Array;
  adhesionReach: Float64Array;
  speed: Float64Array;
  persistence: Float64Array;
  mx: Float64Array;
  my: Float64Array;
  mz: Float64Array;
  rngBlock: Float64Array;
  chemoBias: Float64Array;
  cx: Float64Array;
  cy: Float64Array;
  cz: Float64Array;
  k0: Int32Array;
  k1: Int32Array;
  k2: Int32Array;
  k3: Int32Array;
  keyed: Uint8Array;
  // cell list
  order: Int32Array;
  binStart: Int32Array;
  nx: number;
  ny: number;
  nz: number;
  // private scratch, indexed by cell-list position
  sx: Float64Array;
  sy: Float64Array;
  sz: Float64Array;
  sr: Float64Array;
  sqr: Float64Array;
  sqa: Float64Array;
  sreach: Float64Array;
  ax: Float64Array;
  ay: Float64Array;
  az: Float64Array;
  // neighbour (Verlet) lists, see pairs()
  /** 0: cell-list pair loop only; 1: build the own agents' lists, then use them; 2: use the lists. */
  listMode: 0 | 1 | 2;
  /** Lists hold every pair closer than S + skin (um) at the build. */
  skin: number;
  /** Half the cell list's bin size: no agent reaches further (the cell list is rebuilt wider otherwise). */
  halfBin: number;
  /** Cell-list geometry (as CellList.binX etc.: same formula, so the same bins). */
  x0: number;
  y0: number;
  z0: number;
  ix: number;
  iy: number;
  iz: number;
  /** Cell-list position and bin of each store row (CellList.pos, binOf). */
  pos: Int32Array;
  binOf: Int32Array;
  /** Neighbour rows of row i: nbr[i nbK .. i nbK + nbrCount[i]). */
  nbr: Int32Array;
  nbrCount: Int32Array;
  nbK: number;
  /** Private scratch: one agent's forward partners, sorted (length >= nbK). */
  vbuf: Int32Array;
}

const TWO_PI = 2 * Math.PI;
const TWO26 = 67108864;
const TWO_M53 = 1 / 9007199254740992;

/** Uniform in [0, 1) from two 32-bit words, as RandomStream.nextFloat64 (same bits). */
function u53(a: number, b: number): number {
  return ((a >>> 5) * TWO26 + (b >>> 6)) * TWO_M53;
}

/** Linear-index distance from a bin to the farthest bin of its forward stencil. */
export function stencilHalo(dims: 2 | 3, nx: number, ny: number): number {
  return dims === 3 ? nx * ny + nx + 1 : nx + 1;
}

/**
 * Bins either side of a thread's range whose agents it reads in a step of list mode `mode` (kernel state
 * listMode): the stencil halo, twice it when building lists (a build searches up to two bins away: the box
 * half-width a_k + halfBin + skin is below two bin widths since skin <= half the bin size).
 */
export function gatherHalo(dims: 2 | 3, nx: number, ny: number, mode: 0 | 1 | 2): number {
  return (mode === 1 ? 2 : 1) * stencilHalo(dims, nx, ny);
}

/** Copies positions, radii and coefficient roots of cell-list positions [kFrom, kTo) into the scratch. */
export function gatherRange(s: KernelState, kFrom: number, kTo: number): void {
  const { order, x, y, z, radius, repulsion, adhesion, adhesionReach, sx, sy, sz, sr, sqr, sqa, sreach } = s;
  for (let k = kFrom; k < kTo; k++) {
    const i = order[k];
    sx[k] = x[i];
    sy[k] = y[i];
    sz[k] = z[i];
    sr[k] = radius[i];
    sqr[k] = Math.sqrt(repulsion[i]);
    sqa[k] = Math.sqrt(adhesion[i]);
    sreach[k] = adhesionReach[i] * radius[i];
  }
}

/**
 * Pair forces of the agents at positions [binStart[bLo], binStart[bHi]) into ax/ay/az (their scratch slots).
 * Reads the scratch over [binStart[max(0, bLo - halo)], binStart[min(bins, bHi + halo)]) (gathered before).
 */
export function pairRange(s: KernelState, bLo: number, bHi: number): void {
  const { binStart, ax, ay, az } = s;
  const kLo = binStart[bLo];
  const kHi = binStart[bHi];
  ax.fill(0, kLo, kHi);
  ay.fill(0, kLo, kHi);
  az.fill(0, kLo, kHi);
  cellPasses(s, bLo, bHi, 0, 2);
}

/** The cell-list pair loop, passes [p0, p1) (0: prepass over the halo bins, 1: own bins); ax/ay/az zeroed before. */
function cellPasses(s: KernelState, bLo: number, bHi: number, p0: number, p1: number): void {
  const { binStart, nx, ny, sx, sy, sz, sr, sqr, sqa, sreach, ax, ay, az } = s;
  const nz = s.dims === 3 ? s.nz : 1;
  const kLo = binStart[bLo];
  const kHi = binStart[bHi];
  const bPre = Math.max(0, bLo - stencilHalo(s.dims, nx, ny));
  // own = false: prepass over earlier bins, their terms on our agents only; true: our bins.
  for (let pass = p0; pass < p1; pass++) {
    const own = pass === 1;
    const b0 = own ? bLo : bPre;
    const b1 = own ? bHi : bLo;
    for (let b = b0; b < b1; b++) {
      const k0 = binStart[b];
      const kEnd = binStart[b + 1];
      if (kEnd === k0) continue;
      const bx = b % nx;
      const bxy = (b - bx) / nx;
      const by = bxy % ny;
      const bz = (bxy - by) / ny;
      if (bz >= nz) break;
      const yUp = by + 1 < ny;
      const y0 = by > 0 ? by - 1 : 0;
      const y1 = by < ny - 1 ? by + 1 : ny - 1;
      const zUp = bz + 1 < nz;
      const x0 = bx > 0 ? bx - 1 : 0;
      const x1 = bx < nx - 1 ? bx + 1 : nx - 1;
      const sameEnd = binStart[b + (bx < nx - 1 ? 2 : 1)];
      for (let k = k0; k < kEnd; k++) {
        const xk = sx[k];
        const yk = sy[k];
        const zk = sz[k];
        const rk = sr[k];
        const qr = sqr[k];
        const qa = sqa[k];
        const ak = sreach[k];
        let fx = 0;
        let fy = 0;
        let fz = 0;
        // ranges: r = 0 same row (k+1 .. end of bin bx+1), 1 row by+1, 2..4 rows by-1..by+1 of plane bz+1
        for (let r = 0; r < 5; r++) {
          let mStart: number;
          let mEnd: number;
          if (r === 0) {
            mStart = k + 1;
            mEnd = sameEnd;
          } else if (r === 1) {
            if (!yUp) continue;
            const row = nx * (by + 1 + ny * bz);
            mStart = binStart[row + x0];
            mEnd = binStart[row + x1 + 1];
          } else {
            const cy = y0 + r - 2;
            if (!zUp || cy > y1) continue;
            const row = nx * (cy + ny * (bz + 1));
            mStart = binStart[row + x0];
            mEnd = binStart[row + x1 + 1];
          }
          // Own agent k: terms on partners before kHi go to both (scatter), past kHi to k only. Prepass: partners
          // in [kLo, kHi) only, nothing to k. Each sub-range keeps ascending m, so every sum keeps its order.
          const sEnd = Math.min(mEnd, kHi);
          const sStart = own ? mStart : Math.max(mStart, kLo);
          for (let m = sStart; m < sEnd; m++) {
            const dx = xk - sx[m];
            const dy = yk - sy[m];
            const dz = zk - sz[m];
            const S = ak + sreach[m];
            const R = rk + sr[m];
            const d2 = dx * dx + dy * dy + dz * dz;
            // S >= R since the store keeps adhesionReach >= 1: S is the reach of the pair
            if (d2 >= S * S || d2 === 0) continue;
            const f = pairForce(Math.sqrt(d2), R, S, qr * sqr[m], qa * sqa[m]);
            const gx = f * dx;
            const gy = f * dy;
            const gz = f * dz;
            fx += gx;
            fy += gy;
            fz += gz;
            ax[m] -= gx;
            ay[m] -= gy;
            az[m] -= gz;
          }
          if (!own) continue;
          for (let m = Math.max(sEnd, mStart); m < mEnd; m++) {
            const dx = xk - sx[m];
            const dy = yk - sy[m];
            const dz = zk - sz[m];
            const S = ak + sreach[m];
            const R = rk + sr[m];
            const d2 = dx * dx + dy * dy + dz * dz;
            if (d2 >= S * S || d2 === 0) continue;
            const f = pairForce(Math.sqrt(d2), R, S, qr * sqr[m], qa * sqa[m]);
            fx += f * dx;
            fy += f * dy;
            fz += f * dz;
          }
        }
        if (own) {
          ax[k] += fx;
          ay[k] += fy;
          az[k] += fz;
        }
      }
    }
  }
}

/**
 * Pair forces of the agents in bins [bLo, bHi), as pairRange (same bits), from neighbour lists when
 * `s.listMode` > 0. Returns the longest list built (listMode 1; more than nbK: the lists overflowed, and this call
 * fell back to the cell-list loop for its own agents), else 0.
 *
 * Why the bits stay the same: a pair further apart than its reach S contributes nothing (the cell-list loop skips
 * it), so a loop that visits only the pairs of a superset of the interacting ones, in the same order, adds the
 * same terms in the same order. The lists (full: each pair in both agents' lists) hold every pair closer than
 * S + skin when built, whatever their bins, and stay complete while no agent has moved skin / 2 (Mechanics checks
 * that, with the rows, radii and reach, before each step). At use the cell-list order of the step decides: agent k
 * takes, from its list, the partners at later cell-list positions inside its forward stencil (the ranges the
 * cell-list loop visits), sorted by position, so every sum keeps the cell-list loop's order even when agents have
 * changed bins since the build.
 */
export function pairs(s: KernelState, bLo: number, bHi: number): number {
  if (s.listMode === 0) {
    pairRange(s, bLo, bHi);
    return 0;
  }
  const { binStart, ax, ay, az } = s;
  const kLo = binStart[bLo];
  const kHi = binStart[bHi];
  ax.fill(0, kLo, kHi);
  ay.fill(0, kLo, kHi);
  az.fill(0, kLo, kHi);
  const halo = stencilHalo(s.dims, s.nx, s.ny);
  // own partners lie before the end of the stencil halo after bHi (a listed agent past it, now out of reach, has
  // no fresh scratch)
  const gEnd = binStart[Math.min(binStart.length - 1, bHi + halo)];
  if (s.listMode === 2) {
    listPass(s, binStart[Math.max(0, bLo - halo)], kLo, kLo, kHi, kHi, false);
    listPass(s, kLo, kHi, kHi, gEnd, kHi, true);
    return 0;
  }
  // Build: the halo agents' lists belong to the other thread (being built now), so the prepass is the cell loop.
  cellPasses(s, bLo, bHi, 0, 1);
  const longest = buildLists(s, bLo, bHi);
  if (longest > s.nbK) cellPasses(s, bLo, bHi, 1, 2);
  else listPass(s, kLo, kHi, kHi, gEnd, kHi, true);
  return longest;
}

/** Bin coordinate of c on an axis (CellList.binX's formula: the same bins). */
function binAt(c: number, c0: number, inv: number, n: number): number {
  const b = Math.floor((c - c0) * inv);
  return b < 0 ? 0 : b >= n ? n - 1 : b;
}

/**
 * Lists of the agents in bins [bLo, bHi): every other agent closer than S + skin, found in the bins of the box of
 * half-width a_k + halfBin + skin around the agent (binning is monotone, so the box's bins hold every agent inside
 * it; the reach a of any agent is at most halfBin). Reads the scratch gathered over gatherHalo(.., 1) bins either
 * side. Returns the longest list (entries past nbK are counted, not written).
 */
function buildLists(s: KernelState, bLo: number, bHi: number): number {
  const { order, binStart, sx, sy, sz, sreach, nbr, nbrCount, nx, ny } = s;
  const nz = s.dims === 3 ? s.nz : 1;
  const K = s.nbK;
  const skin = s.skin;
  const reach = s.halfBin + skin;
  const kLo = binStart[bLo];
  const kHi = binStart[bHi];
  let longest = 0;
  for (let k = kLo; k < kHi; k++) {
    const xk = sx[k];
    const yk = sy[k];
    const zk = sz[k];
    const ak = sreach[k];
    // widened by a relative 1e-9: rounding of xk +- w cannot drop a bin
    const w = (ak + reach) * (1 + 1e-9) + 1e-9;
    const bx0 = binAt(xk - w, s.x0, s.ix, nx);
    const bx1 = binAt(xk + w, s.x0, s.ix, nx);
    const by0 = binAt(yk - w, s.y0, s.iy, ny);
    const by1 = binAt(yk + w, s.y0, s.iy, ny);
    const bz0 = nz === 1 ? 0 : binAt(zk - w, s.z0, s.iz, nz);
    const bz1 = nz === 1 ? 0 : binAt(zk + w, s.z0, s.iz, nz);
    const ak2 = ak + skin;
    const base = order[k] * K;
    let c = 0;
    for (let bz = bz0; bz <= bz1; bz++)
      for (let by = by0; by <= by1; by++) {
        const row = nx * (by + ny * bz);
        const mEnd = binStart[row + bx1 + 1];
        for (let m = binStart[row + bx0]; m < mEnd; m++) {
          const dx = xk - sx[m];
          const dy = yk - sy[m];
          const dz = zk - sz[m];
          const t = ak2 + sreach[m];
          if (dx * dx + dy * dy + dz * dz < t * t && m !== k) {
            if (c < K) nbr[base + c] = order[m];
            c++;
          }
        }
      }
    nbrCount[order[k]] = c;
    if (c > longest) longest = c;
  }
  return longest;
}

/**
 * The pair loop over the lists of the agents at positions [kFrom, kTo): own = true for the thread's own agents
 * (partners up to pTo, the end of the gathered scratch; terms to both agents below kHi, to the agent only past
 * it), false for the prepass over the halo (partners in [pFrom, pTo), the thread's own agents). Same terms in the same order as cellPasses: agent k's partners there are the agents at later
 * positions in adjacent bins (the forward stencil is exactly the adjacent bins after k's bin), taken here in
 * ascending position. A pair closer than its reach S lies in adjacent bins (S <= bin size <= bin width), so the
 * adjacency test is needed only when S is within a relative 1e-9 of the bin size (rounding in the binning).
 */
function listPass(
  s: KernelState,
  kFrom: number,
  kTo: number,
  pFrom: number,
  pTo: number,
  kHi: number,
  own: boolean,
): void {
  const { sx, sy, sz, sr, sqr, sqa, sreach, ax, ay, az, order, pos, binOf, nbr, nbrCount, vbuf, nx, ny } = s;
  const K = s.nbK;
  const sNear = 2 * s.halfBin * (1 - 1e-9);
  for (let k = kFrom; k < kTo; k++) {
    const i = order[k];
    const c = nbrCount[i];
    const base = i * K;
    // partners after k and before pTo (own) or in [pFrom, pTo) (prepass), sorted by position
    const pLo = own ? k + 1 : pFrom;
    const pHi = pTo;
    let cnt = 0;
    for (let e = 0; e < c; e++) {
      const p = pos[nbr[base + e]];
      if (p < pLo || p >= pHi) continue;
      let q = cnt++;
      while (q > 0 && vbuf[q - 1] > p) {
        vbuf[q] = vbuf[q - 1];
        q--;
      }
      vbuf[q] = p;
    }
    if (cnt === 0 && !own) continue;
    const xk = sx[k];
    const yk = sy[k];
    const zk = sz[k];
    const rk = sr[k];
    const qr = sqr[k];
    const qa = sqa[k];
    const ak = sreach[k];
    let fx = 0;
    let fy = 0;
    let fz = 0;
    for (let e = 0; e < cnt; e++) {
      const m = vbuf[e];
      const dx = xk - sx[m];
      const dy = yk - sy[m];
      const dz = zk - sz[m];
      const S = ak + sreach[m];
      const R = rk + sr[m];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 >= S * S || d2 === 0) continue;
      if (S >= sNear && !adjacent(binOf[i], binOf[order[m]], nx, ny)) continue;
      const f = pairForce(Math.sqrt(d2), R, S, qr * sqr[m], qa * sqa[m]);
      const gx = f * dx;
      const gy = f * dy;
      const gz = f * dz;
      fx += gx;
      fy += gy;
      fz += gz;
      if (m < kHi) {
        ax[m] -= gx;
        ay[m] -= gy;
        az[m] -= gz;
      }
    }
    if (own) {
      ax[k] += fx;
      ay[k] += fy;
      az[k] += fz;
    }
  }
}

/**
 * The pair's force over its distance d (PhysiCell's potentials): repulsion rep (1 - d/R)^2 inside the contact
 * distance R minus adhesion adh (1 - d/S)^2 inside the reach S, divided by d. One home for the law so that the
 * cell-list loops and the neighbour-list loop stay bit for bit the same.
 */
function pairForce(d: number, R: number, S: number, rep: number, adh: number): number {
  let f = 0;
  if (d < R) {
    const t = 1 - d / R;
    f = rep * t * t;
  }
  if (d < S) {
    const t = 1 - d / S;
    f -= adh * t * t;
  }
  return f / d;
}

/** Bins a and b are equal or neighbours (each coordinate within one). */
function adjacent(a: number, b: number, nx: number, ny: number): boolean {
  const ax = a % nx;
  const bx = b % nx;
  const ay = ((a - ax) / nx) % ny;
  const by = ((b - bx) / nx) % ny;
  const az = (a - ax - nx * ay) / (nx * ny);
  const bz = (b - bx - nx * by) / (nx * ny);
  return Math.abs(ax - bx) <= 1 && Math.abs(ay - by) <= 1 && Math.abs(az - bz) <= 1;
}

/**
 * Velocities of the agents at positions [kLo, kHi): pair forces, then the domain-edge walls (axes in order, low
 * face then high), then random motility (keys derived beforehand, see Mechanics.prepare).
 */
export function finishRange(s: KernelState, kLo: number, kHi: number): void {
  const { order, ax, ay, az, vx, vy, vz, radius, lo, hi } = s;
  const d = s.dims;
  const wall = s.boundary === 2;
  const cw = s.wallStrength;
  for (let k = kLo; k < kHi; k++) {
    const i = order[k];
    vx[i] = ax[k];
    vy[i] = ay[k];
    vz[i] = az[k];
    if (wall) {
      const r = radius[i];
      for (let a = 0; a < d; a++) {
        const p = a === 0 ? s.x : a === 1 ? s.y : s.z;
        const v = a === 0 ? vx : a === 1 ? vy : vz;
        const dl = p[i] - lo[a];
        if (dl < r) {
          const t = 1 - dl / r;
          v[i] += cw * t * t;
        }
        const dh = hi[a] - p[i];
        if (dh < r) {
          const t = 1 - dh / r;
          v[i] -= cw * t * t;
        }
      }
    }
  }
  motilityRange(s, kLo, kHi);
}

/**
 * Random motility of the agents at positions [kLo, kHi) (PhysiCell's update_motility_vector; see mechanics.ts).
 * Kept apart from finishRange so that the Philox calls stay small enough to inline (no boxed doubles).
 */
function motilityRange(s: KernelState, kLo: number, kHi: number): void {
  const { order, vx, vy, vz, speed, persistence, mx, my, mz, rngBlock, k0, k1, k2, k3, keyed } = s;
  const { chemoBias, cx, cy, cz } = s;
  const w = s.words;
  const dt = s.dt;
  const three = s.dims === 3;
  for (let k = kLo; k < kHi; k++) {
    const i = order[k];
    const sp = speed[i];
    if (sp === 0) continue;
    if (keyed[i] === 0) throw new Error(`mechanics kernel: motile row ${i} has no stream key`);
    let blk = rngBlock[i];
    const bl = blk % 4294967296;
    philox4x32(bl, (blk - bl) / 4294967296, k2[i], k3[i], k0[i], k1[i], w, 0);
    blk++;
    const u1 = u53(w[0], w[1]);
    const u2 = u53(w[2], w[3]);
    const tau = persistence[i];
    if ((mx[i] === 0 && my[i] === 0 && mz[i] === 0) || tau <= dt || u1 < dt / tau) {
      if (three) {
        const bl2 = blk % 4294967296;
        philox4x32(bl2, (blk - bl2) / 4294967296, k2[i], k3[i], k0[i], k1[i], w, 4);
        blk++;
        const cz = 2 * u2 - 1;
        const rho = Math.sqrt(Math.max(0, 1 - cz * cz));
        const phi = TWO_PI * u53(w[4], w[5]);
        mx[i] = rho * Math.cos(phi);
        my[i] = rho * Math.sin(phi);
        mz[i] = cz;
      } else {
        const phi = TWO_PI * u2;
        mx[i] = Math.cos(phi);
        my[i] = Math.sin(phi);
      }
    }
    rngBlock[i] = blk;
    const b = chemoBias[i];
    if (b > 0 && (cx[i] !== 0 || cy[i] !== 0 || cz[i] !== 0)) {
      // PhysiCell's update_motility_vector: the random direction biased towards c, renormalised.
      const dx = (1 - b) * mx[i] + b * cx[i];
      const dy = (1 - b) * my[i] + b * cy[i];
      const dz = (1 - b) * mz[i] + b * cz[i];
      const norm = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (norm > 0) {
        const f = sp / norm;
        vx[i] += f * dx;
        vy[i] += f * dy;
        vz[i] += f * dz;
        continue;
      }
    }
    vx[i] += sp * mx[i];
    vy[i] += sp * my[i];
    vz[i] += sp * mz[i];
  }
}
