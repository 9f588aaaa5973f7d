/**
 * The per-cell channel effects are the niche model's: at the uptake fractions the compiled ODE model computes, the
 * spatial functions (cargoEffect with the niche options resolved by channelConstants) give the ODE's eff_* values.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { CHANNELS } from '../../src/niche/channels.js';
import { buildNicheModel, resolveOptions } from '../../src/niche/index.js';
import { cargoEffect, channelConstants, channelSignal, uptakeFraction } from '../../src/spatial/channels.js';
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
