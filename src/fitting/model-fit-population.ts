/**
 * `exoniche fit --population`: SAEM (population/saem.ts; Kuhn & Lavielle 2005, Comput Stat Data Anal 49:1020)
 * over all subjects, reduced to what a user reads: population values with standard errors (Louis' principle),
 * random-effect SDs, sigma, per-subject conditional estimates, the parameter trajectories over the iterations
 * (convergence plot) and, for Hähnel 2020 core parameters, the cohort.coreFit block (coreFitOf of
 * model-population.ts).
 *
 * A reference model with patient parameter sets (hahnel2020) fits every subject with its own patient's fixed
 * parameters (pz, Kz, t_stop ...): populationFit takes one set-up per subject.
 */
import type { Series } from './data.js';
import type { ModelFitSetup, SigmaMode } from './model-fit.js';
import { type CoreFit, populationFit } from './model-population.js';
import type { ParameterTransform, SaemResult } from './population/index.js';

export interface PopulationRunOptions {
  readonly seed: number;
  readonly burnIn?: number;
  readonly averaging?: number;
  readonly covariance?: 'diagonal' | 'full';
  /** Chains per subject (SAEM default ceil(50 / subjects)). */
  readonly chains?: number;
  /** Importance samples per subject for -2 log L, AIC and BIC (default 0: not estimated). */
  readonly importanceSamples?: number;
  readonly onProgress?: (message: string) => void;
}

export interface PopulationParameter {
  readonly name: string;
  /** h(mu): the population value on the natural scale (the median for a log-normal parameter). */
  readonly value: number;
  readonly se: number;
  /** Population mean on the transformed scale and its SE. */
  readonly mu: number;
  readonly muSe: number;
  readonly transform: ParameterTransform;
  /** SD of the random effect (transformed scale) and its SE. */
  readonly omega: number;
  readonly omegaSe: number;
}

export interface PopulationSubject {
  readonly id: string;
  /** Conditional mean of psi (natural scale) and SD of phi (transformed scale). */
  readonly mean: Readonly<Record<string, number>>;
  readonly sdPhi: Readonly<Record<string, number>>;
  /** Conditional mode of psi, when computed. */
  readonly mode?: Readonly<Record<string, number>>;
}

export interface ModelPopulationResult {
  readonly model: string;
  readonly observable: string;
  readonly names: readonly string[];
  readonly seed: number;
  readonly covariance: 'diagonal' | 'full';
  readonly burnIn: number;
  readonly averaging: number;
  readonly chains: number;
  readonly parameters: readonly PopulationParameter[];
  /** Omega (transformed scale, rows in names order). */
  readonly omegaMatrix: readonly (readonly number[])[];
  readonly sigma: { readonly value: number; readonly se: number; readonly estimated: boolean };
  readonly subjects: readonly PopulationSubject[];
  /** Per iteration: population values (natural), omega SDs, sigma. */
  readonly trajectory: {
    readonly mu: Readonly<Record<string, number[]>>;
    readonly omega: Readonly<Record<string, number[]>>;
    readonly sigma: number[];
  };
  readonly acceptance: readonly number[];
  readonly likelihood?: SaemResult['likelihood'];
  /** Why the standard errors are NaN, when they are. */
  readonly standardErrorsNote?: string;
  readonly coreFit?: CoreFit;
  readonly coreFitNote?: string;
  readonly seconds: number;
  readonly solves: number;
}

/**
 * SAEM over the subjects; `setups[i]` is subject i's set-up (the same model and parameter specs for all but the
 * fixed parameters, e.g. one reference-model patient each). Throws ModelFitError on inconsistent set-ups.
 */
export function fitPopulation(
  setups: readonly ModelFitSetup[],
  series: readonly Series[],
  options: PopulationRunOptions,
): { result: ModelPopulationResult; saem: SaemResult } {
  const first = setups[0];
  const names = first.parameters.map((s) => s.name);
  const sigmaMode: SigmaMode = first.sigma ?? 'estimate';
  const t0 = performance.now();
  let lastReport = 0;
  const r = populationFit(setups, series, {
    seed: options.seed,
    ...(options.covariance !== undefined ? { covariance: options.covariance } : {}),
    ...(options.burnIn !== undefined ? { burnIn: options.burnIn } : {}),
    ...(options.averaging !== undefined ? { averaging: options.averaging } : {}),
    ...(options.chains !== undefined ? { chains: options.chains } : {}),
    ...(options.importanceSamples !== undefined ? { importanceSamples: options.importanceSamples } : {}),
    onIteration: (it) => {
      const now = performance.now();
      if (options.onProgress && now - lastReport > 5000) {
        lastReport = now;
        options.onProgress(
          `SAEM iteration ${it.iteration} (${it.phase}): ${names.map((n, j) => `${n} ${fmt(it.mu[j])}`).join(', ')}, sigma ${fmt(it.sigma)}`,
        );
      }
    },
  });
  const p = names.length;
  const se = r.standardErrors;
  const K = r.trajectory.sigma.length;
  const column = (a: Float64Array, j: number) => Array.from({ length: K }, (_, k) => a[k * p + j]);
  const rec = (x: ArrayLike<number>) => Object.fromEntries(names.map((n, j) => [n, x[j]]));
  const result: ModelPopulationResult = {
    model: first.model.id,
    observable: first.observable,
    names,
    seed: options.seed,
    covariance: r.covariance,
    burnIn: r.burnIn,
    averaging: r.averaging,
    chains: r.chains,
    parameters: names.map((name, j) => ({
      name,
      value: r.mu[j],
      se: se ? se.muNatural[j] : Number.NaN,
      mu: r.muPhi[j],
      muSe: se ? se.mu[j] : Number.NaN,
      transform: r.transforms[j],
      omega: r.omegaSd[j],
      omegaSe: se ? se.omega[j] : Number.NaN,
    })),
    omegaMatrix: names.map((_, a) => names.map((__, b) => r.omega[a * p + b])),
    sigma: { value: r.sigma, se: se ? se.sigma : Number.NaN, estimated: sigmaMode === 'estimate' },
    subjects: r.subjects.map((s) => ({
      id: s.id,
      mean: rec(s.meanPsi),
      sdPhi: rec(s.sdPhi),
      ...(s.modePsi ? { mode: rec(s.modePsi) } : {}),
    })),
    trajectory: {
      mu: Object.fromEntries(names.map((n, j) => [n, column(r.trajectory.mu, j)])),
      omega: Object.fromEntries(names.map((n, j) => [n, column(r.trajectory.omega, j)])),
      sigma: Array.from(r.trajectory.sigma),
    },
    acceptance: Array.from(r.acceptance),
    ...(r.likelihood ? { likelihood: r.likelihood } : {}),
    ...(!se
      ? { standardErrorsNote: 'standard errors were not computed' }
      : !se.covariance
        ? {
            standardErrorsNote:
              "the observed information (Louis' principle) is not positive definite: a parameter the data do not determine, or too few averaging iterations; no standard errors",
          }
        : {}),
    ...(r.coreFit ? { coreFit: r.coreFit } : {}),
    ...(r.coreFitNote ? { coreFitNote: r.coreFitNote } : {}),
    seconds: (performance.now() - t0) / 1000,
    solves: r.solves,
  };
  return { result, saem: r };
}

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));
