/**
 * The michor2005.exm example reproduces the reference behaviour of the transcribed Michor et al. 2005 model
 * (/work/shared/research/cml-models.md section 2.4, validation case V01, computed there with deSolve lsoda at
 * rtol 1e-8). The model is integrated here with classical RK4 (fixed step 0.05 day) by a small tree-walking
 * evaluator, independent of the project's compiler and ODE engines.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/models/ir.js';
import { parseModel } from '../../../src/models/text/index.js';
import type { Expr } from '../../../src/numerics/expr/ast.js';

function evaluate(e: Expr, env: Map<string, number>, t: number): number {
  const ev = (x: Expr) => evaluate(x, env, t);
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'sym': {
      const v = env.get(e.name);
      if (v === undefined) throw new Error(`no value for ${e.name}`);
      return v;
    }
    case 'time':
      return t;
    case 'piecewise': {
      for (const p of e.pieces) if (ev(p.condition) !== 0) return ev(p.value);
      return e.otherwise ? ev(e.otherwise) : Number.NaN;
    }
    case 'call': {
      const a = e.args.map(ev);
      switch (e.op) {
        case 'plus':
          return a.reduce((x, y) => x + y, 0);
        case 'times':
          return a.reduce((x, y) => x * y, 1);
        case 'minus':
          return a.length === 1 ? -a[0] : a[0] - a[1];
        case 'divide':
          return a[0] / a[1];
        case 'gt':
          return a[0] > a[1] ? 1 : 0;
        default:
          throw new Error(`op ${e.op} not supported by the test evaluator`);
      }
    }
    default:
      throw new Error(`${e.kind} not supported by the test evaluator`);
  }
}

/** Right-hand side for species amounts (all species are substanceOnly here). */
function makeRhs(m: Model, params: Map<string, number>) {
  const ids = m.species.map((s) => s.id);
  const env = new Map(params);
  const rules = m.rules.filter((r) => r.kind === 'assignment');
  return (t: number, y: Float64Array, dy: Float64Array) => {
    ids.forEach((id, i) => env.set(id, y[i]));
    for (const r of rules) env.set(r.variable, evaluate(r.math, env, t));
    dy.fill(0);
    for (const r of m.reactions) {
      if (r.kinetics?.kind !== 'law') throw new Error('law expected');
      const v = evaluate(r.kinetics.math, env, t);
      for (const s of r.reactants) dy[ids.indexOf(s.species)] -= s.stoichiometry * v;
      for (const s of r.products) dy[ids.indexOf(s.species)] += s.stoichiometry * v;
    }
  };
}

function rk4Step(f: ReturnType<typeof makeRhs>, t: number, y: Float64Array, h: number): Float64Array {
  const n = y.length;
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  f(t, y, k1);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + (h / 2) * k1[i];
  f(t + h / 2, tmp, k2);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + (h / 2) * k2[i];
  f(t + h / 2, tmp, k3);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * k3[i];
  f(t + h, tmp, k4);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = y[i] + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  return out;
}

describe('michor2005.exm reproduces the transcribed model (cml-models.md section 2.4, V01)', () => {
  const m = parseModel(
    readFileSync(resolve(import.meta.dirname, '../../../models/examples/michor2005.exm'), 'utf8'),
  );
  const ids = m.species.map((s) => s.id);
  const ix = (id: string) => ids.indexOf(id);
  const params = new Map(m.parameters.filter((p) => p.value !== undefined).map((p) => [p.id, p.value!]));
  params.set('u', 0);

  it('has the normal lineage at steady state and LSCs growing at ry - d0', () => {
    const f = makeRhs(m, params);
    const y = Float64Array.from(m.species.map((s) => s.initialAmount!));
    const dy = new Float64Array(y.length);
    f(0, y, dy);
    for (const id of ['x0', 'x1', 'x2', 'x3'])
      expect(Math.abs(dy[ix(id)])).toBeLessThanOrEqual(1e-12 * y[ix(id)]);
    expect(dy[ix('y0')] / y[ix('y0')]).toBeCloseTo(0.005, 12);
  });

  it('grows one LSC to y3 = 10 x3, then imatinib gives the published biphasic decline', () => {
    const h = 0.05;
    // untreated growth from a single leukaemic stem cell
    let f = makeRhs(m, new Map([...params, ['imatinib', 0]]));
    let y: Float64Array = Float64Array.from(m.species.map((s) => s.initialAmount!));
    for (const id of ['y1', 'y2', 'y3']) y[ix(id)] = 0;
    y[ix('y0')] = 1;
    let t = 0;
    const target = 10 * y[ix('x3')];
    for (;;) {
      const next = rk4Step(f, t, y, h);
      if (next[ix('y3')] >= target) {
        // secant refinement of the crossing inside the step
        let lo = 0;
        let hi = h;
        for (let k = 0; k < 40; k++) {
          const mid = (lo + hi) / 2;
          if (rk4Step(f, t, y, mid)[ix('y3')] >= target) hi = mid;
          else lo = mid;
        }
        y = rk4Step(f, t, y, hi);
        t += hi;
        break;
      }
      y = next;
      t += h;
    }
    expect(t).toBeGreaterThan(3064 * 0.99);
    expect(t).toBeLessThan(3064 * 1.01);
    // reference state at that point: y0 = 4.5e6, y1 = 5.54e8, y2 = 1.01e11
    expect(y[ix('y0')] / 4.5e6).toBeCloseTo(1, 1);
    expect(y[ix('y1')] / 5.54e8).toBeCloseTo(1, 1);
    expect(y[ix('y2')] / 1.01e11).toBeCloseTo(1, 1);

    // imatinib from t = 0
    f = makeRhs(m, new Map([...params, ['imatinib', 1]]));
    const rb = (s: Float64Array) => s[ix('y3')] / (s[ix('y3')] + 2 * s[ix('x3')]);
    expect(rb(y)).toBeCloseTo(0.834, 2); // = 1e13 / (1e13 + 2e12) at the switch
    const at = new Map<number, number>();
    const y3 = new Map<number, number>();
    let nadir = { day: 0, rb: rb(y) };
    const steps = Math.round(500 / h);
    for (let k = 1; k <= steps; k++) {
      y = rk4Step(f, (k - 1) * h, y, h);
      const day = k * h;
      const r = rb(y);
      if (r < nadir.rb) nadir = { day, rb: r };
      if (Math.abs(day - Math.round(day)) < 1e-9) {
        at.set(Math.round(day), r);
        y3.set(Math.round(day), y[ix('y3')]);
      }
    }
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    // RB at 90 / 180 / 365 days: 0.0594 / 0.00289 / 0.000887 (+-1 %, V01)
    expect(rel(at.get(90)!, 0.0594)).toBeLessThan(0.01);
    expect(rel(at.get(180)!, 0.00289)).toBeLessThan(0.01);
    expect(rel(at.get(365)!, 0.000887)).toBeLessThan(0.01);
    // ln-slopes of y3: -0.0497/day (days 5-60), -0.00866/day (days 150-365)
    const slope = (a: number, b: number) => (Math.log(y3.get(b)!) - Math.log(y3.get(a)!)) / (b - a);
    expect(rel(slope(5, 60), -0.0497)).toBeLessThan(0.01);
    expect(rel(slope(150, 365), -0.00866)).toBeLessThan(0.01);
    // nadir near day 411 at RB 8.5e-4
    expect(Math.abs(nadir.day - 411)).toBeLessThanOrEqual(4);
    expect(rel(nadir.rb, 8.5e-4)).toBeLessThan(0.02);
  });
});
