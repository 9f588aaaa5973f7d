/**
 * From simulated cell numbers to a BCR-ABL1 ratio and percentage (cml-models.md §1.2). The published models use
 * different conventions, which differ by up to 0.3 log at low burden, so the convention is always explicit:
 *
 * - `allele` (BCR-ABL1/BCR, allele counting): a leukaemic cell carries one BCR-ABL1 and one normal BCR allele, a
 *   normal cell two BCR alleles, so R = L/(L + 2N). Michor 2005 as compiled in radivot/myelo, Clapp 2015
 *   (`beta*Y3/(Y3 + 2x)`, with a lab scaling factor beta), Stein 2011.
 * - `cell-fraction`: R = L/(L + N), the leukaemic share of the cells (myelo's R Michor function, Foo 2009). At low
 *   burden it is 2x (0.3 log) the allele form; the two meet only near 100 %.
 * - `relative`: R = L/L_ref, the load relative to a reference load (Fassoni 2018: Y/TY, 100 % at the start of
 *   therapy).
 * - `hahnel`: with the leukaemic fraction l = L/K of the capacity K, BCR-ABL1/ABL1 = l/(2 - l) (Hähnel 2020,
 *   Glauche group; l < 2 required).
 *
 * An optional `scale` multiplies the ratio (Clapp's beta = 3). The percentage on the International Scale also
 * needs the laboratory's conversion factor; 100 % IS is a standardised baseline, not "100 % leukaemic", and
 * assay ratios can exceed 100 %. All functions are pure.
 */
import type { BcrAblConvention, BcrAblReadout } from '../knowledge/reference-models.js';

export type { BcrAblConvention } from '../knowledge/reference-models.js';

export interface BcrAblInput {
  /** Leukaemic (BCR-ABL1-positive) cells. */
  readonly leukaemic: number;
  /** Normal cells (`allele`, `cell-fraction`). */
  readonly normal?: number;
  /** Reference load (`relative`) or capacity (`hahnel`). */
  readonly reference?: number;
  /** Factor multiplying the ratio (default 1). */
  readonly scale?: number;
}

function need(name: string, v: number | undefined, convention: BcrAblConvention): number {
  if (v === undefined) throw new RangeError(`bcrAblRatio: '${convention}' needs ${name}`);
  if (!(v >= 0) || !Number.isFinite(v))
    throw new RangeError(`bcrAblRatio: ${name} must be finite and non-negative, got ${v}`);
  return v;
}

/** BCR-ABL1 ratio (1 = 100 %) under a convention. NaN when there are no cells at all (0/0). */
export function bcrAblRatio(input: BcrAblInput, convention: BcrAblConvention): number {
  const L = need('leukaemic', input.leukaemic, convention);
  const scale = input.scale ?? 1;
  switch (convention) {
    case 'allele': {
      const N = need('normal', input.normal, convention);
      return (scale * L) / (L + 2 * N);
    }
    case 'cell-fraction': {
      const N = need('normal', input.normal, convention);
      return (scale * L) / (L + N);
    }
    case 'relative': {
      const ref = need('reference', input.reference, convention);
      if (ref === 0) throw new RangeError('bcrAblRatio: the reference load must be positive');
      return (scale * L) / ref;
    }
    case 'hahnel': {
      const K = need('reference', input.reference, convention);
      if (K === 0) throw new RangeError('bcrAblRatio: the capacity must be positive');
      const l = L / K;
      if (l >= 2) throw new RangeError(`bcrAblRatio: 'hahnel' needs L/K < 2, got ${l}`);
      return (scale * l) / (2 - l);
    }
    default:
      throw new RangeError(`bcrAblRatio: unknown convention '${String(convention)}'`);
  }
}

/** Ratio to percent on the International Scale: 100 * ratio * conversionFactor (default 1: the raw assay ratio). */
export function toPercentIS(ratio: number, conversionFactor = 1): number {
  return 100 * ratio * conversionFactor;
}

/** log10 reduction from the standardised baseline of 100 % IS (MMR = 3, MR4 = 4, ...). */
export function logReduction(percentIS: number): number {
  return 2 - Math.log10(percentIS);
}

/** The columns a read-out needs, from a time course (species and parameters are both observables). */
export interface TimeCourseLike {
  readonly ids: readonly string[];
  readonly time: ArrayLike<number>;
  /** Row-major: values[i * ids.length + k]. */
  readonly values: ArrayLike<number>;
}

/**
 * The BCR-ABL1 ratio over a time course, using the model's read-out description (which species are leukaemic or
 * normal, which parameters are the reference load, the normal population or the scale). Parameters are read
 * from the time course, so overrides and event changes are honoured. Default convention: the model's own.
 */
export function bcrAblSeries(
  tc: TimeCourseLike,
  readout: BcrAblReadout,
  convention: BcrAblConvention = readout.defaultConvention,
): Float64Array {
  const m = tc.ids.length;
  const col = (id: string) => {
    const k = tc.ids.indexOf(id);
    if (k < 0) throw new RangeError(`bcrAblSeries: the time course has no column '${id}'`);
    return k;
  };
  const leuk = readout.leukaemic.map(col);
  const norm = (readout.normal ?? []).map(col);
  const normP = readout.normalParameter !== undefined ? col(readout.normalParameter) : -1;
  const refP = readout.referenceParameter !== undefined ? col(readout.referenceParameter) : -1;
  const scaleP = readout.scaleParameter !== undefined ? col(readout.scaleParameter) : -1;
  const nt = tc.time.length;
  const out = new Float64Array(nt);
  for (let i = 0; i < nt; i++) {
    const row = i * m;
    let L = 0;
    for (const k of leuk) L += tc.values[row + k];
    let N: number | undefined;
    if (normP >= 0) N = tc.values[row + normP];
    else if (norm.length > 0) {
      N = 0;
      for (const k of norm) N += tc.values[row + k];
    }
    out[i] = bcrAblRatio(
      {
        leukaemic: Math.max(0, L),
        ...(N !== undefined ? { normal: Math.max(0, N) } : {}),
        ...(refP >= 0 ? { reference: tc.values[row + refP] } : {}),
        ...(scaleP >= 0 ? { scale: tc.values[row + scaleP] } : {}),
      },
      convention,
    );
  }
  return out;
}
