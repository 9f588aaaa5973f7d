import { describe, expect, it } from 'vitest';
import { type LeastSquaresProblem, leastSquares } from '../../src/fitting/least-squares.js';
import { compileModel } from '../../src/models/compile/compile.js';
import { prepareSensitivities } from '../../src/models/sensitivity.js';
import { parseModel } from '../../src/models/text/index.js';

/**
 * NIST StRD nonlinear regression datasets (public domain, https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml):
 * data, both NIST starting points, certified parameters (11 significant digits) and residual sums of squares, with
 * the model and its analytic Jacobian. Data are (x, y) pairs; residuals are f(x; b) - y.
 */
interface NistProblem {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly starts: readonly (readonly number[])[];
  readonly certified: readonly number[];
  readonly rss: number;
  /** f(x; b) and df/db into grad. */
  model(x: number, b: Float64Array, grad: Float64Array): number;
}

const pairs = (flat: readonly number[]): { x: number[]; y: number[] } => {
  // flat is [y0, x0, y1, x1, ...] in NIST file order
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    y.push(flat[i]);
    x.push(flat[i + 1]);
  }
  return { x, y };
};

const MISRA1A: NistProblem = {
  name: 'Misra1a',
  ...pairs([
    10.07, 77.6, 14.73, 114.9, 17.94, 141.1, 23.93, 190.8, 29.61, 239.9, 35.18, 289.0, 40.02, 332.8, 44.82,
    378.4, 50.76, 434.8, 55.05, 477.3, 61.01, 536.8, 66.4, 593.1, 75.47, 689.1, 81.78, 760.0,
  ]),
  starts: [
    [500, 0.0001],
    [250, 0.0005],
  ],
  certified: [2.3894212918e2, 5.5015643181e-4],
  rss: 1.2455138894e-1,
  model(x, b, g) {
    const e = Math.exp(-b[1] * x);
    g[0] = 1 - e;
    g[1] = b[0] * x * e;
    return b[0] * (1 - e);
  },
};

const CHWIRUT2: NistProblem = {
  name: 'Chwirut2',
  ...pairs([
    92.9, 0.5, 57.1, 1.0, 31.05, 1.75, 11.5875, 3.75, 8.025, 5.75, 63.6, 0.875, 21.4, 2.25, 14.25, 3.25,
    8.475, 5.25, 63.8, 0.75, 26.8, 1.75, 16.4625, 2.75, 7.125, 4.75, 67.3, 0.625, 41.0, 1.25, 21.15, 2.25,
    8.175, 4.25, 81.5, 0.5, 13.12, 3.0, 59.9, 0.75, 14.62, 3.0, 32.9, 1.5, 5.44, 6.0, 12.56, 3.0, 5.44, 6.0,
    32.0, 1.5, 13.95, 3.0, 75.8, 0.5, 20.0, 2.0, 10.42, 4.0, 59.5, 0.75, 21.67, 2.0, 8.55, 5.0, 62.0, 0.75,
    20.2, 2.25, 7.76, 3.75, 3.75, 5.75, 11.81, 3.0, 54.7, 0.75, 23.7, 2.5, 11.55, 4.0, 61.3, 0.75, 17.7, 2.5,
    8.74, 4.0, 59.2, 0.75, 16.3, 2.5, 8.62, 4.0, 81.0, 0.5, 4.87, 6.0, 14.62, 3.0, 81.7, 0.5, 17.17, 2.75,
    81.3, 0.5, 28.9, 1.75,
  ]),
  starts: [
    [0.1, 0.01, 0.02],
    [0.15, 0.008, 0.01],
  ],
  certified: [1.6657666537e-1, 5.1653291286e-3, 1.2150007096e-2],
  rss: 5.1304802941e2,
  model(x, b, g) {
    const E = Math.exp(-b[0] * x);
    const Q = b[1] + b[2] * x;
    g[0] = (-x * E) / Q;
    g[1] = -E / (Q * Q);
    g[2] = (-x * E) / (Q * Q);
    return E / Q;
  },
};

const LANCZOS3: NistProblem = {
  name: 'Lanczos3',
  ...pairs([
    2.5134, 0.0, 2.0443, 0.05, 1.6684, 0.1, 1.3664, 0.15, 1.1232, 0.2, 0.9269, 0.25, 0.7679, 0.3, 0.6389,
    0.35, 0.5338, 0.4, 0.4479, 0.45, 0.3776, 0.5, 0.3197, 0.55, 0.272, 0.6, 0.2325, 0.65, 0.1997, 0.7, 0.1723,
    0.75, 0.1493, 0.8, 0.1301, 0.85, 0.1138, 0.9, 0.1, 0.95, 0.0883, 1.0, 0.0783, 1.05, 0.0698, 1.1, 0.0624,
    1.15,
  ]),
  starts: [
    [1.2, 0.3, 5.6, 5.5, 6.5, 7.6],
    [0.5, 0.7, 3.6, 4.2, 4, 6.3],
  ],
  certified: [8.6816414977e-2, 9.5498101505e-1, 8.4400777463e-1, 2.9515951832, 1.5825685901, 4.9863565084],
  rss: 1.6117193594e-8,
  model(x, b, g) {
    let f = 0;
    for (let k = 0; k < 3; k++) {
      const e = Math.exp(-b[2 * k + 1] * x);
      g[2 * k] = e;
      g[2 * k + 1] = -b[2 * k] * x * e;
      f += b[2 * k] * e;
    }
    return f;
  },
};

const BOXBOD: NistProblem = {
  name: 'BoxBOD',
  ...pairs([109, 1, 149, 2, 149, 3, 191, 5, 213, 7, 224, 10]),
  starts: [
    [1, 1],
    [100, 0.75],
  ],
  certified: [2.1380940889e2, 5.4723748542e-1],
  rss: 1.1680088766e3,
  model: MISRA1A.model,
};

const THURBER: NistProblem = {
  name: 'Thurber',
  ...pairs([
    80.574, -3.067, 84.248, -2.981, 87.264, -2.921, 87.195, -2.912, 89.076, -2.84, 89.608, -2.797, 89.868,
    -2.702, 90.101, -2.699, 92.405, -2.633, 95.854, -2.481, 100.696, -2.363, 101.06, -2.322, 401.672, -1.501,
    390.724, -1.46, 567.534, -1.274, 635.316, -1.212, 733.054, -1.1, 759.087, -1.046, 894.206, -0.915,
    990.785, -0.714, 1090.109, -0.566, 1080.914, -0.545, 1122.643, -0.4, 1178.351, -0.309, 1260.531, -0.109,
    1273.514, -0.103, 1288.339, 0.01, 1327.543, 0.119, 1353.863, 0.377, 1414.509, 0.79, 1425.208, 0.963,
    1421.384, 1.006, 1442.962, 1.115, 1464.35, 1.572, 1468.705, 1.841, 1447.894, 2.047, 1457.628, 2.2,
  ]),
  starts: [
    [1000, 1000, 400, 40, 0.7, 0.3, 0.03],
    [1300, 1500, 500, 75, 1, 0.4, 0.05],
  ],
  certified: [
    1.28813968e3, 1.4910792535e3, 5.8323836877e2, 7.5416644291e1, 9.6629502864e-1, 3.9797285797e-1,
    4.9727297349e-2,
  ],
  rss: 5.6427082397e3,
  model(x, b, g) {
    const x2 = x * x;
    const x3 = x2 * x;
    const N = b[0] + b[1] * x + b[2] * x2 + b[3] * x3;
    const Q = 1 + b[4] * x + b[5] * x2 + b[6] * x3;
    g[0] = 1 / Q;
    g[1] = x / Q;
    g[2] = x2 / Q;
    g[3] = x3 / Q;
    const f = N / Q;
    g[4] = (-f * x) / Q;
    g[5] = (-f * x2) / Q;
    g[6] = (-f * x3) / Q;
    return f;
  },
};

const MGH09: NistProblem = {
  name: 'MGH09',
  ...pairs([
    0.1957, 4.0, 0.1947, 2.0, 0.1735, 1.0, 0.16, 0.5, 0.0844, 0.25, 0.0627, 0.167, 0.0456, 0.125, 0.0342, 0.1,
    0.0323, 0.0833, 0.0235, 0.0714, 0.0246, 0.0625,
  ]),
  starts: [
    [25, 39, 41.5, 39],
    [0.25, 0.39, 0.415, 0.39],
  ],
  certified: [1.9280693458e-1, 1.9128232873e-1, 1.2305650693e-1, 1.3606233068e-1],
  rss: 3.0750560385e-4,
  model(x, b, g) {
    const P = x * x + x * b[1];
    const Q = x * x + x * b[2] + b[3];
    g[0] = P / Q;
    g[1] = (b[0] * x) / Q;
    g[2] = (-b[0] * P * x) / (Q * Q);
    g[3] = (-b[0] * P) / (Q * Q);
    return (b[0] * P) / Q;
  },
};

const ECKERLE4: NistProblem = {
  name: 'Eckerle4',
  ...pairs([
    0.0001575, 400, 0.0001699, 405, 0.000235, 410, 0.0003102, 415, 0.0004917, 420, 0.000871, 425, 0.0017418,
    430, 0.00464, 435, 0.0065895, 436.5, 0.0097302, 438, 0.0149002, 439.5, 0.023731, 441, 0.0401683, 442.5,
    0.0712559, 444, 0.1264458, 445.5, 0.2073413, 447, 0.2902366, 448.5, 0.3445623, 450, 0.3698049, 451.5,
    0.3668534, 453, 0.3106727, 454.5, 0.2078154, 456, 0.1164354, 457.5, 0.0616764, 459, 0.03372, 460.5,
    0.0194023, 462, 0.0117831, 463.5, 0.0074357, 465, 0.0022732, 470, 0.00088, 475, 0.0004579, 480, 0.0002345,
    485, 0.0001586, 490, 0.0001143, 495, 0.000071, 500,
  ]),
  starts: [
    [1, 10, 500],
    [1.5, 5, 450],
  ],
  certified: [1.5543827178, 4.0888321754, 4.5154121844e2],
  rss: 1.4635887487e-3,
  model(x, b, g) {
    const u = (x - b[2]) / b[1];
    const E = Math.exp(-0.5 * u * u);
    g[0] = E / b[1];
    g[1] = (b[0] * E * (u * u - 1)) / (b[1] * b[1]);
    g[2] = (b[0] * E * u) / (b[1] * b[1]);
    return (b[0] / b[1]) * E;
  },
};

const RAT43: NistProblem = {
  name: 'Rat43',
  ...pairs([
    16.08, 1, 33.83, 2, 65.8, 3, 97.2, 4, 191.55, 5, 326.2, 6, 386.87, 7, 520.53, 8, 590.03, 9, 651.92, 10,
    724.93, 11, 699.56, 12, 689.96, 13, 637.56, 14, 717.41, 15,
  ]),
  starts: [
    [100, 10, 1, 1],
    [700, 5, 0.75, 1.3],
  ],
  certified: [6.996415127e2, 5.2771253025, 7.5962938329e-1, 1.2792483859],
  rss: 8.786404908e3,
  model(x, b, g) {
    const ew = Math.exp(b[1] - b[2] * x);
    const w = 1 + ew;
    const wp = w ** (-1 / b[3]);
    g[0] = wp;
    g[1] = (-b[0] * wp * ew) / (w * b[3]);
    g[2] = (b[0] * x * wp * ew) / (w * b[3]);
    g[3] = (b[0] * wp * Math.log(w)) / (b[3] * b[3]);
    return b[0] * wp;
  },
};

const NIST_PROBLEMS: readonly NistProblem[] = [
  MISRA1A,
  CHWIRUT2,
  LANCZOS3,
  BOXBOD,
  THURBER,
  MGH09,
  ECKERLE4,
  RAT43,
];

/** A NIST problem as a LeastSquaresProblem (analytic Jacobian unless `fd`). */
function nistProblem(p: NistProblem, fd = false): LeastSquaresProblem {
  const n = p.certified.length;
  const m = p.x.length;
  const g = new Float64Array(n);
  return {
    n,
    m,
    residuals(b, r) {
      for (let i = 0; i < m; i++) r[i] = p.model(p.x[i], b, g) - p.y[i];
      return true;
    },
    ...(fd
      ? {}
      : {
          jacobian(b: Float64Array, J: Float64Array) {
            for (let i = 0; i < m; i++) {
              p.model(p.x[i], b, g);
              for (let j = 0; j < n; j++) J[i * n + j] = g[j];
            }
            return true;
          },
        }),
  };
}

const TIGHT = { ftol: 1e-15, xtol: 1e-15, gtol: 1e-15 };

describe('leastSquares: NIST StRD nonlinear regression, certified values', () => {
  it('the analytic Jacobians match central differences at the start points', () => {
    for (const p of NIST_PROBLEMS) {
      const n = p.certified.length;
      const g = new Float64Array(n);
      const b = Float64Array.from(p.starts[1]);
      const xq = p.x[Math.floor(p.x.length / 2)];
      p.model(xq, b, g);
      for (let j = 0; j < n; j++) {
        const h = 1e-6 * Math.abs(b[j]);
        const bp = b.slice();
        bp[j] += h;
        const bm = b.slice();
        bm[j] -= h;
        const fd = (p.model(xq, bp, new Float64Array(n)) - p.model(xq, bm, new Float64Array(n))) / (2 * h);
        expect(Math.abs(g[j] - fd)).toBeLessThanOrEqual(1e-6 * Math.abs(fd) + 1e-12);
      }
    }
  });

  // BoxBOD from start 1 is the one failure (see the next test); every other problem and start reaches the
  // certified parameters to at least 6 significant digits (per component |b - b*| <= 1e-6 |b*|) and the
  // certified residual sum of squares to 1e-9 relative.
  for (const p of NIST_PROBLEMS)
    p.starts.forEach((start, k) => {
      if (p.name === 'BoxBOD' && k === 0) return;
      it(`${p.name}, start ${k + 1}`, () => {
        const res = leastSquares(nistProblem(p), start, TIGHT);
        expect(['ftol', 'xtol', 'gtol']).toContain(res.status);
        p.certified.forEach((c, j) => {
          expect(Math.abs(res.x[j] - c), `${p.name} b${j + 1}: ${res.x[j]} vs ${c}`).toBeLessThanOrEqual(
            1e-6 * Math.abs(c),
          );
        });
        expect(Math.abs(2 * res.cost - p.rss)).toBeLessThanOrEqual(1e-9 * p.rss);
        expect(Array.from(res.activeBounds)).toEqual(new Array(p.certified.length).fill(0));
      });
    });

  it('default tolerances (1e-12) reach at least 5 significant digits everywhere (6 on most)', () => {
    for (const p of NIST_PROBLEMS)
      p.starts.forEach((start, k) => {
        if (p.name === 'BoxBOD' && k === 0) return;
        const res = leastSquares(nistProblem(p), start);
        p.certified.forEach((c, j) => {
          expect(Math.abs(res.x[j] - c), `${p.name} start ${k + 1} b${j + 1}`).toBeLessThanOrEqual(
            1e-5 * Math.abs(c),
          );
        });
      });
  });

  it('BoxBOD from start 1 (1, 1) runs off to b2 -> infinity, a stationary point at infinity', () => {
    // exp(-b2 x) underflows, the model becomes the constant b1 = mean(y) = 172.5 and the b2 column of J is 0:
    // RSS = sum (y - mean)^2 = 9771.5 instead of the certified 1168.0. A bound on b2 avoids it.
    const res = leastSquares(nistProblem(BOXBOD), BOXBOD.starts[0], TIGHT);
    expect(res.status).not.toBe('failed');
    expect(2 * res.cost).toBeCloseTo(9771.5, 6);
    expect(res.x[0]).toBeCloseTo(172.5, 6);
    const bounded = leastSquares(
      { ...nistProblem(BOXBOD), lo: [0, 0], hi: [1000, 5] },
      BOXBOD.starts[0],
      TIGHT,
    );
    expect(Math.abs(bounded.x[0] - BOXBOD.certified[0])).toBeLessThanOrEqual(1e-6 * BOXBOD.certified[0]);
    expect(Math.abs(bounded.x[1] - BOXBOD.certified[1])).toBeLessThanOrEqual(1e-6 * BOXBOD.certified[1]);
  });

  it('forward-difference Jacobians (no jacobian callback) reach 6 digits too', () => {
    for (const p of [MISRA1A, CHWIRUT2, ECKERLE4, RAT43, THURBER])
      for (const start of p.starts) {
        const res = leastSquares(nistProblem(p, true), start, TIGHT);
        p.certified.forEach((c, j) => {
          expect(Math.abs(res.x[j] - c), `${p.name} b${j + 1}`).toBeLessThanOrEqual(1e-6 * Math.abs(c));
        });
        expect(res.jacobianEvaluations).toBeGreaterThan(0);
        expect(res.evaluations).toBeGreaterThan(res.jacobianEvaluations * p.certified.length);
      }
  });
});

describe('leastSquares: bounds, rank deficiency, failures', () => {
  it('Rosenbrock with x0 <= 0.5: the solution on the bound satisfies KKT (projected gradient 0)', () => {
    // r = (10 (x1 - x0^2), 1 - x0); unconstrained minimum (1, 1) lies outside. On the bound x0 = 0.5 the
    // best x1 is 0.25 (first residual 0), cost 0.5 * 0.5^2 = 0.125.
    const problem: LeastSquaresProblem = {
      n: 2,
      m: 2,
      hi: [0.5, Infinity],
      residuals(x, r) {
        r[0] = 10 * (x[1] - x[0] * x[0]);
        r[1] = 1 - x[0];
        return true;
      },
      jacobian(x, J) {
        J[0] = -20 * x[0];
        J[1] = 10;
        J[2] = -1;
        J[3] = 0;
        return true;
      },
    };
    const res = leastSquares(problem, [-1.2, 1]);
    expect(res.status).not.toBe('failed');
    expect(res.x[0]).toBe(0.5);
    expect(Math.abs(res.x[1] - 0.25)).toBeLessThan(1e-10);
    expect(Math.abs(res.cost - 0.125)).toBeLessThan(1e-12);
    expect(Array.from(res.activeBounds)).toEqual([1, 0]);
    // KKT: g = J^T r; at an upper bound g <= 0 (the cost decreases outwards); free components g = 0.
    const g = [0, 0];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) g[j] += res.jacobian[i * 2 + j] * res.residuals[i];
    expect(g[0]).toBeLessThan(0);
    expect(Math.abs(g[1])).toBeLessThan(1e-9);
    // The projected gradient x - P(x - g) vanishes.
    const proj = (v: number) => Math.min(0.5, v);
    expect(Math.abs(res.x[0] - proj(res.x[0] - g[0]))).toBe(0);
  });

  it('a lower bound with forward differences; the start is projected into the box', () => {
    // r = (x0 - 3, x1 + 2, x0 x1); box x0 in [-inf, 1], x1 in [0, 4]: both variables end on a bound.
    const problem: LeastSquaresProblem = {
      n: 2,
      m: 3,
      lo: [-Infinity, 0],
      hi: [1, 4],
      residuals(x, r) {
        r[0] = x[0] - 3;
        r[1] = x[1] + 2;
        r[2] = x[0] * x[1];
        return true;
      },
    };
    const res = leastSquares(problem, [5, -3]);
    expect(Array.from(res.x)).toEqual([1, 0]);
    expect(Array.from(res.activeBounds)).toEqual([1, -1]);
    expect(res.cost).toBeCloseTo(0.5 * (4 + 4), 12);
  });

  it('a rank-deficient Jacobian gives the minimum-norm solution, without blowing up', () => {
    // r depends on x0 + x1 only: t = x0 + x1 minimises (t - 2)^2 + (2t - 4.1)^2 at t = 2.04. From a symmetric
    // start the minimum-norm steps keep x0 = x1 = 1.02.
    const problem: LeastSquaresProblem = {
      n: 2,
      m: 2,
      residuals(x, r) {
        r[0] = x[0] + x[1] - 2;
        r[1] = 2 * (x[0] + x[1]) - 4.1;
        return true;
      },
      jacobian(_x, J) {
        J.set([1, 1, 2, 2]);
        return true;
      },
    };
    const res = leastSquares(problem, [0, 0]);
    expect(res.status).not.toBe('failed');
    expect(Math.abs(res.x[0] + res.x[1] - 2.04)).toBeLessThan(1e-12);
    expect(Math.abs(res.x[0] - 1.02)).toBeLessThan(1e-12);
    expect(Math.abs(res.cost - 0.5 * (0.04 ** 2 + 0.02 ** 2))).toBeLessThan(1e-15);
    // A zero column (a parameter the residuals ignore) stays where it started.
    const dead = leastSquares(
      {
        n: 2,
        m: 1,
        residuals(x, r) {
          r[0] = x[0] - 1;
          return true;
        },
      },
      [5, 7],
    );
    expect(Array.from(dead.x)).toEqual([1, 7]);
  });

  it('failed evaluations shrink the step; a failing start is reported', () => {
    // r = ln(x) - ln(2), defined for x > 0 only; from x = 10 the first Gauss-Newton step lands at x < 0.
    let calls = 0;
    const problem: LeastSquaresProblem = {
      n: 1,
      m: 1,
      residuals(x, r) {
        calls++;
        if (!(x[0] > 0)) return false;
        r[0] = Math.log(x[0]) - Math.log(2);
        return true;
      },
      jacobian(x, J) {
        J[0] = 1 / x[0];
        return true;
      },
    };
    const res = leastSquares(problem, [100]);
    expect(Math.abs(res.x[0] - 2)).toBeLessThan(1e-9);
    expect(res.evaluations).toBe(calls);
    const bad = leastSquares(problem, [-1]);
    expect(bad.status).toBe('failed');
    expect(bad.message).toMatch(/starting point/);
    expect(() => leastSquares(problem, [1, 2])).toThrow(/x0 has 2 entries, expected n = 1/);
    expect(() => leastSquares({ ...problem, lo: [3], hi: [1] }, [2])).toThrow(/lo\[0\] = 3 > hi\[0\] = 1/);
  });
});

describe('leastSquares with forward sensitivities of a compiled model', () => {
  it('recovers logistic growth parameters from exact synthetic data (log-parameters, bounded)', () => {
    const model = compileModel(
      parseModel(`model logistic
  r = 0.7
  K = 10
  N0 = 0.5
  species N
  N = N0
  G: => N; r*N*(1 - N/K)
end`),
    );
    const names = ['r', 'K', 'N0'];
    const truth = [0.7, 10, 0.5];
    const times = [0.5, 1, 2, 3, 4, 6, 8, 10, 14];
    const sys = prepareSensitivities(model, { wrt: names, observables: ['N'], rtol: 1e-11, atol: 1e-13 });
    const data = sys.run({}, times).obs.slice();
    const m = times.length;
    let last: ReturnType<typeof sys.run> | null = null;
    const run = (u: Float64Array) => {
      const params: Record<string, number> = {};
      names.forEach((id, j) => {
        params[id] = Math.exp(u[j]);
      });
      last = sys.run(params, times);
      return last;
    };
    // Residuals on the log scale of N; parameters are log-transformed (x = ln theta).
    const res = leastSquares(
      {
        n: 3,
        m,
        lo: [Math.log(0.01), Math.log(1), Math.log(0.01)],
        hi: [Math.log(5), Math.log(100), Math.log(5)],
        residuals(u, r) {
          const out = run(u);
          if (out.retcode !== 'Success') return false;
          for (let i = 0; i < m; i++) r[i] = Math.log(out.obs[i]) - Math.log(data[i]);
          return true;
        },
        jacobian(u, J) {
          const out = run(u);
          if (out.retcode !== 'Success') return false;
          for (let i = 0; i < m; i++)
            for (let j = 0; j < 3; j++) J[i * 3 + j] = (out.obsS[i * 3 + j] * Math.exp(u[j])) / out.obs[i];
          return true;
        },
      },
      [Math.log(2), Math.log(30), Math.log(0.05)],
    );
    expect(last).not.toBeNull();
    expect(['gtol', 'ftol', 'xtol']).toContain(res.status);
    truth.forEach((v, j) => {
      expect(Math.abs(Math.exp(res.x[j]) - v)).toBeLessThanOrEqual(1e-7 * v);
    });
  });
});
