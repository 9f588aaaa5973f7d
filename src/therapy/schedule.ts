/**
 * Dosing schedules as data. A schedule is one drug taken at `dose` mg every `intervalHours` h from day `start` to
 * day `stop` (exclusive), with interruptions (no doses in [from, to)), dose changes (from day `at` the dose and
 * optionally the interval change; dosing times restart from `at`) and missed doses (days of scheduled doses not
 * taken). A plan is a list of schedules that do not overlap in time (one TKI at a time). Clinical times are in
 * days from the start of the simulation; `expandDoses` returns dose times in hours for the PK layer.
 *
 * Validation errors carry the field path (`[1].interruptions[0].to`) and, for unknown drugs, close matches.
 */
import { z } from 'zod';
import { closestNames } from '../knowledge/query.js';
import type { DoseHistory } from './pk.js';

const Day = z.number().finite().nonnegative('a time in days from the start, >= 0');

export const Interruption = z.strictObject({ from: Day, to: Day, reason: z.string().optional() });
export type Interruption = z.infer<typeof Interruption>;

export const DoseChange = z.strictObject({
  at: Day,
  dose: z.number().finite().positive('dose must be > 0 mg'),
  intervalHours: z.number().finite().positive('interval must be > 0 h').optional(),
  reason: z.string().optional(),
});
export type DoseChange = z.infer<typeof DoseChange>;

export const Schedule = z
  .strictObject({
    drug: z.string().min(1),
    /** mg per dose. */
    dose: z.number().finite().positive('dose must be > 0 mg'),
    intervalHours: z.number().finite().positive('interval must be > 0 h'),
    /** Day of the first dose. */
    start: Day,
    /** Day after the last dose (exclusive); absent = continues to the simulation horizon. */
    stop: Day.optional(),
    interruptions: z.array(Interruption).optional(),
    doseChanges: z.array(DoseChange).optional(),
    /** Days of scheduled doses that were not taken. */
    missed: z.array(Day).optional(),
  })
  .superRefine((s, ctx) => {
    const stop = s.stop ?? Number.POSITIVE_INFINITY;
    if (s.stop !== undefined && !(s.stop > s.start))
      ctx.addIssue({
        code: 'custom',
        message: `stop (day ${s.stop}) must be after start (day ${s.start})`,
        path: ['stop'],
      });
    (s.interruptions ?? []).forEach((iv, i) => {
      if (!(iv.to > iv.from))
        ctx.addIssue({
          code: 'custom',
          message: `interruption ends (day ${iv.to}) before it begins (day ${iv.from})`,
          path: ['interruptions', i, 'to'],
        });
      if (iv.from < s.start || iv.from >= stop)
        ctx.addIssue({
          code: 'custom',
          message: `interruption begins on day ${iv.from}, outside the schedule [${s.start}, ${stop})`,
          path: ['interruptions', i, 'from'],
        });
      const prev = s.interruptions?.[i - 1];
      if (prev && iv.from < prev.to)
        ctx.addIssue({
          code: 'custom',
          message: `interruption ${i} (days ${iv.from}-${iv.to}) overlaps interruption ${i - 1} (days ${prev.from}-${prev.to}); list them in time order without overlap`,
          path: ['interruptions', i, 'from'],
        });
    });
    (s.doseChanges ?? []).forEach((c, i) => {
      if (!(c.at > s.start) || c.at >= stop)
        ctx.addIssue({
          code: 'custom',
          message: `dose change on day ${c.at} lies outside the schedule (${s.start}, ${stop})`,
          path: ['doseChanges', i, 'at'],
        });
      const prev = s.doseChanges?.[i - 1];
      if (prev && !(c.at > prev.at))
        ctx.addIssue({
          code: 'custom',
          message: `dose changes must be in strictly increasing time (day ${c.at} after day ${prev.at})`,
          path: ['doseChanges', i, 'at'],
        });
    });
  });
export type Schedule = z.infer<typeof Schedule>;

export const Plan = z.array(Schedule).superRefine((plan, ctx) => {
  plan.forEach((s, i) => {
    const prev = plan[i - 1];
    if (!prev) return;
    const prevStop = prev.stop ?? Number.POSITIVE_INFINITY;
    if (s.start < prevStop)
      ctx.addIssue({
        code: 'custom',
        message: `schedule ${i} (${s.drug}, from day ${s.start}) overlaps schedule ${i - 1} (${prev.drug}, days ${prev.start}-${prev.stop ?? 'open'}); one TKI at a time, in time order`,
        path: [i, 'start'],
      });
  });
});
export type Plan = z.infer<typeof Plan>;

export interface ScheduleIssue {
  readonly path: string;
  readonly message: string;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
  constructor(readonly issues: readonly ScheduleIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n'));
  }
}

function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function check<T>(schema: z.ZodType<T>, input: unknown, drugIds: readonly string[] | undefined): T {
  const r = schema.safeParse(input);
  const issues: ScheduleIssue[] = r.success
    ? []
    : r.error.issues.map((i) => ({ path: pathString(i.path), message: i.message }));
  if (drugIds) {
    const list: { drug?: unknown }[] = Array.isArray(input) ? input : [input as { drug?: unknown }];
    list.forEach((s, i) => {
      const d = s?.drug;
      if (typeof d === 'string' && !drugIds.includes(d)) {
        const sug = closestNames(d, drugIds);
        issues.push({
          path: Array.isArray(input) ? `[${i}].drug` : 'drug',
          message: `unknown drug '${d}'${sug.length ? ` (did you mean ${sug.map((x) => `'${x}'`).join(', ')}?)` : ''}`,
        });
      }
    });
  }
  if (issues.length > 0) throw new ScheduleError(issues);
  return (r as { data: T }).data;
}

/** A validated schedule; `drugIds` (e.g. the knowledge base's drugs) turns unknown drugs into errors. */
export function parseSchedule(input: unknown, drugIds?: readonly string[]): Schedule {
  const s = check(Schedule, input, drugIds);
  expandDoses(s, s.stop ?? s.start + 1); // missed doses must name scheduled doses
  return s;
}

export function parsePlan(input: unknown, drugIds?: readonly string[]): Plan {
  const p = check(Plan, input, drugIds);
  p.forEach((s, i) => {
    try {
      expandDoses(s, s.stop ?? s.start + 1);
    } catch (e) {
      if (e instanceof ScheduleError)
        throw new ScheduleError(e.issues.map((x) => ({ ...x, path: `[${i}].${x.path}` })));
      throw e;
    }
  });
  return p;
}

const HOURS_PER_DAY = 24;
/** Dose times that agree to this many hours are the same dose (floating grid arithmetic). */
const TIME_TOLERANCE_H = 1e-6;

/**
 * The doses a schedule gives up to day `horizon` (exclusive): times in hours from day 0, amounts in mg.
 * Throws ScheduleError when a missed dose does not coincide with a scheduled one.
 */
export function expandDoses(s: Schedule, horizon: number): DoseHistory {
  const end = Math.min(s.stop ?? Number.POSITIVE_INFINITY, horizon) * HOURS_PER_DAY;
  const segments: { at: number; dose: number; tau: number }[] = [
    { at: s.start * HOURS_PER_DAY, dose: s.dose, tau: s.intervalHours },
  ];
  let tau = s.intervalHours;
  for (const c of s.doseChanges ?? []) {
    tau = c.intervalHours ?? tau;
    segments.push({ at: c.at * HOURS_PER_DAY, dose: c.dose, tau });
  }
  const gaps = (s.interruptions ?? []).map((iv) => [iv.from * HOURS_PER_DAY, iv.to * HOURS_PER_DAY] as const);
  const missed = (s.missed ?? []).map((d) => d * HOURS_PER_DAY);
  const used = new Array<boolean>(missed.length).fill(false);
  const times: number[] = [];
  const amounts: number[] = [];
  segments.forEach((seg, k) => {
    const segEnd = Math.min(end, segments[k + 1]?.at ?? Number.POSITIVE_INFINITY);
    for (let n = 0; ; n++) {
      const t = seg.at + n * seg.tau;
      if (t >= segEnd - TIME_TOLERANCE_H) break;
      if (gaps.some(([a, b]) => t >= a - TIME_TOLERANCE_H && t < b - TIME_TOLERANCE_H)) continue;
      const m = missed.findIndex((x) => Math.abs(x - t) <= TIME_TOLERANCE_H);
      if (m >= 0) {
        used[m] = true;
        continue;
      }
      times.push(t);
      amounts.push(seg.dose);
    }
  });
  const issues: ScheduleIssue[] = [];
  used.forEach((u, i) => {
    if (!u && missed[i] < end)
      issues.push({ path: `missed[${i}]`, message: `day ${s.missed?.[i]} is not a scheduled dose time` });
  });
  if (issues.length > 0) throw new ScheduleError(issues);
  return { times: Float64Array.from(times), amounts: Float64Array.from(amounts) };
}

/** The schedule's dose-regimen segments: [fromDay, toDay) with a constant dose and interval (interruptions excluded). */
export interface RegimenSegment {
  readonly from: number;
  readonly to: number;
  readonly dose: number;
  readonly intervalHours: number;
}

export function regimenSegments(s: Schedule, horizon: number): RegimenSegment[] {
  const end = Math.min(s.stop ?? Number.POSITIVE_INFINITY, horizon);
  const cuts: { at: number; dose: number; tau: number }[] = [
    { at: s.start, dose: s.dose, tau: s.intervalHours },
  ];
  let tau = s.intervalHours;
  for (const c of s.doseChanges ?? []) {
    tau = c.intervalHours ?? tau;
    cuts.push({ at: c.at, dose: c.dose, tau });
  }
  const out: RegimenSegment[] = [];
  cuts.forEach((c, k) => {
    let from = c.at;
    const to = Math.min(end, cuts[k + 1]?.at ?? Number.POSITIVE_INFINITY);
    for (const iv of s.interruptions ?? []) {
      if (iv.to <= from || iv.from >= to) continue;
      if (iv.from > from) out.push({ from, to: iv.from, dose: c.dose, intervalHours: c.tau });
      from = Math.max(from, iv.to);
    }
    if (to > from) out.push({ from, to, dose: c.dose, intervalHours: c.tau });
  });
  return out;
}
