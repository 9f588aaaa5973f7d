import { describe, expect, it } from 'vitest';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { type CompiledModel, compileModel } from '../../src/models/compile/compile.js';
import { buildSensitivityCode } from '../../src/models/compile/sensitivity.js';
import { prepareSensitivities } from '../../src/models/sensitivity.js';
import { simulateModel } from '../../src/models/simulate.js';
import { parseModel } from '../../src/models/text/index.js';

const compile = (text: string): CompiledModel => compileModel(parseModel(text));

/** Per component: |err| <= atol + rtol*|ref|. */
function expectClose(actual: number, ref: number, atol: number, rtol: number, what: string): void {
  const err = Math.abs(actual - ref);
  if (!(err <= atol + rtol * Math.abs(ref)))
    throw new Error(`${what}: got ${actual}, expected ${ref} (|err| ${err} > ${atol} + ${rtol}*|ref|)`);
}

const DECAY = `model decay
  k = 0.8
  N0 = 3
  species N
  N = N0
  D: N => ; k*N
end`;

const LOGISTIC = `model logistic
  r = 0.7
  K = 10
  N0 = 0.5
  species N
  N = N0
  G: => N; r*N*(1 - N/K)
end`;

describe('forward sensitivities: analytic solutions', () => {
  const times = [0, 0.5, 1, 2, 3.5, 5, 8];
  for (const method of ['Tsit5', 'Rodas5P', 'BDF']) {
    it(`exponential decay N = N0 exp(-k t), w.r.t. k and N0 (${method})`, () => {
      const m = compile(DECAY);
      const sys = prepareSensitivities(m, {
        wrt: ['k', 'N0'],
        observables: ['N'],
        method,
        rtol: 1e-10,
        atol: 1e-12,
      });
      const run = sys.run({}, times);
      expect(run.retcode).toBe('Success');
      expect(run.S.length).toBe(times.length * 2);
      // BDF is variable order up to 5 with a looser error constant; Rosenbrock and Tsit5 meet 1e-8.
      const rtol = method === 'BDF' ? 1e-6 : 1e-8;
      times.forEach((t, i) => {
        const N = 3 * Math.exp(-0.8 * t);
        expectClose(run.y[i], N, 1e-12, rtol, `N(${t})`);
        expectClose(run.S[i * 2], -t * N, 1e-12, rtol, `dN/dk(${t})`);
        expectClose(run.S[i * 2 + 1], Math.exp(-0.8 * t), 1e-12, rtol, `dN/dN0(${t})`);
        expect(run.obsS[i * 2]).toBe(run.S[i * 2]);
      });
      // Other parameter values: the same system, rerun.
      const run2 = sys.run({ k: 0.3, N0: 2 }, times);
      times.forEach((t, i) => {
        const N = 2 * Math.exp(-0.3 * t);
        expectClose(run2.S[i * 2], -t * N, 1e-12, rtol, `dN/dk(${t}) at k = 0.3`);
      });
    });
  }

  it('logistic growth w.r.t. rate, capacity and initial value (Rodas5P and auto)', () => {
    const m = compile(LOGISTIC);
    for (const method of ['Rodas5P', 'auto']) {
      const sys = prepareSensitivities(m, {
        wrt: ['r', 'K', 'N0'],
        observables: ['N'],
        method,
        rtol: 1e-10,
        atol: 1e-12,
      });
      const run = sys.run({}, times);
      expect(run.retcode).toBe('Success');
      const [r, K, N0] = [0.7, 10, 0.5];
      times.forEach((t, i) => {
        // N = K N0 e / D with e = exp(r t), D = K + N0 (e - 1).
        const e = Math.exp(r * t);
        const D = K + N0 * (e - 1);
        expectClose(run.y[i], (K * N0 * e) / D, 1e-12, 1e-8, `N(${t})`);
        expectClose(run.S[i * 3], (K * N0 * t * e * (K - N0)) / D ** 2, 1e-12, 1e-8, `dN/dr(${t})`);
        expectClose(run.S[i * 3 + 1], (N0 * N0 * e * (e - 1)) / D ** 2, 1e-12, 1e-8, `dN/dK(${t})`);
        expectClose(run.S[i * 3 + 2], (K * K * e) / D ** 2, 1e-12, 1e-8, `dN/dN0(${t})`);
      });
    }
  });

  it('the generated augmented Jacobian is the exact derivative of the augmented right-hand side', () => {
    const m = compile(LOGISTIC);
    const code = buildSensitivityCode(m, [0, 1, 2], [0, 1, 2], []);
    const N = 1 + 3;
    const z = Float64Array.from([2.5, 0.3, -0.7, 1.9]);
    const p = m.p0.slice();
    const W = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const X = new Float64Array(code.xLength);
    const JJ = new Float64Array(N * N);
    code.jacobian(0, z, p, W, X, JJ);
    const a = new Float64Array(N);
    const b = new Float64Array(N);
    for (let q = 0; q < N; q++) {
      const h = 1e-6 * Math.max(1, Math.abs(z[q]));
      const zp = z.slice();
      zp[q] += h;
      const zm = z.slice();
      zm[q] -= h;
      code.rhs(0, zp, p, W, X, a);
      code.rhs(0, zm, p, W, X, b);
      for (let s = 0; s < N; s++)
        expectClose(JJ[s * N + q], (a[s] - b[s]) / (2 * h), 1e-8, 1e-7, `JJ[${s},${q}]`);
    }
  });

  it('first derivatives without a symbolic form fall back to finite differences', () => {
    // root(q, N) with q = 1 is N: decay; d/dq has no symbolic form (variable root degree).
    const m = compile(`model rootdecay
  k = 0.5
  q = 1
  species N = 2
  D: N => ; k*root(q, N)
end`);
    const sys = prepareSensitivities(m, { wrt: ['k', 'q'], rtol: 1e-10, atol: 1e-12, method: 'Rodas5P' });
    const times = [0, 1, 2];
    const run = sys.run({}, times);
    expect(run.retcode).toBe('Success');
    for (let i = 0; i < times.length; i++) {
      const t = times[i];
      expectClose(run.S[i * 2], -t * 2 * Math.exp(-0.5 * t), 1e-10, 1e-6, `dN/dk(${t})`);
    }
    const h = 1e-5;
    const up = simulateModel(m, { tEnd: 2, saveat: times, params: { q: 1 + h }, rtol: 1e-12, atol: 1e-14 });
    const dn = simulateModel(m, { tEnd: 2, saveat: times, params: { q: 1 - h }, rtol: 1e-12, atol: 1e-14 });
    const fd = (up.column('N')[2] - dn.column('N')[2]) / (2 * h);
    expectClose(run.S[2 * 2 + 1], fd, 1e-9, 1e-5, 'dN/dq(2)');
  });
});

describe('forward sensitivities: large augmented systems', () => {
  it('sparse and dense linear algebra agree (chain of 10 saturating steps, 4 parameters, 50 components)', () => {
    const lines = ['model chain'];
    for (let i = 0; i < 10; i++) lines.push(`  k${i} = ${(0.3 + 0.1 * i).toFixed(1)}`);
    lines.push('  species A0 = 5');
    for (let i = 1; i < 10; i++) lines.push(`  species A${i} = 0`);
    for (let i = 0; i < 9; i++) lines.push(`  R${i}: A${i} => A${i + 1}; k${i}*A${i}/(1 + A${i})`);
    lines.push('  R9: A9 => ; k9*A9', 'end');
    const m = compile(lines.join('\n'));
    const wrt = ['k0', 'k1', 'k2', 'k3'];
    const times = [0, 2, 5, 10];
    const runs = (['dense', 'sparse'] as const).map((linearSolver) =>
      prepareSensitivities(m, { wrt, method: 'Rodas5P', rtol: 1e-9, atol: 1e-12, linearSolver }).run(
        {},
        times,
      ),
    );
    expect(runs[0].S.length).toBe(times.length * 10 * 4);
    for (let c = 0; c < runs[0].S.length; c++)
      expectClose(runs[1].S[c], runs[0].S[c], 1e-9, 1e-6, `S[${c}] sparse vs dense`);
    // And both against central differences of simulateModel for k2 at t = 10 (state A5).
    const h = 1e-5;
    const col = (v: number) =>
      simulateModel(m, { tEnd: 10, saveat: times, rtol: 1e-12, atol: 1e-14, params: { k2: v } }).column('A5');
    const fd = (col(0.5 + h)[3] - col(0.5 - h)[3]) / (2 * h);
    expectClose(runs[1].S[(3 * 10 + 5) * 4 + 2], fd, 1e-9, 1e-5, 'dA5/dk2 at t = 10');
  });
});

describe('forward sensitivities: Hähnel 2020 patient 1', () => {
  const ref = loadReferenceModel('hahnel2020', { patient: 1 });
  const model = compileModel(ref.model);
  const wrt = ['pyx', 'pxy', 'e_tki', 'pz', 'Kz', 'Y_init'];
  const times = Array.from({ length: 13 }, (_, i) => 5 * i);

  it('d bcr_abl_percent / d theta agrees with central differences of simulateModel (rtol 1e-10)', () => {
    for (const method of ['auto', 'Rodas5P']) {
      const sys = prepareSensitivities(model, {
        wrt,
        observables: ['bcr_abl_percent'],
        method,
        rtol: 1e-10,
        atol: 1e-10,
      });
      const run = sys.run({}, times);
      expect(run.retcode).toBe('Success');
      const k = wrt.length;
      wrt.forEach((id, j) => {
        const p = model.p0[model.parameterIds.indexOf(id)];
        const h = 1e-4 * Math.abs(p);
        const col = (v: number): Float64Array =>
          simulateModel(model, {
            tEnd: 60,
            saveat: times,
            rtol: 1e-10,
            atol: 1e-12,
            method: 'Rodas5P',
            params: { [id]: v },
          }).column('bcr_abl_percent');
        const up = col(p + h);
        const dn = col(p - h);
        let scale = 0;
        for (let i = 0; i < times.length; i++) scale = Math.max(scale, Math.abs(up[i] - dn[i]) / (2 * h));
        for (let i = 1; i < times.length; i++) {
          const fd = (up[i] - dn[i]) / (2 * h);
          // 1e-5 relative; the absolute floor 1e-7 of the column's largest sensitivity covers tiny entries.
          expectClose(
            run.obsS[i * k + j],
            fd,
            1e-7 * scale,
            1e-5,
            `${method} d bcr_abl_percent/d ${id} at ${times[i]}`,
          );
        }
      });
    }
  });

  it('states before and after the TKI stop (a parameter-only event leaves S continuous)', () => {
    const sys = prepareSensitivities(model, {
      wrt: ['e_tki', 'Y_init'],
      observables: ['Y'],
      rtol: 1e-10,
      atol: 1e-10,
    });
    const ts = [80, 85.9, 90, 100];
    const run = sys.run({}, ts, 0);
    expect(run.retcode).toBe('Success');
    const h = 1e-4;
    for (const [j, id] of ['e_tki', 'Y_init'].entries()) {
      const p = model.p0[model.parameterIds.indexOf(id)];
      const col = (v: number) =>
        simulateModel(model, { tEnd: 100, saveat: ts, rtol: 1e-11, atol: 1e-12, params: { [id]: v } }).column(
          'Y',
        );
      const up = col(p * (1 + h));
      const dn = col(p * (1 - h));
      for (let i = 0; i < ts.length; i++) {
        const fd = (up[i] - dn[i]) / (2 * h * p);
        expectClose(
          run.obsS[i * 2 + j],
          fd,
          (1e-9 * Math.abs(run.obs[i])) / Math.abs(p),
          1e-5,
          `dY/d${id} at ${ts[i]}`,
        );
      }
    }
  });

  it('an event whose time depends on a wrt parameter is a clear error', () => {
    expect(() => prepareSensitivities(model, { wrt: ['pz', 't_stop'] })).toThrow(
      /event 'tki_stop': its trigger reads parameter 't_stop'.*'t_stop'.*finite differences/,
    );
    const stateTriggered = compile(`model st
  k = 1
  species N = 5
  var c = 0
  D: N => ; k*N
  low: at (N < 1), t0 = false: c = 1
end`);
    expect(() => prepareSensitivities(stateTriggered, { wrt: ['k'] })).toThrow(
      /event 'low': its trigger reads state 'N'.*not supported.*finite differences/,
    );
    expect(() => prepareSensitivities(stateTriggered, { wrt: ['kk'] })).toThrow(
      /unknown parameter 'kk'.*valid ids/,
    );
  });
});

describe('forward sensitivities: events', () => {
  it('a state-resetting event: S+ = (da/dy) S- + da/dp', () => {
    // dN/dt = -k N, N(0) = N0; at t = 2: N = N/2 + c. After: N = (N0 e^{-2k}/2 + c) e^{-k (t - 2)}.
    const m = compile(`model reset
  k = 0.4
  c = 1.5
  N0 = 3
  species N
  N = N0
  D: N => ; k*N
  kick: at (time >= 2), t0 = false: N = N/2 + c
end`);
    const sys = prepareSensitivities(m, {
      wrt: ['k', 'c', 'N0'],
      observables: ['N'],
      rtol: 1e-10,
      atol: 1e-12,
    });
    const times = [0, 1, 2, 3, 5];
    const run = sys.run({}, times);
    expect(run.retcode).toBe('Success');
    const [k, c, N0] = [0.4, 1.5, 3];
    times.forEach((t, i) => {
      let N: number;
      let dk: number;
      let dc: number;
      let dN0: number;
      // At t = 2 itself the output is the pre-event state: the root is located at 2 + 1 ulp, as simulateModel.
      if (t <= 2) {
        N = N0 * Math.exp(-k * t);
        dk = -t * N;
        dc = 0;
        dN0 = Math.exp(-k * t);
      } else {
        const a = (N0 * Math.exp(-2 * k)) / 2 + c;
        const e = Math.exp(-k * (t - 2));
        N = a * e;
        dk = -N0 * Math.exp(-2 * k) * e - (t - 2) * N;
        dc = e;
        dN0 = (Math.exp(-2 * k) / 2) * e;
      }
      expectClose(run.y[i], N, 1e-12, 1e-8, `N(${t})`);
      expectClose(run.S[i * 3], dk, 1e-12, 1e-8, `dN/dk(${t})`);
      expectClose(run.S[i * 3 + 1], dc, 1e-12, 1e-8, `dN/dc(${t})`);
      expectClose(run.S[i * 3 + 2], dN0, 1e-12, 1e-8, `dN/dN0(${t})`);
      expect(run.obsS[i * 3 + 1]).toBe(run.S[i * 3 + 1]);
    });
  });

  it('concentration species: volume in the initial amount, the observable and an event assignment', () => {
    // Amount a = [S] c with [S](0) = 3; d a/dt = -k [S] c = -k a; at t = 1: [S] = 1 (amount 1 * c).
    // [S](t) does not depend on c; the amount does: da/dc = 3 e^{-kt} before, e^{-k(t-1)} after.
    const m = compile(`model conc
  compartment c = 2
  k = 0.7
  species S in c = 3
  D: S => ; k*S*c
  reset: at (time >= 1), t0 = false: S = 1
end`);
    const sys = prepareSensitivities(m, { wrt: ['c', 'k'], observables: ['S'], rtol: 1e-10, atol: 1e-12 });
    const times = [0, 0.5, 1.5, 3];
    const run = sys.run({}, times);
    expect(run.retcode).toBe('Success');
    times.forEach((t, i) => {
      const conc = t <= 1 ? 3 * Math.exp(-0.7 * t) : Math.exp(-0.7 * (t - 1));
      expectClose(run.obs[i], conc, 1e-12, 1e-8, `[S](${t})`);
      expectClose(run.obsS[i * 2], 0, 1e-9, 0, `d[S]/dc(${t})`);
      expectClose(run.obsS[i * 2 + 1], t <= 1 ? -t * conc : -(t - 1) * conc, 1e-12, 1e-8, `d[S]/dk(${t})`);
      expectClose(run.S[i * 2], conc, 1e-9, 1e-8, `d amount/dc(${t})`);
    });
  });

  it('an event that sets a wrt parameter from another: dp/dtheta follows the assignment', () => {
    // k switches to k2 at t = 2: N = N0 e^{-2k} e^{-k2 (t-2)}; dN/dk = -2 N, dN/dk2 = -(t - 2) N.
    const m = compile(`model switch
  k = 0.4
  k2 = 1.1
  species N = 3
  D: N => ; k*N
  sw: at (time >= 2), t0 = false: k = k2
end`);
    const sys = prepareSensitivities(m, { wrt: ['k', 'k2'], observables: ['k'], rtol: 1e-10, atol: 1e-12 });
    const times = [1, 2, 2.5, 4];
    const run = sys.run({}, times);
    times.forEach((t, i) => {
      const N = t <= 2 ? 3 * Math.exp(-0.4 * t) : 3 * Math.exp(-0.8) * Math.exp(-1.1 * (t - 2));
      expectClose(run.S[i * 2], t <= 2 ? -t * N : -2 * N, 1e-12, 1e-8, `dN/dk(${t})`);
      expectClose(run.S[i * 2 + 1], t <= 2 ? 0 : -(t - 2) * N, 1e-12, 1e-8, `dN/dk2(${t})`);
    });
    // The observable k: 0.4 then k2, with d k/d(k, k2) = (1, 0) then (0, 1); at t = 2 still pre-event.
    expect(Array.from(run.obs)).toEqual([0.4, 0.4, 1.1, 1.1]);
    expect(Array.from(run.obsS)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
  });
});
