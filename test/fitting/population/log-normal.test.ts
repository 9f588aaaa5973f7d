import { describe, expect, it } from 'vitest';
import { mapLogNormal } from '../../../src/fitting/population/log-normal.js';

describe('log-linear maps of log-normal laws (SAEM result to a virtual cohort)', () => {
  const source = {
    names: ['pyx', 'pxy', 'Y0'],
    mean: Float64Array.from([-5, -6, 12]),
    cov: Float64Array.from([0.5, 0.1, 0, 0.1, 0.8, -0.2, 0, -0.2, 0.3]),
  };
  const fallback = {
    names: ['pz', 'Y0'],
    mean: Float64Array.from([7, 99]),
    cov: Float64Array.from([2, 0.3, 0.3, 1]),
  };

  it('a tie X0 = pyx Y0 / pxy gives mean a.mu and variance a^T Omega a; untouched names come from the fallback', () => {
    const d = mapLogNormal(
      source,
      [{ name: 'pyx', from: { pyx: 1 } }, { name: 'X0', from: { pyx: 1, Y0: 1, pxy: -1 } }, { name: 'pz' }],
      fallback,
    );
    expect(d.names).toEqual(['pyx', 'X0', 'pz']);
    expect([...d.mean]).toEqual([-5, -5 + 12 + 6, 7]);
    // Var(log X0) = 0.5 + 0.3 + 0.8 + 2 (0 (pyx,Y0) - 0.1 (pyx,pxy) - (-0.2) (Y0,pxy)) = 1.8.
    expect(d.cov[1 * 3 + 1]).toBeCloseTo(1.8, 12);
    // Cov(log pyx, log X0) = 0.5 + 0 - 0.1 = 0.4; the fallback block is independent.
    expect(d.cov[0 * 3 + 1]).toBeCloseTo(0.4, 12);
    expect(d.cov[1 * 3 + 0]).toBeCloseTo(0.4, 12);
    expect(d.cov[2 * 3 + 2]).toBe(2);
    expect(d.cov[0 * 3 + 2]).toBe(0);
  });

  it('unknown names are errors', () => {
    expect(() => mapLogNormal(source, [{ name: 'x', from: { nope: 1 } }])).toThrow(/uses 'nope'/);
    expect(() => mapLogNormal(source, [{ name: 'Kz' }], fallback)).toThrow(/'Kz' has no 'from'/);
  });
});
