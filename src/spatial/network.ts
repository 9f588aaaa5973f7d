/**
 * The vessel network read-out (issue #11, docs/spatial.md "Vessel network"): endothelial cells are the nodes; two
 * of them are joined by an edge when they adhere, i.e. their centres are within the mechanics' adhesion reach
 * (PhysiCell: relative maximum adhesion distance x (R_i + R_j)). Total tube length is the sum of the edge lengths
 * (the Matrigel read-out "total cumulative tube length", Mineo 2012), with connected components and branch points
 * (nodes joined to three or more others) as the network's shape. Pure: takes positions, no simulation state.
 */

export interface VesselNetwork {
  /** Endothelial cells (nodes). */
  readonly cells: number;
  /** Adhered pairs (edges). */
  readonly edges: number;
  /** Sum of the edge lengths (um). */
  readonly length: number;
  /** Connected components (an isolated cell is one). */
  readonly components: number;
  /** Nodes with three or more edges. */
  readonly branchPoints: number;
  /** Nodes with exactly one edge (sprout tips and chain ends). */
  readonly tips: number;
}

/**
 * The network of `n` cells at (x[i], y[i], z[i]) with radii r[i]: an edge where |c_i - c_j| <= reach (r_i + r_j).
 * Pairs are found through a uniform bin grid of edge reach x 2 max(r), so the cost is O(n) for a spread network.
 */
export function vesselNetwork(
  n: number,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  z: ArrayLike<number>,
  r: ArrayLike<number>,
  reach: number,
): VesselNetwork {
  if (!(reach > 0)) throw new RangeError(`vesselNetwork: reach ${reach}: expected > 0`);
  if (n === 0) return { cells: 0, edges: 0, length: 0, components: 0, branchPoints: 0, tips: 0 };
  let rMax = 0;
  let lo0 = Number.POSITIVE_INFINITY;
  let lo1 = Number.POSITIVE_INFINITY;
  let lo2 = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (!(r[i] > 0)) throw new RangeError(`vesselNetwork: radius ${r[i]} of cell ${i}: expected > 0`);
    rMax = Math.max(rMax, r[i]);
    lo0 = Math.min(lo0, x[i]);
    lo1 = Math.min(lo1, y[i]);
    lo2 = Math.min(lo2, z[i]);
  }
  const h = 2 * reach * rMax;
  // Bins keyed by integer coordinates (a Map: the network is sparse in a large domain).
  const bins = new Map<string, number[]>();
  const key = (a: number, b: number, c: number) => `${a},${b},${c}`;
  const bi = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const a = Math.floor((x[i] - lo0) / h);
    const b = Math.floor((y[i] - lo1) / h);
    const c = Math.floor((z[i] - lo2) / h);
    bi[3 * i] = a;
    bi[3 * i + 1] = b;
    bi[3 * i + 2] = c;
    const k = key(a, b, c);
    const list = bins.get(k);
    if (list) list.push(i);
    else bins.set(k, [i]);
  }
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    let a = i;
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const degree = new Int32Array(n);
  let edges = 0;
  let length = 0;
  for (let i = 0; i < n; i++) {
    for (let da = -1; da <= 1; da++)
      for (let db = -1; db <= 1; db++)
        for (let dc = -1; dc <= 1; dc++) {
          const list = bins.get(key(bi[3 * i] + da, bi[3 * i + 1] + db, bi[3 * i + 2] + dc));
          if (!list) continue;
          for (const j of list) {
            if (j <= i) continue;
            const dx = x[j] - x[i];
            const dy = y[j] - y[i];
            const dz = z[j] - z[i];
            const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
            if (d > reach * (r[i] + r[j])) continue;
            edges++;
            length += d;
            degree[i]++;
            degree[j]++;
            const a = find(i);
            const b = find(j);
            if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
          }
        }
  }
  let components = 0;
  let branchPoints = 0;
  let tips = 0;
  for (let i = 0; i < n; i++) {
    if (find(i) === i) components++;
    if (degree[i] >= 3) branchPoints++;
    else if (degree[i] === 1) tips++;
  }
  return { cells: n, edges, length, components, branchPoints, tips };
}
