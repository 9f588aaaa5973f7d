/**
 * A progress bar on stderr for long commands. It appears only on a terminal (never in pipes, files or CI logs),
 * never with --quiet, and only once the work has taken more than a second, so quick runs print nothing extra.
 * Redraws are throttled; the line is cleared when the work ends so the summary that follows starts clean.
 */

/** Delay before the bar first appears (ms). */
export const PROGRESS_DELAY_MS = 1000;
/** Minimum time between redraws (ms). */
export const PROGRESS_INTERVAL_MS = 100;

/** Columns kept for ` 100%  12.3 s, about 45.6 s left`. */
const TAIL_ROOM = 34;

/**
 * The bar as text, `label [=====>     ]  45%  2.1 s, about 2.6 s left`, fitted into `width` columns.
 * Pure: fraction (clamped to 0..1), elapsed time (ms) and terminal width in, line out (no newline).
 */
export function progressLine(fraction: number, elapsedMs: number, width: number, label = ''): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const pct = `${Math.floor(f * 100)}%`.padStart(4);
  const elapsed = formatSeconds(elapsedMs);
  // the remaining time extrapolates the mean rate; meaningless before a few percent are done
  const left = f >= 0.02 && f < 1 ? `, about ${formatSeconds((elapsedMs * (1 - f)) / f)} left` : '';
  const prefix = label ? `${label} ` : '';
  const tail = ` ${pct}  ${elapsed}${left}`;
  // the bar keeps its width while the text beside it changes: room is kept for the longest usual tail
  const barWidth = Math.min(40, width - prefix.length - TAIL_ROOM - 2);
  if (barWidth < 5) return `${prefix}${tail.trimStart()}`.slice(0, Math.max(0, width));
  const filled = Math.floor(f * barWidth);
  const bar =
    f >= 1
      ? '='.repeat(barWidth)
      : `${'='.repeat(filled)}${filled < barWidth ? '>' : ''}${' '.repeat(Math.max(0, barWidth - filled - 1))}`;
  return `${prefix}[${bar}]${tail}`.slice(0, Math.max(0, width));
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

export interface Progress {
  /** Report the fraction done (0..1). Cheap when nothing is drawn. */
  update(fraction: number): void;
  /** Clear the bar (if drawn). Call before printing the result. */
  done(): void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  readonly label?: string;
  /** Defaults to process.stderr. */
  readonly stream?: NodeJS.WriteStream;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

/** A progress bar when stderr is a terminal and not quiet; otherwise a no-op. */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY || process.env.CI) return NO_PROGRESS;
  const now = options.now ?? (() => performance.now());
  const start = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(fraction) {
      const t = now();
      const elapsed = t - start;
      if (elapsed < PROGRESS_DELAY_MS || t - lastDraw < PROGRESS_INTERVAL_MS) return;
      lastDraw = t;
      const width = stream.columns || 80;
      stream.write(`\r${progressLine(fraction, elapsed, width - 1, options.label)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
