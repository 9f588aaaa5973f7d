/**
 * The stochastic branch of `exoniche simulate` (`--engine ssa|nrm`): one trajectory (`time,<ids>`) or, with
 * `--replicates N`, the ensemble mean and SD (`time,<id>-mean,<id>-sd,...`). Kept apart from simulate.ts so
 * that command stays a thin dispatcher.
 */
import { writeFileAtomic } from '../../io/atomic-write.js';
import { timeCourseToCsv, timeCourseToJson } from '../../io/timecourse-csv.js';
import type { Model } from '../../models/ir.js';
// [issue 4, approximate engines] tau and hybrid run through simulateApproximate (docs/hybrid.md).
import { type ApproximateEngine, simulateApproximate } from '../../models/simulate-approximate.js';
import { type StochasticEngine, simulateStochastic } from '../../models/simulate-stochastic.js';
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
    // [issue 4, approximate engines] models with events are refused by these engines (clear message)
    res =
      s.engine === 'tau' || s.engine === 'hybrid'
        ? simulateApproximate(model, { ...common, engine: s.engine })
        : simulateStochastic(model, { ...common, engine: s.engine });
  } catch (err) {
    const msg = (err as Error).message;
    throw new CliError(msg, /unknown output/.test(msg) ? EXIT.usage : EXIT.dataError);
  }
  const ms = performance.now() - t0;
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
    } catch (err) {
      throw new CliError(`cannot write ${s.out}: ${(err as Error).message}`, EXIT.cantCreate);
    }
    if (!s.quiet)
      process.stderr.write(
        `${model.id}: ${res.replicates} replicate(s) with ${s.engine} in ${ms.toFixed(1)} ms (${res.firings} reactions); wrote ${s.out}\n`,
      );
  } else process.stdout.write(text);
}
