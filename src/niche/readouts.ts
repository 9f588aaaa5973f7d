/**
 * Clinical read-outs of a niche-model time course: blast percentages in blood and marrow (the model's
 * `blasts_blood_percent` and `blasts_marrow_percent`, blast.ts) and the CML phase they imply under a phase scheme
 * (src/clinic/phase.ts: WHO 2017, ELN 2020 = ELN 2013, WHO 2022). Only the blast criteria are evaluated (the
 * model has no basophils, platelets or cytogenetics), so the phase is a lower bound on the clinical one.
 *
 * Works for any time course with `time` and `column(id)`: an ODE TimeCourse (simulateModel), a stochastic or
 * hybrid ensemble (the mean) or a single hybrid replicate.
 */
import type { ClinicalDefinitionSet, PhaseScheme } from '../clinic/definitions.js';
import { classifyPhase, type Phase } from '../clinic/phase.js';

/** A time course of the niche model (TimeCourse, StochasticResult, ApproximateResult). */
export interface NicheTrajectory {
  readonly time: ArrayLike<number>;
  column(id: string): ArrayLike<number>;
}

export interface BlastCourse {
  readonly time: Float64Array;
  /** Blasts, % of nucleated marrow cells. */
  readonly marrow: Float64Array;
  /** Blasts, % of nucleated blood cells. */
  readonly blood: Float64Array;
}

export interface PhaseCourse {
  readonly scheme: PhaseScheme;
  readonly time: Float64Array;
  readonly phase: readonly Phase[];
  /** WHO 2022: chronic phase with a high-risk feature (never set by blasts alone). */
  readonly highRisk: readonly boolean[];
  /** First output time at which each phase (or a more advanced one) is reached; absent if never. */
  readonly onset: Partial<Record<Phase, number>>;
}

const need = (s: NicheTrajectory, id: string): ArrayLike<number> => {
  try {
    return s.column(id);
  } catch (e) {
    throw new Error(
      `niche read-outs: the time course has no '${id}' (build the model with lineages on): ${(e as Error).message}`,
    );
  }
};

/** Blast percentages in marrow and blood over time. */
export function blastPercent(s: NicheTrajectory): BlastCourse {
  return {
    time: Float64Array.from(s.time),
    marrow: Float64Array.from(need(s, 'blasts_marrow_percent')),
    blood: Float64Array.from(need(s, 'blasts_blood_percent')),
  };
}

const RANK: Record<Phase, number> = { chronic: 0, accelerated: 1, blast: 2 };

/** The phase at every output time under `scheme`, from the blast percentages alone, with the onset times. */
export function phaseCourse(
  s: NicheTrajectory,
  scheme: PhaseScheme,
  defs?: ClinicalDefinitionSet,
): PhaseCourse {
  const b = blastPercent(s);
  const phase: Phase[] = [];
  const highRisk: boolean[] = [];
  const onset: Partial<Record<Phase, number>> = {};
  for (let i = 0; i < b.time.length; i++) {
    const a = classifyPhase(
      { blood: { blastsPercent: b.blood[i] }, marrow: { blastsPercent: b.marrow[i] } },
      scheme,
      defs,
    );
    phase.push(a.phase);
    highRisk.push(a.highRisk);
    for (const p of ['chronic', 'accelerated', 'blast'] as const)
      if (onset[p] === undefined && RANK[a.phase] >= RANK[p]) onset[p] = b.time[i];
  }
  return { scheme, time: b.time, phase, highRisk, onset };
}
