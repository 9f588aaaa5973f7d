/**
 * Test (1): with the exosome layer off (and the niche cells decoupled), the niche model is the Hähnel 2020 model:
 * the same BCR-ABL trajectory as models/reference/hahnel2020.exm for Hähnel patients, including TKI stop.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNicheModel } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const pad = (k: number) => String(k).padStart(2, '0');

/** Both runs at tight tolerances; the trajectories must agree to 1e-6 relative (plus 1e-12 absolute). */
function compare(patient: number, extra: object) {
  const tStop = kb.parameter(`hahnel2020.patient${pad(patient)}.t_stop`).value;
  const tEnd = tStop + 36;
  const saveat = Array.from({ length: Math.floor(tEnd) + 1 }, (_, i) => i);
  const opts = { method: 'rodas5p', rtol: 1e-10, atol: 1e-12, tEnd, saveat, maxSteps: 1e6 };
  const ref = simulateModel(loadReferenceModel('hahnel2020', { patient, kb }).model, opts);
  const niche = simulateModel(
    buildNicheModel({ patient, exosomes: false, tki: { kind: 'switch', stopAt: tStop }, ...extra }, kb),
    opts,
  );
  expect(ref.retcode).toBe('Success');
  expect(niche.retcode).toBe('Success');
  const a = ref.column('bcr_abl');
  const b = niche.column('bcr_abl');
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-12 + 1e-6 * Math.abs(a[i])));
  expect(worst).toBeLessThanOrEqual(1);
  // The trajectory is not trivial: it falls by orders of magnitude and relapses or stays low after the stop.
  expect(Math.min(...a)).toBeLessThan(a[0] * 1e-2);
  return { a, b };
}

describe('niche model reduces to Hähnel 2020', () => {
  for (const patient of [1, 2, 20]) {
    it(`patient ${patient}: LSC core only`, () => {
      compare(patient, { lineages: false });
    });
    it(`patient ${patient}: with normal haematopoiesis and lineages (they do not feed back)`, () => {
      compare(patient, {});
    });
  }

  it('exosome layer on with every channel and feedback off is Hähnel too', () => {
    const channels = Object.fromEntries(
      kb.channels
        .map((c) => [c.id, false])
        .filter(([id]) => id !== 'cml-bmsc-macrophage-k562' && id !== 'msc-cml-imatinib-sensitisation'),
    );
    const tStop = kb.parameter('hahnel2020.patient01.t_stop').value;
    const opts = { method: 'rodas5p', rtol: 1e-10, atol: 1e-12, tEnd: 120, saveat: 1 };
    const ref = simulateModel(loadReferenceModel('hahnel2020', { patient: 1, kb }).model, opts).column(
      'bcr_abl',
    );
    const m = buildNicheModel(
      {
        channels,
        feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false },
        tki: { kind: 'switch', stopAt: tStop },
      },
      kb,
    );
    const got = simulateModel(m, opts).column('bcr_abl');
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-12 + 1e-6 * ref[i]);
  });

  it('negative control: with the exosome layer on (default parameters) the trajectory differs', () => {
    const tStop = kb.parameter('hahnel2020.patient01.t_stop').value;
    const opts = { method: 'rodas5p', rtol: 1e-8, atol: 1e-12, tEnd: 60, saveat: 12 };
    const ref = simulateModel(loadReferenceModel('hahnel2020', { patient: 1, kb }).model, opts).column(
      'bcr_abl',
    );
    const got = simulateModel(buildNicheModel({ tki: { kind: 'switch', stopAt: tStop } }, kb), opts).column(
      'bcr_abl',
    );
    expect(Math.abs(got[5] / ref[5] - 1)).toBeGreaterThan(0.01);
  });
});
