/**
 * POLLU: the chemical part of the air-pollution model of the Dutch National Institute of Public Health and
 * Environmental Protection (RIVM), 20 species and 25 reactions, rate constants from 3.5e-4 to 4.44e11.
 *
 * J. G. Verwer (1994), "Gauss-Seidel iteration for stiff ODEs from chemical kinetics", SIAM J. Sci. Comput.
 * 15(5), 1243-1259. y(0) as in the Bari test set; t in [0, 60].
 * Reference at t = 60: Bari test set (Mazzia & Magherini, problem POLLU), RADAU5 in extended precision
 * (uround 1.01e-19, rtol = atol = 1.1e-18); the same 20 numbers are in the R package deSolve's examples.
 *
 * The right-hand side is written out equation by equation; the Jacobian is built from the reaction list
 * (REACTIONS below), a separate derivation, so the finite-difference test cross-checks the two.
 */
import type { TestProblem } from './types.js';

const k = [
  0.35, 0.266e2, 0.123e5, 0.86e-3, 0.82e-3, 0.15e5, 0.13e-3, 0.24e5, 0.165e5, 0.9e4, 0.22e-1, 0.12e5, 0.188e1,
  0.163e5, 0.48e7, 0.35e-3, 0.175e-1, 0.1e9, 0.444e12, 0.124e4, 0.21e1, 0.578e1, 0.474e-1, 0.178e4, 0.312e1,
];

/**
 * Reactions (0-based species): reactants (one or two; rate = k * product of reactant concentrations) and the
 * net change of each species. Species: 0 NO2, 1 NO, 2 O3P, 3 O3, 4 HO2, 5 OH, 6 HCHO, 7 CO, 8 ALD, 9 MEO2,
 * 10 C2O3, 11 CO2, 12 PAN, 13 CH3O, 14 HNO3, 15 O1D, 16 SO2, 17 SO4, 18 NO3, 19 N2O5.
 */
export const POLLUTION_REACTIONS: readonly {
  reactants: readonly number[];
  change: readonly [number, number][];
}[] = [
  {
    reactants: [0],
    change: [
      [0, -1],
      [1, 1],
      [2, 1],
    ],
  }, // NO2 -> NO + O3P
  {
    reactants: [1, 3],
    change: [
      [1, -1],
      [3, -1],
      [0, 1],
    ],
  }, // NO + O3 -> NO2
  {
    reactants: [4, 1],
    change: [
      [4, -1],
      [1, -1],
      [0, 1],
      [5, 1],
    ],
  }, // HO2 + NO -> NO2 + OH
  {
    reactants: [6],
    change: [
      [6, -1],
      [4, 2],
      [7, 1],
    ],
  }, // HCHO -> 2 HO2 + CO
  {
    reactants: [6],
    change: [
      [6, -1],
      [7, 1],
    ],
  }, // HCHO -> CO
  {
    reactants: [6, 5],
    change: [
      [6, -1],
      [5, -1],
      [4, 1],
      [7, 1],
    ],
  }, // HCHO + OH -> HO2 + CO
  {
    reactants: [8],
    change: [
      [8, -1],
      [9, 1],
      [4, 1],
      [7, 1],
    ],
  }, // ALD -> MEO2 + HO2 + CO
  {
    reactants: [8, 5],
    change: [
      [8, -1],
      [5, -1],
      [10, 1],
    ],
  }, // ALD + OH -> C2O3
  {
    reactants: [10, 1],
    change: [
      [10, -1],
      [1, -1],
      [0, 1],
      [9, 1],
      [11, 1],
    ],
  }, // C2O3 + NO -> NO2 + MEO2 + CO2
  {
    reactants: [10, 0],
    change: [
      [10, -1],
      [0, -1],
      [12, 1],
    ],
  }, // C2O3 + NO2 -> PAN
  {
    reactants: [12],
    change: [
      [12, -1],
      [10, 1],
      [0, 1],
    ],
  }, // PAN -> C2O3 + NO2
  {
    reactants: [9, 1],
    change: [
      [9, -1],
      [1, -1],
      [13, 1],
      [0, 1],
    ],
  }, // MEO2 + NO -> CH3O + NO2
  {
    reactants: [13],
    change: [
      [13, -1],
      [6, 1],
      [4, 1],
    ],
  }, // CH3O -> HCHO + HO2
  {
    reactants: [0, 5],
    change: [
      [0, -1],
      [5, -1],
      [14, 1],
    ],
  }, // NO2 + OH -> HNO3
  {
    reactants: [2],
    change: [
      [2, -1],
      [3, 1],
    ],
  }, // O3P -> O3
  {
    reactants: [3],
    change: [
      [3, -1],
      [15, 1],
    ],
  }, // O3 -> O1D
  {
    reactants: [3],
    change: [
      [3, -1],
      [2, 1],
    ],
  }, // O3 -> O3P
  {
    reactants: [15],
    change: [
      [15, -1],
      [5, 2],
    ],
  }, // O1D -> 2 OH
  {
    reactants: [15],
    change: [
      [15, -1],
      [2, 1],
    ],
  }, // O1D -> O3P
  {
    reactants: [16, 5],
    change: [
      [16, -1],
      [5, -1],
      [17, 1],
      [4, 1],
    ],
  }, // SO2 + OH -> SO4 + HO2
  {
    reactants: [18],
    change: [
      [18, -1],
      [1, 1],
    ],
  }, // NO3 -> NO
  {
    reactants: [18],
    change: [
      [18, -1],
      [0, 1],
      [2, 1],
    ],
  }, // NO3 -> NO2 + O3P
  {
    reactants: [0, 3],
    change: [
      [0, -1],
      [3, -1],
      [18, 1],
    ],
  }, // NO2 + O3 -> NO3
  {
    reactants: [18, 0],
    change: [
      [18, -1],
      [0, -1],
      [19, 1],
    ],
  }, // NO3 + NO2 -> N2O5
  {
    reactants: [19],
    change: [
      [19, -1],
      [18, 1],
      [0, 1],
    ],
  }, // N2O5 -> NO3 + NO2
];

const N = 20;

// Flattened Jacobian contributions: J[row, col] += coeff * k_r * (partner concentration, or 1).
const jacRow: number[] = [];
const jacCol: number[] = [];
const jacCoeff: number[] = [];
const jacPartner: number[] = []; // -1: first-order reaction
for (let r = 0; r < POLLUTION_REACTIONS.length; r++) {
  const { reactants, change } = POLLUTION_REACTIONS[r];
  for (let a = 0; a < reactants.length; a++) {
    const partner = reactants.length === 2 ? reactants[1 - a] : -1;
    for (const [species, c] of change) {
      jacRow.push(species);
      jacCol.push(reactants[a]);
      jacCoeff.push(c * k[r]);
      jacPartner.push(partner);
    }
  }
}
const JROW = Int32Array.from(jacRow);
const JCOL = Int32Array.from(jacCol);
const JCOEFF = Float64Array.from(jacCoeff);
const JPARTNER = Int32Array.from(jacPartner);

export const pollution: TestProblem = {
  name: 'pollution',
  title: 'POLLU (Verwer air pollution)',
  description:
    'RIVM air-pollution chemistry, 20 species, 25 reactions, rate constants 3.5e-4 .. 4.44e11; t in [0, 60].',
  citation:
    'Verwer, SIAM J. Sci. Comput. 15 (1994) 1243-1259; Mazzia & Magherini, Test Set for IVP Solvers (Univ. Bari), problem POLLU.',
  stiff: true,
  n: N,
  f(_t, y, dy) {
    const r1 = k[0] * y[0];
    const r2 = k[1] * y[1] * y[3];
    const r3 = k[2] * y[4] * y[1];
    const r4 = k[3] * y[6];
    const r5 = k[4] * y[6];
    const r6 = k[5] * y[6] * y[5];
    const r7 = k[6] * y[8];
    const r8 = k[7] * y[8] * y[5];
    const r9 = k[8] * y[10] * y[1];
    const r10 = k[9] * y[10] * y[0];
    const r11 = k[10] * y[12];
    const r12 = k[11] * y[9] * y[1];
    const r13 = k[12] * y[13];
    const r14 = k[13] * y[0] * y[5];
    const r15 = k[14] * y[2];
    const r16 = k[15] * y[3];
    const r17 = k[16] * y[3];
    const r18 = k[17] * y[15];
    const r19 = k[18] * y[15];
    const r20 = k[19] * y[16] * y[5];
    const r21 = k[20] * y[18];
    const r22 = k[21] * y[18];
    const r23 = k[22] * y[0] * y[3];
    const r24 = k[23] * y[18] * y[0];
    const r25 = k[24] * y[19];
    dy[0] = -r1 - r10 - r14 - r23 - r24 + r2 + r3 + r9 + r11 + r12 + r22 + r25;
    dy[1] = -r2 - r3 - r9 - r12 + r1 + r21;
    dy[2] = -r15 + r1 + r17 + r19 + r22;
    dy[3] = -r2 - r16 - r17 - r23 + r15;
    dy[4] = -r3 + 2 * r4 + r6 + r7 + r13 + r20;
    dy[5] = -r6 - r8 - r14 - r20 + r3 + 2 * r18;
    dy[6] = -r4 - r5 - r6 + r13;
    dy[7] = r4 + r5 + r6 + r7;
    dy[8] = -r7 - r8;
    dy[9] = -r12 + r7 + r9;
    dy[10] = -r9 - r10 + r8 + r11;
    dy[11] = r9;
    dy[12] = -r11 + r10;
    dy[13] = -r13 + r12;
    dy[14] = r14;
    dy[15] = -r18 - r19 + r16;
    dy[16] = -r20;
    dy[17] = r20;
    dy[18] = -r21 - r22 - r24 + r23 + r25;
    dy[19] = -r25 + r24;
  },
  jac(_t, y, J) {
    J.fill(0);
    const m = JROW.length;
    for (let e = 0; e < m; e++) {
      const p = JPARTNER[e];
      J[JROW[e] * N + JCOL[e]] += p < 0 ? JCOEFF[e] : JCOEFF[e] * y[p];
    }
  },
  y0: [0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0],
  tspan: [0, 60],
  names: [
    'NO2',
    'NO',
    'O3P',
    'O3',
    'HO2',
    'OH',
    'HCHO',
    'CO',
    'ALD',
    'MEO2',
    'C2O3',
    'CO2',
    'PAN',
    'CH3O',
    'HNO3',
    'O1D',
    'SO2',
    'SO4',
    'NO3',
    'N2O5',
  ],
  reference: {
    t: 60,
    y: [
      0.5646255480022769e-1, 0.1342484130422339, 0.4139734331099427e-8, 0.5523140207484359e-2,
      0.2018977262302196e-6, 0.1464541863493966e-6, 0.7784249118997964e-1, 0.3245075353396018,
      0.7494013383880406e-2, 0.1622293157301561e-7, 0.1135863833257075e-7, 0.2230505975721359e-2,
      0.208716288279863e-3, 0.1396921016840158e-4, 0.8964884856898295e-2, 0.4352846369330103e-17,
      0.6899219696263405e-2, 0.1007803037365946e-3, 0.1772146513969984e-5, 0.5682943292316392e-4,
    ],
    source: 'Bari test set (Mazzia & Magherini), POLLU solut at t = 60 (RADAU5, rtol = atol = 1.1e-18)',
    rtol: 1e-14,
    atol: new Array<number>(N).fill(1e-20),
  },
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};
