/**
 * The stochastic branch of `exoniche simulate` (`--engine ssa|nrm|tau|hybrid`): one trajectory
 * (`time,<ids>`) or, with `--replicates N`, the ensemble mean and SD (`time,<id>-mean,<id>-sd,...`). With
 * `--out FILE` a run manifest is written beside the output (`<out minus .csv/.json>.manifest.json`), as the
 * ODE path does: version, command, inputs with their SHA-256, parameter overrides and the hash of every
 * effective parameter, seed, engine, replicates, timings. Kept apart from simulate.ts so that command stays
 * a thin dispatcher.
 */
import { writeFileAtomic } from '../../io/atomic-write.js';
import { fileSha256, parameterHash, type RunManifest } from '../../io/manifest.js';
import { timeCourseToCsv, timeCourseToJson } from '../../io/timecourse-csv.js';
import type { Model } from '../../models/ir.js';
// [issue 4, approximate engines] tau and hybrid run through simulateApproximate (docs/hybrid.md).
import { type ApproximateEngine, simulateApproximate } from '../../models/simulate-approximate.js';
import {
  prepareStochastic,
  type StochasticEngine,
  type StochasticModel,
  simulateStochastic,
} from '../../models/simulate-stochastic.js';
import { VERSION } from '../../version.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseNumber, positiveInteger } from '../parse-args.js';

export const ENGINES = ['ode', 'ssa', 'nrm', 'tau', 'hybrid'] as const;

/** Validate --engine early (before the model is loaded). */
export function parseEngine(raw: string | undefined): 'ode' | StochasticEngine | ApproximateEngine {
  const e = (raw ?? 'ode').toLowerCase();
  if (e !== 'ode' && e !== 'ssa' && e !== 'nrm' && e !== 'tau' && e !== 'hybrid')
    throw new CliError(`--engine: expected one of ${ENGINES.join(', ')}, got '${raw}'`, EXIT.usage);
  return e;
}

export interface StochasticCliSettings {
  readonly engine: StochasticEngine | ApproximateEngine;
  readonly tStart: number;
  readonly tEnd: number;
  readonly steps: number;
  readonly params: Record<string, number>;
  readonly format: string;
  readonly vars?: readonly string[];
  readonly replicates?: string;
  readonly seed?: string;
  readonly out?: string;
  readonly quiet?: boolean;
  /** For the manifest: the model file read, the command-line words after `exoniche`, reference info. */
  readonly inputPath?: string;
  readonly argv?: readonly string[];
  readonly extraSettings?: Readonly<Record<string, unknown>>;
}

export function runStochasticSimulate(model: Model, s: StochasticCliSettings): void {
  const replicates =
    s.replicates !== undefined ? parseNumber('--replicates', s.replicates, positiveInteger) : undefined;
  let seed: number | bigint = 0;
  if (s.seed !== undefined) {
    try {
      seed = BigInt(s.seed.trim());
    } catch {
      throw new CliError(`--seed: expected an integer in [0, 2^64), got '${s.seed}'`, EXIT.usage);
    }
    if (seed < 0n || seed >= 1n << 64n)
      throw new CliError(`--seed: expected an integer in [0, 2^64), got '${s.seed}'`, EXIT.usage);
  }
  if (!(s.tEnd > s.tStart))
    throw new CliError('--t-end must be after --t-start for stochastic engines', EXIT.usage);
  const vars = s.vars ?? model.species.map((sp) => sp.id);
  const t0 = performance.now();
  let prepared: StochasticModel;
  try {
    prepared = prepareStochastic(model);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.dataError);
  }
  const tCompile = performance.now();
  let res: ReturnType<typeof simulateStochastic> | ReturnType<typeof simulateApproximate>;
  try {
    const common = {
      tStart: s.tStart,
      tEnd: s.tEnd,
      steps: s.steps,
      seed,
      replicates: replicates ?? 1,
      params: s.params,
      ids: vars,
    };
    res =
      s.engine === 'tau' || s.engine === 'hybrid'
        ? simulateApproximate(prepared, { ...common, engine: s.engine })
        : simulateStochastic(prepared, { ...common, engine: s.engine });
  } catch (err) {
    const msg = (err as Error).message;
    throw new CliError(msg, /unknown output/.test(msg) ? EXIT.usage : EXIT.dataError);
  }
  const tSolve = performance.now();
  const ms = tSolve - tCompile;
  const nv = res.ids.length;
  const nt = res.time.length;
  let table: { ids: readonly string[]; time: Float64Array; values: Float64Array };
  if (replicates === undefined) table = { ids: res.ids, time: res.time, values: res.mean };
  else {
    const values = new Float64Array(nt * 2 * nv);
    for (let i = 0; i < nt; i++)
      for (let k = 0; k < nv; k++) {
        values[i * 2 * nv + 2 * k] = res.mean[i * nv + k];
        values[i * 2 * nv + 2 * k + 1] = res.sd[i * nv + k];
      }
    table = { ids: res.ids.flatMap((id) => [`${id}-mean`, `${id}-sd`]), time: res.time, values };
  }
  const text =
    s.format === 'json'
      ? timeCourseToJson(table, {
          model: model.id,
          engine: s.engine,
          replicates: res.replicates,
          seed: String(seed),
          reactions: res.firings,
        })
      : timeCourseToCsv(table);
  if (s.out) {
    try {
      writeFileAtomic(s.out, text);
      const manifestPath = `${s.out.replace(/\.(csv|json)$/i, '')}.manifest.json`;
      const manifest: RunManifest = {
        tool: 'exoniche',
        version: VERSION,
        command: ['exoniche', ...(s.argv ?? ['simulate'])].join(' '),
        createdAt: new Date().toISOString(),
        node: process.version,
        inputs: s.inputPath ? [{ path: s.inputPath, sha256: fileSha256(s.inputPath) }] : [],
        parameters: s.params,
        parameterHash: parameterHash(effectiveParameters(prepared, s.params)),
        // RunManifest.seed is a number: exact below 2^53; settings.seed always holds the exact decimal text
        ...(seed <= BigInt(Number.MAX_SAFE_INTEGER) ? { seed: Number(seed) } : {}),
        settings: {
          engine: s.engine,
          replicates: res.replicates,
          seed: String(seed),
          tStart: s.tStart,
          tEnd: s.tEnd,
          steps: s.steps,
          vars: res.ids,
          format: s.format,
          ...(s.extraSettings ?? {}),
        },
        outputs: [s.out],
        timings: { compileMs: tCompile - t0, solveMs: tSolve - tCompile },
        result: {
          retcode: 'Success',
          engine: s.engine,
          replicates: res.replicates,
          reactions: res.firings,
          events: res.eventCount,
        },
      };
      writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    } catch (err) {
      throw new CliError(`cannot write ${s.out}: ${(err as Error).message}`, EXIT.cantCreate);
    }
    if (!s.quiet)
      process.stderr.write(
        `${model.id}: ${res.replicates} replicate(s) with ${s.engine} in ${ms.toFixed(1)} ms (${res.firings} reactions); wrote ${s.out}\n`,
      );
  } else process.stdout.write(text);
}

/** Every parameter-vector entry (parameters, compartment sizes, fixed species) with the overrides applied. */
function effectiveParameters(
  prepared: StochasticModel,
  overrides: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  prepared.compiled.parameterIds.forEach((id, j) => {
    out[id] = prepared.compiled.p0[j];
  });
  return { ...out, ...overrides };
}
