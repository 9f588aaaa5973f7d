/**
 * The niche calibration problem (issue 6; docs/calibration.md): assumed niche parameters that the data do not pin
 * down are fitted, with the exosome layer on, to imatinib data only:
 *
 * - Hähnel 2020 on-TKI series (Figure S2): each patient is simulated with its own Hähnel core parameters from the
 *   KB (options.patient) and only the shared niche keys are fitted; points after the patient's TKI stop are
 *   excluded (stopping is predicted, not fitted); left-censored points enter through the censored likelihood.
 * - Michor 2005 year-1 BCR-ABL/BCR (%): population medians in monthly bins, compared with the median of the model
 *   over a virtual population (the Hähnel cores of the training patients). Michor's allele-counting ratio
 *   L/(L + 2N) equals the model's Hähnel read-out l/(2 - l) with N = K - L (src/clinic/bcr-abl.ts), so no scale
 *   is fitted.
 *
 * Both terms use the log10 error model of objective.ts with the same sigma.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { Series } from './data.js';
import type { FitProblem } from './fit.js';
import { NicheSubject, type SubjectOptions } from './niche.js';
import { type Log10ErrorModel, type Residual, seriesResiduals } from './objective.js';
import type { ParameterSpec } from './transform.js';

export interface NicheCalibrationSetup {
  readonly kb: KnowledgeBase;
  readonly parameters: readonly ParameterSpec[];
  /** Hähnel series (months, BCR-ABL1/ABL1 %), id = patient number. */
  readonly hahnel: readonly Series[];
  /** Michor medians (months, BCR-ABL/BCR %), one series 'michor-median'; empty to leave Michor out. */
  readonly michorMedian?: Series;
  /** Hähnel patients whose data enter the objective (and whose cores form the Michor virtual population). */
  readonly patients: readonly number[];
  readonly error: Log10ErrorModel;
  readonly simulation?: SubjectOptions;
  /** Exosome layer on (default true). */
  readonly exosomes?: boolean;
  /**
   * Extra term at the fitted values (in `parameters` order), added to the data objective: the joint objective of
   * the calibration adds the virtual-experiment constraints here (src/experiments/penalty.ts, wired by the
   * script, since fitting does not import experiments).
   */
  readonly penalty?: (x: ArrayLike<number>) => number;
}

export interface CalibrationEvaluation {
  /** Data objective (negative log-likelihood) plus the penalty. */
  readonly objective: number;
  /** The data part alone (comparable across models with and without a penalty). */
  readonly nll: number;
  /** The penalty term (0 without one). */
  readonly penalty: number;
  readonly hahnel: readonly Residual[];
  readonly michor: readonly Residual[];
  /** Model median (%) at the Michor bin times. */
  readonly michorModel: Float64Array;
}

const tStop = (kb: KnowledgeBase, p: number) =>
  kb.parameter(`hahnel2020.patient${String(p).padStart(2, '0')}.t_stop`).value;

/** Median of the finite values (NaN if none). */
export function median(xs: ArrayLike<number>): number {
  const v = Array.from(xs)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/**
 * Population medians of series in time bins [edges[i], edges[i+1]): per bin, each subject's values are averaged
 * on log10, then the median over subjects (at the bin's median time) is taken; bins with fewer than `minSubjects`
 * are dropped. Censored points are not expected here (Michor's data have none).
 */
export function binnedMedian(
  series: readonly Series[],
  edges: readonly number[],
  minSubjects = 5,
  id = 'median',
): Series & { readonly counts: readonly number[] } {
  const obs: { t: number; value: number; censored: boolean }[] = [];
  const counts: number[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    const vals: number[] = [];
    const ts: number[] = [];
    for (const s of series) {
      const inBin = s.observations.filter((o) => o.t >= edges[b] && o.t < edges[b + 1]);
      if (inBin.length === 0) continue;
      if (inBin.some((o) => o.censored))
        throw new RangeError(`binnedMedian: series '${s.id}' has censored points`);
      vals.push(inBin.reduce((a, o) => a + Math.log10(o.value), 0) / inBin.length);
      ts.push(inBin.reduce((a, o) => a + o.t, 0) / inBin.length);
    }
    if (vals.length < minSubjects) continue;
    obs.push({ t: median(ts), value: 10 ** median(vals), censored: false });
    counts.push(vals.length);
  }
  return { id, observations: obs, counts };
}

/** The calibration problem: FitProblem over setup.parameters plus an evaluator for any patient set. */
export class NicheCalibration implements FitProblem<CalibrationEvaluation> {
  readonly parameters: readonly ParameterSpec[];
  private readonly subjects = new Map<number, NicheSubject>();
  private readonly keys: readonly string[];

  constructor(readonly setup: NicheCalibrationSetup) {
    this.parameters = setup.parameters;
    this.keys = setup.parameters.map((p) => p.name);
  }

  private subject(p: number): NicheSubject {
    let s = this.subjects.get(p);
    if (!s) {
      s = new NicheSubject(
        this.setup.kb,
        { patient: p, exosomes: this.setup.exosomes ?? true, tki: { kind: 'switch' } },
        this.keys,
        this.setup.simulation,
      );
      this.subjects.set(p, s);
    }
    return s;
  }

  /** On-TKI data of patient p (up to its TKI stop). */
  series(p: number): Series {
    const s = this.setup.hahnel.find((x) => x.id === String(p));
    if (!s) throw new RangeError(`no Hähnel series for patient ${p}`);
    const stop = tStop(this.setup.kb, p);
    return { id: s.id, observations: s.observations.filter((o) => o.t <= stop) };
  }

  solves(): number {
    let n = 0;
    for (const s of this.subjects.values()) n += s.solves;
    return n;
  }

  /**
   * Objective and residuals with the Hähnel data of `patients` and a Michor median (default the setup's) against
   * the median of their cores (hold-out: other patients, the other half of Michor's patients).
   */
  evaluate(
    x: ArrayLike<number>,
    patients: readonly number[] = this.setup.patients,
    michorMedian: Series | undefined = this.setup.michorMedian,
  ): CalibrationEvaluation {
    const err = this.setup.error;
    const mm = michorMedian;
    const mt = mm ? mm.observations.map((o) => o.t) : [];
    const hahnel: Residual[] = [];
    const perTime: number[][] = mt.map(() => []);
    for (const p of patients) {
      const s = this.series(p);
      const times = [...new Set([0, ...s.observations.map((o) => o.t), ...mt])].sort((a, b) => a - b);
      const y = this.subject(p).predict(x, times);
      const at = (t: number) => y[times.indexOf(t)];
      hahnel.push(
        ...seriesResiduals(
          s,
          s.observations.map((o) => at(o.t)),
          err,
        ),
      );
      mt.forEach((t, i) => perTime[i].push(Math.log10(Math.max(at(t), err.floor ?? 1e-12))));
    }
    const michorModel = Float64Array.from(perTime, (v) => 10 ** median(v));
    const michor = mm ? seriesResiduals(mm, michorModel, err) : [];
    let objective = 0;
    for (const r of hahnel) objective += r.contribution;
    for (const r of michor) objective += r.contribution;
    if (!Number.isFinite(objective)) objective = Number.POSITIVE_INFINITY;
    const penalty = this.setup.penalty ? this.setup.penalty(x) : 0;
    const total = Number.isFinite(penalty) ? objective + penalty : Number.POSITIVE_INFINITY;
    return { objective: total, nll: objective, penalty, hahnel, michor, michorModel };
  }

  objective(x: Float64Array): number {
    return this.evaluate(x).objective;
  }

  residuals(x: Float64Array): CalibrationEvaluation {
    return this.evaluate(x);
  }
}
