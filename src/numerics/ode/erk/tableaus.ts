/**
 * Coefficients of the 7-stage FSAL explicit Runge-Kutta pairs of order 5(4). Both pairs share the structure
 * c6 = c7 = 1 and a7j = b_j (first same as last), so one stepper core serves both (see `fsal-erk.ts`).
 *
 * The coefficients are facts from the cited papers; `test/numerics/ode/erk/tableaus.test.ts` checks all
 * 17 order conditions of order 5 for b, the 8 conditions of order 4 for the embedded weights, and the
 * order-4 conditions of the dense-output weights b(theta).
 */

/** A 7-stage FSAL pair with c6 = c7 = 1: y1 = y0 + h sum_j a7j k_j, error estimate h sum_j e_j k_j. */
export interface Fsal7Tableau {
  readonly name: string;
  /** Order of the propagated solution. */
  readonly order: number;
  /** Order of the embedded (error-estimating) solution. */
  readonly embeddedOrder: number;
  readonly c2: number;
  readonly c3: number;
  readonly c4: number;
  readonly c5: number;
  readonly a21: number;
  readonly a31: number;
  readonly a32: number;
  readonly a41: number;
  readonly a42: number;
  readonly a43: number;
  readonly a51: number;
  readonly a52: number;
  readonly a53: number;
  readonly a54: number;
  readonly a61: number;
  readonly a62: number;
  readonly a63: number;
  readonly a64: number;
  readonly a65: number;
  /** Weights of the propagated solution (= last row of A, FSAL); b7 = 0 for both pairs. */
  readonly b: readonly [number, number, number, number, number, number, number];
  /** Error weights e = b - bhat (b minus the embedded weights). */
  readonly e: readonly [number, number, number, number, number, number, number];
  /**
   * Dense output: writes the weights b_j(theta) of y(t0 + theta h) = y0 + h sum_j b_j(theta) k_j into `w`
   * (length 7). b_j(1) = b_j.
   */
  readonly denseWeights: (theta: number, w: Float64Array) => void;
  /** Order of the dense output (continuous extension). */
  readonly denseOrder: number;
  /**
   * Stiffness-detection threshold for h * |lambda| (just inside the real stability interval of the method,
   * see `stiffness.ts`).
   */
  readonly stiffnessBound: number;
}

// ---------------------------------------------------------------------------------------------------------
// Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae", J. Comput. Appl. Math. 6, 19-26;
// coefficients as in Hairer, Norsett & Wanner, Solving ODEs I (2nd ed.), Table II.5.2. Error weights and the
// dense-output coefficients d_j of the continuous extension of order 4 (Dormand & Prince 1986; HNW I,
// sec. II.6, eq. (6.12) and the code DOPRI5).
// ---------------------------------------------------------------------------------------------------------

const DP_B1 = 35 / 384;
const DP_B3 = 500 / 1113;
const DP_B4 = 125 / 192;
const DP_B5 = -2187 / 6784;
const DP_B6 = 11 / 84;
const DP_D1 = -12715105075 / 11282082432;
const DP_D3 = 87487479700 / 32700410799;
const DP_D4 = -10690763975 / 1880347072;
const DP_D5 = 701980252875 / 199316789632;
const DP_D6 = -1453857185 / 822651844;
const DP_D7 = 69997945 / 29380423;

/**
 * DOPRI5 dense output, y(theta) = y0 + theta r2 + theta(1-theta) r3 + theta^2 (1-theta) r4
 * + theta^2 (1-theta)^2 r5 with r2 = h sum b_j k_j, r3 = h k1 - r2, r4 = 2 r2 - h k1 - h k7,
 * r5 = h sum d_j k_j (HNW I, sec. II.6), rewritten as weights of the stages.
 */
function dp5DenseWeights(theta: number, w: Float64Array): void {
  const t1 = 1 - theta;
  const p = theta * t1; // coefficient of r3
  const q = theta * p; // theta^2 (1 - theta): coefficient of r4
  const r = q * t1; // theta^2 (1 - theta)^2: coefficient of r5
  // Coefficient of h k_j: theta b_j + p (delta_j1 - b_j) + q (2 b_j - delta_j1 - delta_j7) + r d_j.
  const c = theta - p + 2 * q;
  w[0] = c * DP_B1 + p - q + r * DP_D1;
  w[1] = 0;
  w[2] = c * DP_B3 + r * DP_D3;
  w[3] = c * DP_B4 + r * DP_D4;
  w[4] = c * DP_B5 + r * DP_D5;
  w[5] = c * DP_B6 + r * DP_D6;
  w[6] = -q + r * DP_D7;
}

export const DP5_TABLEAU: Fsal7Tableau = Object.freeze<Fsal7Tableau>({
  name: 'DP5',
  order: 5,
  embeddedOrder: 4,
  c2: 1 / 5,
  c3: 3 / 10,
  c4: 4 / 5,
  c5: 8 / 9,
  a21: 1 / 5,
  a31: 3 / 40,
  a32: 9 / 40,
  a41: 44 / 45,
  a42: -56 / 15,
  a43: 32 / 9,
  a51: 19372 / 6561,
  a52: -25360 / 2187,
  a53: 64448 / 6561,
  a54: -212 / 729,
  a61: 9017 / 3168,
  a62: -355 / 33,
  a63: 46732 / 5247,
  a64: 49 / 176,
  a65: -5103 / 18656,
  b: [DP_B1, 0, DP_B3, DP_B4, DP_B5, DP_B6, 0],
  e: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
  denseWeights: dp5DenseWeights,
  denseOrder: 4,
  // Hairer's DOPRI5 threshold; the real stability interval of DP5 is [-3.3066, 0].
  stiffnessBound: 3.25,
});

// ---------------------------------------------------------------------------------------------------------
// Tsitouras (2011), "Runge-Kutta pairs of order 5(4) satisfying only the first column simplifying
// assumption", Comput. Math. Appl. 62, 770-775: Table 1 (A, b, bhat to 16 digits) and the free 4th-order
// interpolant of sec. 3 in factored form. e = b - bhat; note e7 = +1/66 (bhat7 = -1/66).
// ---------------------------------------------------------------------------------------------------------

/** Tsitouras' interpolant b_j(theta) (his sec. 3), degree 4 in theta. */
function tsit5DenseWeights(t: number, w: Float64Array): void {
  const t2 = t * t;
  w[0] =
    -1.0530884977290216 * t * (t - 1.329989018975141) * (t2 - 1.4364028541716352 * t + 0.7139816917074209);
  w[1] = 0.1017 * t2 * (t2 - 2.1966568338249752 * t + 1.294985250737463);
  w[2] = 2.490627285651253 * t2 * (t2 - 2.3853564547206165 * t + 1.5780346820809248);
  w[3] = -16.548102889244902 * (t - 1.2171292729553325) * (t - 0.6162040603780009) * t2;
  w[4] = 47.37952196281928 * (t - 1.2030712083723627) * (t - 0.6580472926535473) * t2;
  w[5] = -34.87065786149661 * (t - 1.2) * (t - 0.6666666666666666) * t2;
  w[6] = 2.5 * (t - 1) * (t - 0.6) * t2;
}

export const TSIT5_TABLEAU: Fsal7Tableau = Object.freeze<Fsal7Tableau>({
  name: 'Tsit5',
  order: 5,
  embeddedOrder: 4,
  c2: 0.161,
  c3: 0.327,
  c4: 0.9,
  c5: 0.9800255409045097,
  a21: 0.161,
  a31: -0.008480655492356989,
  a32: 0.335480655492357,
  a41: 2.897153057105493,
  a42: -6.359448489975075,
  a43: 4.3622954328695815,
  a51: 5.325864828439257,
  a52: -11.748883564062828,
  a53: 7.4955393428898365,
  a54: -0.09249506636175525,
  a61: 5.86145544294642,
  a62: -12.92096931784711,
  a63: 8.159367898576159,
  a64: -0.071584973281401,
  a65: -0.028269050394068383,
  b: [
    0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774,
    0,
  ],
  e: [
    -0.001780011052225777,
    -0.0008164344596567469,
    0.007880878010261995,
    -0.1447110071732629,
    0.5823571654525552,
    -0.45808210592918697,
    1 / 66,
  ],
  denseWeights: tsit5DenseWeights,
  denseOrder: 4,
  // The real stability interval of Tsit5 is [-3.5068, 0]; same relative margin as Hairer's 3.25 for DP5.
  stiffnessBound: 3.45,
});
