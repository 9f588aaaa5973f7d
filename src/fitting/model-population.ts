/**
 * Population (mixed-effects) fit of a compiled model to many subjects' series: SAEM (population/saem.ts) with the
 * model's ODE solution as the structural model, and the result in the form a virtual cohort reads
 * (scenario cohort.coreFit).
 *
 * Structural model. One ModelFitProblem (model-fit.ts) per subject, built once: it maps the subject's data times
 * to model times (timeOffset + timeScale * t), holds setup.fixed, and returns observableScale times the
 * observable at the observation times. SAEM's individual parameters psi_i are the spec'd parameters, in spec
 * order. Transforms follow the specs: 'log' specs get psi = exp(phi) (log-normal random effects), 'linear' specs
 * psi = phi (normal); the ranges give only the starting values (the specs' initial or (log-)midpoint), since SAEM
 * is unbounded. The error model is SAEM's: log10 y = log10 f + eps, eps ~ N(0, sigma^2), censored points as
 * Tobit terms, the same as objective.ts.
 *
 * coreFit. When fitted parameters are Hähnel 2020 core parameters (pyx, pxy, e_tki, pz, Kz, X_init/X0,
 * Y_init/Y0, Z_init/Z0; Hähnel et al. 2020, Cancer Res 80:2394), the log-normal population law of those, i.e. the
 * sub-vector of mu and the sub-block of Omega on the natural-log scale (a marginal of a Gaussian is its sub-block),
 * is the {names, mean, cov} of the scenario's cohort.coreFit (src/scenario/schema.ts); the cohort draws the other
 * core parameters conditionally on them (src/cohort/population.ts). Parameters fitted without a random effect get
 * zero variance (every virtual patient shares the estimate). coreFitYaml prints the block to paste.
 */

import { HAHNEL_CORE } from '../knowledge/hahnel-core.js';
import type { Seed } from '../numerics/random/index.js';
import type { Series } from './data.js';
import { ModelFitError, ModelFitProblem, type ModelFitSetup, type SigmaMode } from './model-fit.js';
import {
  type ParameterTransform,
  type PopulationModel,
  type SaemIteration,
  type SaemResult,
  saem,
} from './population/index.js';
import { defaultInitial } from './transform.js';

/** Core parameters a cohort accepts in coreFit.names: Hähnel 2020 symbols and the model ids they set. */
export const CORE_FIT_NAMES = HAHNEL_CORE;

export interface PopulationFitOptions {
  readonly seed: Seed;
  /** K1, iterations with step 1 (SAEM default 300). */
  readonly burnIn?: number;
  /** K2, averaging iterations (SAEM default 100). */
  readonly averaging?: number;
  /** Omega over the random effects: 'diagonal' (default) or 'full'. */
  readonly covariance?: 'diagonal' | 'full';
  /** Parameters with a random effect: a flag per spec, or the names that carry one (default all). */
  readonly randomEffects?: readonly boolean[] | readonly string[];
  /** Initial random-effect SDs on the transformed scale: one for all or one per spec (SAEM default 1). */
  readonly omega?: number | readonly number[];
  /** A fixed residual sd on log10, or 'estimate' (default setup.sigma, else 'estimate'). */
  readonly sigma?: SigmaMode;
  /** Starting sigma when estimated (default 0.5). */
  readonly sigmaInitial?: number;
  /** Initial population values, natural scale, one per spec (default the specs' initial or midpoint). */
  readonly initial?: readonly number[];
  /** Chains per subject (SAEM default ceil(50 / subjects)). */
  readonly chains?: number;
  readonly kernels?: readonly [number, number, number];
  readonly annealing?: number;
  /** Importance samples per subject for -2 log L, AIC, BIC (default 0: not estimated). */
  readonly importanceSamples?: number;
  readonly standardErrors?: boolean;
  readonly modes?: boolean;
  readonly onIteration?: (it: SaemIteration) => void;
}

/** A fitted log-normal of core parameters: the shape of a scenario's cohort.coreFit. */
export interface CoreFit {
  readonly names: readonly string[];
  /** Means of the natural logs. */
  readonly mean: readonly number[];
  /** Covariance of the natural logs, rows in names order. */
  readonly cov: readonly (readonly number[])[];
}

export interface PopulationFitResult extends SaemResult {
  /** The core parameters' fitted law, when some fitted names are core parameters with a 'log' transform. */
  readonly coreFit?: CoreFit;
  /** Why coreFit is absent or what it leaves out. */
  readonly coreFitNote?: string;
  /** Model solves over the whole run. */
  readonly solves: number;
}

function coreIndex(name: string): number {
  return CORE_FIT_NAMES.findIndex((c) => c.symbol === name || c.id === name);
}

/**
 * The structural model of a population fit: subject i's predictions at its observation times from its own
 * ModelFitProblem (built once). `problems` is exposed for solve counts and trajectories.
 */
export function populationModel(
  setup: ModelFitSetup | readonly ModelFitSetup[],
  series: readonly Series[],
): PopulationModel & { readonly problems: readonly ModelFitProblem[] } {
  const setups = subjectSetups(setup, series);
  const problems = series.map(
    (s, i) => new ModelFitProblem({ ...setups[i], jacobian: 'finite-difference' }, [s]),
  );
  return {
    names: setups[0].parameters.map((p) => p.name),
    problems,
    predict(subject, psi, times, out) {
      const p = problems[subject];
      if (times.length !== p.m)
        throw new ModelFitError(
          `population model: subject ${subject} has ${p.m} observations, SAEM asked for ${times.length}`,
        );
      return p.predict(psi, out);
    },
  };
}

/**
 * One set-up per subject: the same one for all, or subject i's own (e.g. a reference-model patient each, with its
 * own fixed parameters). The fitted parameters and the observable must agree across subjects.
 */
function subjectSetups(
  setup: ModelFitSetup | readonly ModelFitSetup[],
  series: readonly Series[],
): readonly ModelFitSetup[] {
  if (!Array.isArray(setup)) return series.map(() => setup as ModelFitSetup);
  const setups = setup as readonly ModelFitSetup[];
  if (setups.length !== series.length)
    throw new ModelFitError(`population fit: ${setups.length} set-ups for ${series.length} subjects`);
  const first = setups[0];
  const names = first.parameters.map((s) => s.name).join(',');
  setups.forEach((su, i) => {
    const nm = su.parameters.map((s) => s.name).join(',');
    if (nm !== names || su.observable !== first.observable)
      throw new ModelFitError(
        `population fit: subject '${series[i].id}' fits ${nm} of '${su.observable}', subject '${series[0].id}' ${names} of '${first.observable}'`,
      );
  });
  return setups;
}

function perSpec<T>(name: string, v: readonly T[] | undefined, n: number): readonly T[] | undefined {
  if (v !== undefined && v.length !== n)
    throw new ModelFitError(
      `populationFit: option '${name}': expected ${n} values (one per parameter), got ${v.length}`,
    );
  return v;
}

/** SAEM fit of the compiled model to the subjects' series; see the module comment. */
export function populationFit(
  setupOrSetups: ModelFitSetup | readonly ModelFitSetup[],
  series: readonly Series[],
  options: PopulationFitOptions,
): PopulationFitResult {
  if (series.length < 2)
    throw new ModelFitError(`populationFit: need at least 2 subjects, got ${series.length}`);
  const ids = new Set<string>();
  for (const s of series) {
    if (ids.has(s.id)) throw new ModelFitError(`populationFit: subject '${s.id}' appears twice`);
    ids.add(s.id);
  }
  const setup = subjectSetups(setupOrSetups, series)[0];
  const specs = setup.parameters;
  const p = specs.length;
  const model = populationModel(setupOrSetups, series);
  const names = model.names;

  let randomEffects: boolean[] | undefined;
  const re = options.randomEffects;
  if (re !== undefined) {
    if (re.length > 0 && typeof re[0] === 'string') {
      const set = new Set(re as readonly string[]);
      for (const n of set)
        if (!names.includes(n))
          throw new ModelFitError(
            `populationFit: option 'randomEffects': unknown parameter '${n}' (fitted: ${names.join(', ')})`,
          );
      randomEffects = names.map((n) => set.has(n));
    } else randomEffects = [...(perSpec('randomEffects', re as readonly boolean[], p) ?? [])];
  }
  const omega =
    typeof options.omega === 'number'
      ? names.map(() => options.omega as number)
      : perSpec('omega', options.omega as readonly number[] | undefined, p);
  const initial = perSpec('initial', options.initial, p) ?? specs.map((s) => defaultInitial(s));
  const sigma = options.sigma ?? setup.sigma ?? 'estimate';
  if (sigma !== 'estimate' && !(typeof sigma === 'number' && sigma > 0))
    throw new ModelFitError(
      `populationFit: option 'sigma': expected a positive number or 'estimate', got ${sigma}`,
    );
  const transforms: ParameterTransform[] = specs.map((s) => (s.scale === 'log' ? 'log' : 'normal'));

  const r = saem(model, series, {
    seed: options.seed,
    initial,
    transforms,
    ...(omega !== undefined ? { omega } : {}),
    ...(randomEffects !== undefined ? { randomEffects } : {}),
    ...(options.covariance !== undefined ? { covariance: options.covariance } : {}),
    sigma: sigma === 'estimate' ? (options.sigmaInitial ?? 0.5) : sigma,
    estimateSigma: sigma === 'estimate',
    ...(options.burnIn !== undefined ? { burnIn: options.burnIn } : {}),
    ...(options.averaging !== undefined ? { averaging: options.averaging } : {}),
    ...(options.chains !== undefined ? { chains: options.chains } : {}),
    ...(options.kernels !== undefined ? { kernels: options.kernels } : {}),
    ...(options.annealing !== undefined ? { annealing: options.annealing } : {}),
    ...(options.importanceSamples !== undefined ? { importanceSamples: options.importanceSamples } : {}),
    ...(options.standardErrors !== undefined ? { standardErrors: options.standardErrors } : {}),
    ...(options.modes !== undefined ? { modes: options.modes } : {}),
    ...(options.onIteration !== undefined ? { onIteration: options.onIteration } : {}),
    ...(setup.floor !== undefined ? { floor: setup.floor } : {}),
  });
  const solves = model.problems.reduce((a, q) => a + q.solves, 0);
  const core = coreFitOf(r);
  return { ...r, ...core, solves };
}

/** The coreFit block of a SAEM result (the core parameters' sub-vector and sub-block, log scale). */
export function coreFitOf(r: SaemResult): { coreFit?: CoreFit; coreFitNote?: string } {
  const p = r.names.length;
  const idx: number[] = [];
  const skipped: string[] = [];
  r.names.forEach((n, j) => {
    if (coreIndex(n) < 0) skipped.push(`${n} (not a core parameter)`);
    else if (r.transforms[j] !== 'log') skipped.push(`${n} ('${r.transforms[j]}' transform, not log-normal)`);
    else idx.push(j);
  });
  if (idx.length === 0)
    return { coreFitNote: `no core parameter with a log-normal population law among ${r.names.join(', ')}` };
  const seen = new Set(idx.map((j) => coreIndex(r.names[j])));
  if (seen.size !== idx.length)
    return { coreFitNote: 'a core parameter is fitted twice (symbol and model id): no coreFit' };
  const coreFit: CoreFit = {
    names: idx.map((j) => r.names[j]),
    mean: idx.map((j) => r.muPhi[j]),
    // Symmetrised against rounding in Omega's updates (the schema checks symmetry to 1e-9).
    cov: idx.map((a) => idx.map((b) => 0.5 * (r.omega[a * p + b] + r.omega[b * p + a]))),
  };
  const notes: string[] = [];
  if (skipped.length > 0) notes.push(`left out: ${skipped.join(', ')}`);
  const fixedEffects = idx.filter((j) => !r.randomEffects[j]).map((j) => r.names[j]);
  if (fixedEffects.length > 0)
    notes.push(`no random effect (zero variance, shared by every patient): ${fixedEffects.join(', ')}`);
  const sym = new Set(coreFit.names.map((n) => CORE_FIT_NAMES[coreIndex(n)].symbol));
  if (['pyx', 'pxy', 'X0', 'Y0'].every((s) => sym.has(s)))
    notes.push(
      'X0, pyx, pxy and Y0 together are linearly dependent in the 21-patient table (X0 = pyx Y0 / pxy): the cohort rejects this set, leave X0 out',
    );
  return notes.length > 0 ? { coreFit, coreFitNote: notes.join('; ') } : { coreFit };
}

/**
 * The YAML block for a scenario: `cohort:` with `core: fitted` and the coreFit (numbers in shortest round-trip
 * form), to paste into a scenario (or merge its two inner keys into an existing cohort section).
 */
export function coreFitYaml(coreFit: CoreFit, source: string): string {
  const d = coreFit.names.length;
  if (
    d === 0 ||
    coreFit.mean.length !== d ||
    coreFit.cov.length !== d ||
    coreFit.cov.some((r) => r.length !== d)
  )
    throw new ModelFitError(`coreFitYaml: expected ${d} names, ${d} means and a ${d} x ${d} covariance`);
  for (const v of [...coreFit.mean, ...coreFit.cov.flat()])
    if (!Number.isFinite(v)) throw new ModelFitError(`coreFitYaml: expected finite numbers, got ${v}`);
  const num = (v: number) => (Object.is(v, -0) ? '0' : String(v));
  const lines = [
    'cohort:',
    '  core: fitted',
    '  coreFit:',
    `    source: ${JSON.stringify(source)}`,
    `    names: [${coreFit.names.map((n) => JSON.stringify(n)).join(', ')}]`,
    `    mean: [${coreFit.mean.map(num).join(', ')}]`,
    '    cov:',
    ...coreFit.cov.map((row) => `      - [${row.map(num).join(', ')}]`),
  ];
  return `${lines.join('\n')}\n`;
}
