/**
 * One case of the SBML Test Suite (semantic, time-course cases): read the model, simulate it with
 * `simulateModel`, compare every point with the suite's rule |expected - actual| <= absolute + relative *
 * |expected| (SBML Test Suite CASES README), converting species to amounts or concentrations as the case's
 * settings ask. Used by `scripts/sbml-suite.ts` and the CI subset test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../../models/ir.js';
import { simulateModel } from '../../models/simulate.js';
import { parseNumber } from './mathml-read.js';
import { readSbmlWithWarnings, SbmlError } from './read.js';

export type CaseStatus = 'passed' | 'failed' | 'refused';

export interface CaseResult {
  readonly id: string;
  readonly status: CaseStatus;
  /** Refusal feature or failure cause (short, for counting). */
  readonly reason?: string;
  /** Full message. */
  readonly message?: string;
  readonly componentTags: readonly string[];
  readonly testTags: readonly string[];
  readonly file?: string;
  readonly ms: number;
}

export interface CaseSettings {
  readonly start: number;
  readonly duration: number;
  readonly steps: number;
  readonly variables: readonly string[];
  readonly absolute: number;
  readonly relative: number;
  readonly amount: ReadonlySet<string>;
  readonly concentration: ReadonlySet<string>;
}

export function parseSettings(text: string): CaseSettings {
  const kv = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const k = line.indexOf(':');
    if (k > 0) kv.set(line.slice(0, k).trim(), line.slice(k + 1).trim());
  }
  const list = (k: string): string[] =>
    (kv.get(k) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    start: Number(kv.get('start') ?? 0),
    duration: Number(kv.get('duration')),
    steps: Number(kv.get('steps')),
    variables: list('variables'),
    absolute: Number(kv.get('absolute')),
    relative: Number(kv.get('relative')),
    amount: new Set(list('amount')),
    concentration: new Set(list('concentration')),
  };
}

export function parseTags(modelM: string): { componentTags: string[]; testTags: string[]; testType: string } {
  const get = (k: string): string => new RegExp(`^${k}:[ \\t]*(.*)$`, 'm').exec(modelM)?.[1] ?? '';
  const tags = (k: string): string[] =>
    get(k)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    componentTags: tags('componentTags'),
    testTags: tags('testTags'),
    testType: get('testType').trim(),
  };
}

/** The model file to use: l3v2, else the highest level/version present. */
export function pickModelFile(dir: string, id: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.startsWith(`${id}-sbml-`) && f.endsWith('.xml'));
  const lv = (f: string): number => {
    const m = /-l(\d)v(\d)\.xml$/.exec(f);
    return m ? Number(m[1]) * 10 + Number(m[2]) : 0;
  };
  files.sort((a, b) => lv(b) - lv(a));
  return files[0];
}

/** Short feature name for a refusal or failure message, for counting. */
export function classify(message: string): string {
  const m = message;
  let r: RegExpExecArray | null;
  if ((r = /SBML package '([^']+)'/.exec(m))) return `package ${r[1]}`;
  if ((r = /testType (\S+)/.exec(m))) return `testType ${r[1]}`;
  if (/algebraic rule/i.test(m)) return 'algebraic rule';
  if (/delay\(\) is not supported|'delay' must be resolved/.test(m)) return 'delay()';
  if ((r = /<(\w+)>[^:]* is not supported/.exec(m))) return `<${r[1]}>`;
  if (/not supported/.test(m))
    return m
      .replace(/^.*?:\d+: /, '')
      .replace(/'[^']*'/g, "'…'")
      .slice(0, 80);
  return m
    .replace(/^[^ ]*:\d+: /, '')
    .replace(/'[^']*'/g, "'…'")
    .replace(/[-+]?\d+(\.\d+)?(e[-+]?\d+)?/g, 'N')
    .slice(0, 80);
}

const isRefusal = (msg: string): boolean =>
  /not supported|SBML package|testType|'delay' must be resolved/.test(msg);

export interface RunCaseOptions {
  readonly rtol?: number;
  readonly atol?: number;
  readonly method?: string;
}

/** Runs one case directory (`root/NNNNN`). Never throws. */
export function runSuiteCase(root: string, id: string, options: RunCaseOptions = {}): CaseResult {
  const t0 = performance.now();
  const dir = join(root, id);
  let componentTags: string[] = [];
  let testTags: string[] = [];
  let file: string | undefined;
  const done = (status: CaseStatus, message?: string, reason?: string): CaseResult => ({
    id,
    status,
    ...(message !== undefined ? { message, reason: reason ?? classify(message) } : {}),
    componentTags,
    testTags,
    ...(file ? { file } : {}),
    ms: Math.round(performance.now() - t0),
  });
  try {
    const tags = parseTags(readFileSync(join(dir, `${id}-model.m`), 'utf8'));
    componentTags = tags.componentTags;
    testTags = tags.testTags;
    if (tags.testType && tags.testType !== 'TimeCourse')
      return done('refused', `testType ${tags.testType} is not a time course`);
    file = pickModelFile(dir, id);
    if (!file) return done('refused', 'no SBML file', 'no SBML file');
    const settings = parseSettings(readFileSync(join(dir, `${id}-settings.txt`), 'utf8'));
    let model: Model;
    try {
      model = readSbmlWithWarnings(readFileSync(join(dir, file), 'utf8'), file, {
        resolveFile: (source) => readFileSync(join(dir, source), 'utf8'),
      }).model;
    } catch (err) {
      if (err instanceof SbmlError) return done('refused', err.message);
      throw err;
    }
    return compare(model, settings, readFileSync(join(dir, `${id}-results.csv`), 'utf8'), options, done);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    return done(isRefusal(msg) ? 'refused' : 'failed', msg);
  }
}

function compare(
  model0: Model,
  s: CaseSettings,
  csv: string,
  options: RunCaseOptions,
  done: (status: CaseStatus, message?: string, reason?: string) => CaseResult,
): CaseResult {
  // Variables that are not observables (species references, for instance) become assignment-rule parameters.
  const known = new Set([...model0.species, ...model0.compartments, ...model0.parameters].map((x) => x.id));
  const reactions = new Set(model0.reactions.map((r) => r.id));
  const extra = s.variables.filter((v) => !known.has(v) && !reactions.has(v));
  const model: Model = extra.length
    ? {
        ...model0,
        parameters: [...model0.parameters, ...extra.map((v) => ({ id: `__obs_${v}`, constant: false }))],
        rules: [
          ...model0.rules,
          ...extra.map((v) => ({
            kind: 'assignment' as const,
            variable: `__obs_${v}`,
            math: { kind: 'sym' as const, name: v },
          })),
        ],
      }
    : model0;

  const lines = csv.trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  const rows = lines.slice(1).map((l) => l.split(',').map((x) => parseNumber(x)));
  const tEnd = s.start + s.duration;
  const tc = simulateModel(model, {
    tStart: s.start,
    tEnd,
    steps: s.steps,
    rtol: options.rtol ?? 1e-10,
    atol: options.atol ?? 1e-14,
    maxSteps: 2_000_000,
    ...(options.method ? { method: options.method } : {}),
  });
  if (tc.retcode !== 'Success')
    return done('failed', `solver: ${tc.retcode} ${tc.message}`, `solver ${tc.retcode}`);

  const col = (id: string): number => {
    const k = tc.ids.indexOf(id);
    if (k < 0) throw new Error(`no observable '${id}'`);
    return k;
  };
  const species = new Map(model.species.map((x) => [x.id, x]));
  const comps = new Map(model.compartments.map((c) => [c.id, c]));
  const m = tc.ids.length;
  const nt = tc.time.length;
  const getters = header.slice(1).map((v) => {
    const sp = species.get(v);
    if (sp) {
      const k = col(v);
      const kc = col(sp.compartment);
      const conc = !sp.hasOnlySubstanceUnits && comps.get(sp.compartment)?.spatialDimensions !== 0;
      if (s.amount.has(v) && conc) return (i: number) => tc.values[i * m + k] * tc.values[i * m + kc];
      if (s.concentration.has(v) && !conc) return (i: number) => tc.values[i * m + k] / tc.values[i * m + kc];
      return (i: number) => tc.values[i * m + k];
    }
    const k = reactions.has(v) ? col(`rate:${v}`) : known.has(v) ? col(v) : col(`__obs_${v}`);
    return (i: number) => tc.values[i * m + k];
  });
  let worst = '';
  let worstRatio = 0;
  let j = 0;
  for (const row of rows) {
    const t = row[0];
    // The last output point at this time (after any event executed exactly there).
    while (j + 1 < nt && tc.time[j + 1] <= t + 1e-9 * (1 + Math.abs(t))) j++;
    if (Math.abs(tc.time[j] - t) > 1e-9 * (1 + Math.abs(t)))
      return done('failed', `no output at t = ${t} (nearest ${tc.time[j]})`, 'output times');
    for (let c = 0; c < getters.length; c++) {
      const e = row[c + 1];
      const a = getters[c](j);
      let ok: boolean;
      if (Number.isNaN(e)) ok = Number.isNaN(a);
      else if (!Number.isFinite(e)) ok = a === e;
      else ok = Math.abs(e - a) <= s.absolute + s.relative * Math.abs(e);
      if (!ok) {
        const ratio = Number.isFinite(e)
          ? Math.abs(e - a) / (s.absolute + s.relative * Math.abs(e))
          : Number.POSITIVE_INFINITY;
        if (!(ratio <= worstRatio)) {
          worstRatio = ratio;
          worst = `${header[c + 1]} at t = ${t}: expected ${e}, got ${a}`;
        }
      }
    }
  }
  if (worst) {
    const fast = model.reactions.some((r) => r.fast);
    return done(
      'failed',
      `mismatch: ${worst} (error ${worstRatio.toPrecision(3)}x tolerance)`,
      fast ? 'fast reaction (simulated as ordinary)' : 'wrong values',
    );
  }
  return done('passed');
}

/** Case ids (directory names) under a suite root. */
export function listCases(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => /^\d{5}$/.test(d))
    .sort();
}
