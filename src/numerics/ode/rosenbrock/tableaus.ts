/**
 * Rosenbrock (linearly implicit) tableaus in the transformed form of Hairer & Wanner, Solving ODEs II,
 * sec. IV.7, eq. (7.25)-(7.27), which needs no Jacobian-vector products:
 *
 *   (I / (h gamma) - J) k_i = f(t + c_i h, y + sum_{j<i} a_ij k_j) + sum_{j<i} (C_ij / h) k_j + h d_i f_t
 *
 * where J = df/dy(t, y), f_t = df/dt(t, y). The solution is y1 = y + sum_j m_j k_j and the embedded one
 * y1^ = y + sum_j mHat_j k_j. Both methods here are stiffly accurate with a stiffly accurate embedded
 * method (c_s = 1, m = last row of `a` plus e_s, mHat = last row of `a`), so y1 - y1^ = k_s.
 *
 * Dense output (Hairer's RODAS code; Steinebach 2023 for Rodas5P), with theta = (t - t0) / h:
 *   y(theta) = (1 - theta) y0 + theta (y1 + (1 - theta) (D_1 + theta D_2 + theta^2 D_3 + ...)),
 *   D_r = sum_j H_rj k_j.
 */
export interface RosenbrockTableau {
  readonly name: string;
  /** Order of the propagated solution. */
  readonly order: number;
  /** Order of the embedded solution (the error estimate is O(h^(embeddedOrder + 1))). */
  readonly embeddedOrder: number;
  /** Order of the dense output (for documentation and tests). */
  readonly denseOrder: number;
  readonly stages: number;
  /** Diagonal coefficient gamma (all stages share it: one LU per step). */
  readonly gamma: number;
  /** Transformed stage coupling a_ij, row-major s*s, strictly lower triangular. */
  readonly a: Float64Array;
  /** Transformed C_ij, row-major s*s, strictly lower triangular (the k_j / h coupling). */
  readonly C: Float64Array;
  /** Stage times c_i = sum_j alpha_ij. */
  readonly c: Float64Array;
  /** Time-derivative weights d_i = sum_j gamma_ij (gamma_i in Hairer & Wanner). */
  readonly d: Float64Array;
  /** Solution weights m_j. */
  readonly m: Float64Array;
  /** Error weights e_j = m_j - mHat_j. */
  readonly e: Float64Array;
  /** Dense-output matrix H, row-major (rows x s). */
  readonly H: Float64Array;
  readonly denseRows: number;
}

function lowerTriangle(s: number, rows: readonly (readonly number[])[]): Float64Array {
  const out = new Float64Array(s * s);
  rows.forEach((row, i) => {
    if (row.length !== i) throw new Error(`tableau row ${i} has ${row.length} entries, expected ${i}`);
    row.forEach((v, j) => {
      out[i * s + j] = v;
    });
  });
  return out;
}

/** Build a stiffly accurate tableau: m = last row of a plus e_s, error weights e = e_s. */
function stifflyAccurate(spec: {
  name: string;
  order: number;
  embeddedOrder: number;
  denseOrder: number;
  gamma: number;
  a: readonly (readonly number[])[];
  C: readonly (readonly number[])[];
  c: readonly number[];
  d: readonly number[];
  H: readonly (readonly number[])[];
}): RosenbrockTableau {
  const s = spec.c.length;
  const a = lowerTriangle(s, spec.a);
  const m = new Float64Array(s);
  for (let j = 0; j < s - 1; j++) m[j] = a[(s - 1) * s + j];
  m[s - 1] = 1;
  const e = new Float64Array(s);
  e[s - 1] = 1;
  const H = new Float64Array(spec.H.length * s);
  spec.H.forEach((row, r) => {
    if (row.length !== s) throw new Error(`dense-output row ${r} has ${row.length} entries, expected ${s}`);
    row.forEach((v, j) => {
      H[r * s + j] = v;
    });
  });
  return {
    name: spec.name,
    order: spec.order,
    embeddedOrder: spec.embeddedOrder,
    denseOrder: spec.denseOrder,
    stages: s,
    gamma: spec.gamma,
    a,
    C: lowerTriangle(s, spec.C),
    c: Float64Array.from(spec.c),
    d: Float64Array.from(spec.d),
    m,
    e,
    H,
    denseRows: spec.H.length,
  };
}

/**
 * RODAS: Hairer & Wanner, Solving ODEs II, 2nd ed., sec. VI.4 (Table 4.1 gives the method in the
 * (alpha, gamma) form; the transformed coefficients and the third-order dense output are those of
 * Hairer's code RODAS, choice METH = 1). Order 4(3), 6 stages, gamma = 1/4, L-stable, stiffly accurate.
 */
export const RODAS4_TABLEAU: RosenbrockTableau = stifflyAccurate({
  name: 'Rodas4',
  order: 4,
  embeddedOrder: 3,
  denseOrder: 3,
  gamma: 0.25,
  a: [
    [],
    [1.544],
    [0.9466785280815826, 0.2557011698983284],
    [3.314825187068521, 2.896124015972201, 0.9986419139977817],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1],
  ],
  C: [
    [],
    [-5.6688],
    [-2.430093356833875, -0.2063599157091915],
    [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
    [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616],
    [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
  ],
  c: [0, 0.386, 0.21, 0.63, 1, 1],
  d: [0.25, -0.1043, 0.1035, -0.03620000000000023, 0, 0],
  H: [
    [10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662, 0],
    [-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872, 0],
  ],
});

/**
 * Rodas5P: G. Steinebach, "Construction of Rosenbrock-Wanner method Rodas5P and numerical benchmarks
 * within the Julia Differential Equations package", BIT Numerical Mathematics 63, 27 (2023).
 * Order 5(4), 8 stages, gamma = 0.21193756319429014, L-stable, stiffly accurate, with a fourth-order dense
 * output (3 rows of H). Designed to keep its order better than Rodas5 under order reduction (index-1 DAEs,
 * Prothero-Robinson).
 */
export const RODAS5P_TABLEAU: RosenbrockTableau = stifflyAccurate({
  name: 'Rodas5P',
  order: 5,
  embeddedOrder: 4,
  denseOrder: 4,
  gamma: 0.21193756319429014,
  a: [
    [],
    [3.0],
    [2.849394379747939, 0.45842242204463923],
    [-6.954028509809101, 2.489845061869568, -10.358996098473584],
    [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
    [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946],
    [
      -7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946,
      1,
    ],
    [
      -7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946,
      1, 1,
    ],
  ],
  C: [
    [],
    [-14.155112264123755],
    [-17.97296035885952, -2.859693295451294],
    [147.12150275711716, -1.41221402718213, 71.68940251302358],
    [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
    [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125, -0.6610691825249471],
    [
      30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783, -19.097331116725623,
      -28.087943162872662,
    ],
    [
      37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047, -40.06618937091002,
      -54.66780262877968, -9.48861652309627,
    ],
  ],
  c: [0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1, 1, 1],
  d: [
    0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734, 2.325825639765069, 0,
    0, 0,
  ],
  H: [
    [
      25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204, 0.524948541321073,
      1.1241088310450404, 0.4272876194431874, -0.17202221070155493,
    ],
    [
      -9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796, 20.176138334709044,
      15.98066361424651, -6.789040303419874, -6.710236069923372,
    ],
    [
      11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643, -52.072871366152654,
      -59.78993625266729, -0.15582684282751913, 4.883087185713722,
    ],
  ],
});
