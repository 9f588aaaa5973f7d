/**
 * Shared set-up of the model-fit tests (test/fitting/model-fit*.test.ts, test/report/fit.test.ts,
 * test/cli/fit.test.ts): small models with closed-form solutions and the shipped patient series.
 */
import { readFileSync } from 'node:fs';
import { parseSeriesCsv, type Series } from '../../src/fitting/data.js';
import { tieParameters } from '../../src/fitting/model-fit-tie.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { type CompiledModel, compileModel } from '../../src/models/compile/compile.js';
import { parseModel } from '../../src/models/text/index.js';

/** Two independent decays: total(t) = u_init e^{-a t} + v_init e^{-b t} (the bi-exponential as an ODE model). */
export const BIEXP_EXM = `model biexp
  compartment c = 1
  substanceOnly species u in c
  u_init = 100
  u = u_init
  substanceOnly species v in c
  v_init = 1
  v = v_init
  a = 0.05
  b = 0.005
  total := u + v
  du: u => ; a*u
  dv: v => ; b*v
end`;

export const biexpCompiled = (): CompiledModel => compileModel(parseModel(BIEXP_EXM, 'biexp.exm'));

/** First-order decay with core-parameter names: Y(t) = Y_init e^{-e_tki t}. */
export const DECAY_EXM = `model decay
  compartment c = 1
  substanceOnly species Y in c
  Y_init = 1000
  Y = Y_init
  e_tki = 0.4
  kill: Y => ; e_tki*Y
end`;

export const decayCompiled = (): CompiledModel => compileModel(parseModel(DECAY_EXM, 'decay.exm'));

export const HAHNEL_CSV = 'data/patients/hahnel2020_figS2_on_tki.csv';

/** Hähnel 2020 Fig. S2 on-TKI courses (months, BCR-ABL1 %, left-censored points), one series per patient. */
export const hahnelSeries = (): Series[] =>
  parseSeriesCsv(readFileSync(HAHNEL_CSV, 'utf8'), {
    source: HAHNEL_CSV,
    id: 'patient',
    time: 'month',
    value: 'bcr_abl_percent',
    censored: 'upper_limit_only',
  });

export const MICHOR_CSV = 'data/patients/michor2005_imatinib_patients.csv';

/** Michor 2005 imatinib patients (days, BCR-ABL1 %). */
export const michorSeries = (): Series[] =>
  parseSeriesCsv(readFileSync(MICHOR_CSV, 'utf8'), {
    source: MICHOR_CSV,
    id: 'patient',
    time: 'day',
    value: 'bcr_abl_percent',
  });

/** Hähnel 2020 patient k: its series and the reference model with X_init tied to pyx*Y_init/pxy. */
export function hahnelPatient(k: number): { series: Series; model: CompiledModel } {
  const series = hahnelSeries().find((s) => s.id === String(k));
  if (!series) throw new Error(`${HAHNEL_CSV}: no patient ${k}`);
  const ref = loadReferenceModel('hahnel2020', { patient: k }).model;
  return { series, model: compileModel(tieParameters(ref, { X_init: 'pyx*Y_init/pxy' })) };
}

/** e_tki and Y_init over the ranges of the CLI example (log scale). */
export const E_TKI_Y_INIT_SPECS = [
  { name: 'e_tki', lo: 0.5, hi: 50, scale: 'log' as const },
  { name: 'Y_init', lo: 1e3, hi: 1.999e6, scale: 'log' as const },
];
