import { describe, expect, it } from 'vitest';
import * as exoniche from '../src/index.js';

describe('the public API', () => {
  it('runs the README library example: parse, simulate, read a column', () => {
    const text = 'model m\n  compartment c = 1\n  species A in c = 2\n  k = 0.5\n  J1: A -> ; k*A\nend\n';
    const tc = exoniche.simulateModel(exoniche.parseModel(text, 'model.exm'), {
      tEnd: 4,
      steps: 4,
      method: 'Rodas5P',
      rtol: 1e-10,
      atol: 1e-14,
    });
    expect(tc.retcode).toBe('Success');
    const a = tc.column('A');
    for (let i = 0; i < tc.time.length; i++)
      expect(Math.abs(a[i] - 2 * Math.exp(-0.5 * tc.time[i]))).toBeLessThan(1e-8);
  });

  it('names every ODE method it exports', () => {
    expect(exoniche.METHOD_NAMES).toEqual(['auto', 'DP5', 'Tsit5', 'Rodas4', 'Rodas5P', 'BDF']);
    for (const name of exoniche.METHOD_NAMES)
      expect(exoniche.getMethod(name).name).toMatch(new RegExp(name === 'auto' ? '^auto\\(' : `^${name}$`));
  });
});
