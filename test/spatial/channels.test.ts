/**
 * The per-cell channel effects are the niche model's: at the uptake fractions the compiled ODE model computes, the
 * spatial functions (cargoEffect with the niche options resolved by channelConstants) give the ODE's eff_* values.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { compileModel } from '../../src/models/compile/index.js';
import { simulateModel } from '../../src/models/simulate.js';
import { CHANNELS } from '../../src/niche/channels.js';
import { buildNicheModel, resolveOptions } from '../../src/niche/index.js';
import {
  cargoEffect,
  channelConstants,
  channelSignal,
  endothelialAdhesion,
  uptakeFraction,
} from '../../src/spatial/channels.js';
import { spatialParameters } from '../../src/spatial/params.js';

const kb = loadKnowledgeBase();

describe('channel effects per cell', () => {
  it('equal the compiled niche model eff_* at the same uptake (anti-miR, mimic, blocker, hypoxia)', () => {
    const options = {
      hypoxia: 0.5,
      tki: { kind: 'none' },
      channels: { 'cml-bmsc-il8': 0.7 },
      interventions: { antiMiR: { 'miR-15a': 0.3, 'miR-92a': 0.5 }, uptakeBlocker: 0.2 },
      mimic: { 'miR-92a': 0.2 },
    } as const;
    const model = buildNicheModel(options, kb);
    const r = simulateModel(model, { tEnd: 0.1, saveat: [0.1], method: 'rodas5p', rtol: 1e-10, atol: 1e-8 });
    expect(r.retcode).toBe('Success');
    const at = (id: string) => r.column(id)[0];
    const p = spatialParameters(kb, CHANNELS);
    const o = resolveOptions(options);
    const ch = channelConstants(o, p.cargo);
    const uC = at('u_cml');
    const uB = at('u_bmsc');
    // Channel-specific cargo factors (build.ts): miR-210 hypoxia x gain, miR-21 curcumin (0 here: absent from the model).
    const factor: Record<string, number> = { mir210: 0.5 * p.mir210Gain, mir21: o.curcumin };
    const ids = new Set(r.ids);
    let checked = 0;
    for (const c of CHANNELS) {
      if (c.donor === 'res' || c.recipient === 'immune') continue;
      const u = c.donor === 'bmsc' ? uB : uC;
      const want = ids.has(`eff_${c.sym}`) ? at(`eff_${c.sym}`) : 0;
      const s = channelSignal(ch[c.sym], (factor[c.sym] ?? 1) * u);
      const got = cargoEffect(ch[c.sym].k, s, p.cargo.ec50, p.cargo.hill);
      expect(got, c.sym).toBeCloseTo(want, 12);
      checked++;
    }
    expect(checked).toBe(12);
    // The pool-based uptake: u = (1 - b) S / (Km + S) for the marrow pool S, as exosomes.ts.
    const S = at('E_bmsc');
    expect(uptakeFraction(S, kb.parameter('niche.uptake.km_bmsc').value, 0.2)).toBeCloseTo(uB, 12);
  });
});

describe('endothelial adhesion (E5, VCAM1) and T-cell channels (I1, I2) per cell', () => {
  // Each case: the VCAM1 sign (crosstalk.vcam1_direction, the ODE's vcam1_dir) and niche options that move E5/E6.
  const cases = [
    {
      dir: -1,
      options: {
        tki: { kind: 'none' },
        channels: { 'cml-endothelium-mir126': 0.8 },
        interventions: { antiMiR: { 'miR-126': 0.3 }, curcumin: 0.4 },
        mimic: { 'miR-126': 0.05 },
      },
    },
    {
      dir: 1,
      options: {
        tki: { kind: 'none' },
        channels: { 'cml-endothelium-il8-vcam1': 1.3, 'cml-tcell-suppression': 0.6 },
        interventions: { curcumin: 0.4, uptakeBlocker: 0.2 },
      },
    },
    { dir: -0.5, options: { tki: { kind: 'none' }, channels: { 'cml-treg-expansion': 2 } } },
    { dir: 0, options: { tki: { kind: 'none' } } },
  ] as const;
  for (const { dir, options } of cases)
    it(`vcam1/cxcl12 targets and eff_i1/eff_i2 = the compiled niche model's (direction ${dir})`, () => {
      const c = compileModel(buildNicheModel(options, kb));
      const p = c.p0.slice();
      const pi = (id: string) => c.parameterIds.indexOf(id);
      p[pi('vcam1_dir')] = dir;
      const y = c.initialState(p);
      // A CML-exosome pool near its half-saturation (with LSC exosomes): u_cml about 0.4.
      y[c.stateIds.indexOf('E_cml')] = 0.5 * p[pi('Km_cml')];
      y[c.stateIds.indexOf('E_lsc')] = 0.2 * p[pi('Km_cml')];
      const obs = new Float64Array(c.observableIds.length);
      c.observe(0, y, p, obs);
      const at = (id: string) => obs[c.observableIds.indexOf(id)];
      const rates = new Float64Array(c.reactionIds.length);
      c.reactionRates(0, y, p, rates);
      // Up_<state> = k_act * target (niche-cells.ts), whatever the state: the ODE's target exactly.
      const target = (s: string) => rates[c.reactionIds.indexOf(`Up_${s}`)] / p[pi('k_act')];
      const sp = spatialParameters(kb, CHANNELS);
      const o = resolveOptions(options);
      const ch = channelConstants(o, sp.cargo);
      const uC = at('u_cml');
      expect(uC).toBeGreaterThan(0.2);
      const out = new Float64Array(2);
      endothelialAdhesion(
        out,
        ch.e6,
        ch.mir126,
        sp.cargo,
        { direction: dir, emax: sp.emaxVcam },
        uC,
        o.curcumin,
      );
      expect(out[0], 'vcam1_endo').toBeCloseTo(target('vcam1_endo'), 12);
      expect(out[1], 'cxcl12_endo').toBeCloseTo(target('cxcl12_endo'), 12);
      // The effects are real: CXCL12 falls; VCAM1 moves by the sign of the direction.
      expect(out[1]).toBeLessThan(0.9);
      if (dir !== 0) expect(Math.sign(out[0] - 1)).toBe(Math.sign(dir));
      else expect(out[0]).toBe(1);
      // The KB's own VCAM1 sign is what a spatial niche reads.
      expect(sp.vcam1Direction).toBe(kb.parameter('crosstalk.vcam1_direction').value);
      for (const sym of ['i1', 'i2'] as const) {
        const got = cargoEffect(ch[sym].k, channelSignal(ch[sym], uC), sp.cargo.ec50, sp.cargo.hill);
        expect(got, sym).toBeCloseTo(at(`eff_${sym}`), 12);
        expect(got).toBeGreaterThan(0.01);
      }
    });
});
