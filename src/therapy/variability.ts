/**
 * Inter-patient variability: log-normal random effects on CL/F and V/F (and Q/F, Vp/F), the convention of
 * population PK (NONMEM's exponential model, Sheiner & Beal): theta_i = theta exp(omega eta_i), eta_i ~ N(0, 1),
 * with omega^2 = ln(1 + CV^2) so that the log-normal's coefficient of variation is exactly the reported CV and
 * theta is the median (typical) value. ka is kept at its typical value (no CV retrieved for any TKI).
 *
 * `individualParams` is pure (the normal draws come in); `samplePatients` draws them from the project's keyed
 * Philox streams, one stream per patient, so patient k's parameters do not depend on how many others are drawn.
 */
import { type PathValue, standardNormal, streamFor } from '../numerics/random/index.js';
import type { PkParams } from './pk.js';

export interface ParamCvs {
  readonly clF?: number;
  readonly vF?: number;
  readonly qF?: number;
  readonly vpF?: number;
}

/** Standard normal draws for one patient (absent = 0, the typical value). */
export interface Etas {
  readonly clF?: number;
  readonly vF?: number;
  readonly qF?: number;
  readonly vpF?: number;
}

/** omega of the log-normal with coefficient of variation cv. */
export function omegaFromCv(cv: number): number {
  if (!(cv >= 0)) throw new RangeError(`cv must be >= 0, got ${cv}`);
  return Math.sqrt(Math.log1p(cv * cv));
}

function scale(
  value: number | undefined,
  cv: number | undefined,
  eta: number | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  if (cv === undefined || eta === undefined) return value;
  return value * Math.exp(omegaFromCv(cv) * eta);
}

/** One patient's parameters from the typical ones, the CVs and the patient's standard normal draws. */
export function individualParams(typical: PkParams, cv: ParamCvs, eta: Etas): PkParams {
  return {
    model: typical.model,
    ka: typical.ka,
    clF: scale(typical.clF, cv.clF, eta.clF) as number,
    vF: scale(typical.vF, cv.vF, eta.vF) as number,
    ...(typical.qF !== undefined ? { qF: scale(typical.qF, cv.qF, eta.qF) } : {}),
    ...(typical.vpF !== undefined ? { vpF: scale(typical.vpF, cv.vpF, eta.vpF) } : {}),
  };
}

/**
 * `count` patients' parameters, patient k drawn from the stream (seed, purpose 'pk-variability', drug, patient k);
 * draws in the fixed order CL/F, V/F, Q/F, Vp/F.
 */
export function samplePatients(
  typical: PkParams,
  cv: ParamCvs,
  seed: number,
  count: number,
  drug: PathValue = 'drug',
  first = 0,
): PkParams[] {
  const out: PkParams[] = [];
  for (let k = first; k < first + count; k++) {
    const s = streamFor(seed, ['purpose', 'pk-variability'], ['drug', drug], ['patient', k]);
    const eta = {
      clF: standardNormal(s),
      vF: standardNormal(s),
      qF: standardNormal(s),
      vpF: standardNormal(s),
    };
    out.push(individualParams(typical, cv, eta));
  }
  return out;
}
