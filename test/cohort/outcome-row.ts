/** Test helper: a PatientOutcome row with nothing observed over 120 months unless given (`m`: milestone values). */
import { MILESTONE_MONTHS, milestoneColumn, type PatientOutcome } from '../../src/cohort/outcome.js';

export type RowInput = Partial<PatientOutcome> & { m?: Record<number, number> };

export function outcomeRow(patient: number, o: RowInput = {}): PatientOutcome {
  const N = Number.NaN;
  const milestones: Record<string, number> = {};
  for (const m of MILESTONE_MONTHS) milestones[milestoneColumn(m)] = o.m?.[m] ?? N;
  const { m: _m, ...rest } = o;
  return {
    patient,
    stratum: 'all',
    status: 'ok',
    message: '',
    followUpMonths: 120,
    cminNgPerMl: 1000,
    timeMMR: N,
    timeMR4: N,
    timeMR45: N,
    timeProgression: N,
    timeBlastCrisis: N,
    timeTfrEligible: N,
    timeTfrStop: N,
    timeTfrRelapse: N,
    timeMutation: N,
    mutantShareAtStop: N,
    mutantShare6mAfterStop: N,
    slopePhase1: N,
    slopePhase2: N,
    slopePhase3: N,
    ...rest,
    milestones,
  };
}
