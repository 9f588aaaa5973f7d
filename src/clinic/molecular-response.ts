/**
 * Molecular response level from a BCR-ABL1 RT-qPCR result on the International Scale (cml-models.md §1.1).
 *
 * A detectable result scores the deepest level whose cut-off it meets (cut-offs inclusive: 0.1 % IS is MMR).
 * An undetectable result only says BCR-ABL1 lies below the assay's sensitivity, so it scores:
 * - a deep level (MR4, MR4.5, MR5) when the ABL1 control-gene copies in the same cDNA volume reach that level's
 *   minimum (10,000 / 32,000 / 100,000; Cross et al. 2015, Leukemia 29:999) — or, without copy numbers, when the
 *   stated limit of detection (% IS) meets the level's cut-off;
 * - a shallower level (MR1, MR2, MMR) when the sensitivity meets its cut-off, the sensitivity being the stated
 *   limit of detection or, from copies, one BCR-ABL1 copy in the ABL1 copies (100/ABL1 %).
 * All cut-offs come from the definitions passed in (data/knowledge/clinical.yaml).
 */
import type { MolecularResponseLevelId } from '../knowledge/schema/clinical.js';
import {
  defaultClinicalDefinitions,
  describeThreshold,
  type MolecularResponseDefinitions,
  meets,
} from './definitions.js';

/** A level, or `none` when BCR-ABL1 is above the shallowest cut-off (> 10 % IS). */
export type MolecularResponse = 'none' | MolecularResponseLevelId;

/** One RT-qPCR result. */
export type PcrResult =
  | {
      readonly detected: true;
      /** BCR-ABL1 on the International Scale, % (may exceed 100). */
      readonly percentIS: number;
      readonly abl1Copies?: number;
    }
  | {
      readonly detected: false;
      /** ABL1 control-gene copies in the cDNA volume tested for BCR-ABL1. */
      readonly abl1Copies?: number;
      /** The assay's limit of detection for this sample, % IS. */
      readonly sensitivityPercentIS?: number;
    };

export interface MolecularResponseReadout {
  readonly level: MolecularResponse;
  /** What decided the level: the measured value, the ABL1 copy rule or the assay sensitivity. */
  readonly basis: 'value' | 'abl1-copies' | 'sensitivity';
  /** The highest BCR-ABL1 % IS the result is compatible with (the value, or the sensitivity when undetected). */
  readonly upperBoundPercentIS: number;
  readonly reason: string;
}

function mrDefs(defs?: MolecularResponseDefinitions): MolecularResponseDefinitions {
  return defs ?? defaultClinicalDefinitions().molecularResponse;
}

/** The level of a BCR-ABL1 % IS value (detectable result). */
export function levelFromPercentIS(
  percentIS: number,
  defs?: MolecularResponseDefinitions,
): MolecularResponse {
  if (!(percentIS >= 0))
    throw new RangeError(`BCR-ABL1 % IS must be a non-negative number, got ${percentIS}`);
  const levels = mrDefs(defs).levels;
  for (let i = levels.length - 1; i >= 0; i--)
    if (meets(percentIS, levels[i].maxPercentIS)) return levels[i].id;
  return 'none';
}

/** The molecular response level of one PCR result, with the rule that decided it. */
export function molecularResponse(
  result: PcrResult,
  defs?: MolecularResponseDefinitions,
): MolecularResponseReadout {
  const d = mrDefs(defs);
  if (result.detected) {
    const level = levelFromPercentIS(result.percentIS, d);
    const l = d.levels.find((x) => x.id === level);
    return {
      level,
      basis: 'value',
      upperBoundPercentIS: result.percentIS,
      reason: l
        ? `${result.percentIS} % IS meets ${l.id} (${describeThreshold(l.maxPercentIS)})`
        : `${result.percentIS} % IS is above every response cut-off`,
    };
  }
  const copies = result.abl1Copies;
  if (copies !== undefined && !(copies >= 0))
    throw new RangeError(`ABL1 copies must be non-negative, got ${copies}`);
  const explicit = result.sensitivityPercentIS;
  if (explicit !== undefined && !(explicit > 0))
    throw new RangeError(`assay sensitivity must be a positive % IS, got ${explicit}`);
  if (copies === undefined && explicit === undefined)
    throw new RangeError('an undetectable result needs ABL1 copies or the assay sensitivity to be scored');
  // Sensitivity for the cut-off rule: the stated limit of detection, else one copy among the ABL1 copies.
  const sensitivity = explicit ?? (copies! > 0 ? 100 / copies! : Number.POSITIVE_INFINITY);
  for (let i = d.levels.length - 1; i >= 0; i--) {
    const l = d.levels[i];
    if (l.minAbl1CopiesIfUndetectable && copies !== undefined) {
      if (meets(copies, l.minAbl1CopiesIfUndetectable))
        return {
          level: l.id,
          basis: 'abl1-copies',
          upperBoundPercentIS: sensitivity,
          reason: `undetectable with ${copies} ABL1 copies (${l.id} needs ${describeThreshold(l.minAbl1CopiesIfUndetectable)})`,
        };
      continue;
    }
    if (meets(sensitivity, l.maxPercentIS))
      return {
        level: l.id,
        basis: 'sensitivity',
        upperBoundPercentIS: sensitivity,
        reason: `undetectable with sensitivity ${sensitivity} % IS (${l.id}: ${describeThreshold(l.maxPercentIS)})`,
      };
  }
  return {
    level: 'none',
    basis: 'sensitivity',
    upperBoundPercentIS: sensitivity,
    reason: `undetectable, but the sensitivity ${sensitivity} % IS is too poor to score any level`,
  };
}

/** Depth rank of a level: 0 for `none`, 1 for the shallowest level, and so on. */
export function responseDepth(level: MolecularResponse, defs?: MolecularResponseDefinitions): number {
  if (level === 'none') return 0;
  const i = mrDefs(defs).levels.findIndex((l) => l.id === level);
  if (i < 0) throw new RangeError(`unknown molecular response level '${level}'`);
  return i + 1;
}

/** Whether `level` is at least as deep as `target` (e.g. MR4.5 is at least MMR). */
export function atLeast(
  level: MolecularResponse,
  target: MolecularResponseLevelId,
  defs?: MolecularResponseDefinitions,
): boolean {
  return responseDepth(level, defs) >= responseDepth(target, defs);
}

/**
 * A deterministic assay of a true BCR-ABL1 level: detected when the level reaches the sample's sensitivity
 * (the stated limit of detection, else one copy in the ABL1 copies); undetected otherwise. No sampling noise:
 * Poisson or measurement error belong to the caller's model.
 */
export function assay(
  truePercentIS: number,
  sample: { readonly abl1Copies?: number; readonly limitOfDetectionPercentIS?: number },
): PcrResult {
  const lod = sample.limitOfDetectionPercentIS ?? (sample.abl1Copies ? 100 / sample.abl1Copies : undefined);
  if (lod === undefined) throw new RangeError('assay needs abl1Copies or limitOfDetectionPercentIS');
  if (truePercentIS >= lod)
    return { detected: true, percentIS: truePercentIS, abl1Copies: sample.abl1Copies };
  return {
    detected: false,
    abl1Copies: sample.abl1Copies,
    sensitivityPercentIS: sample.limitOfDetectionPercentIS,
  };
}
