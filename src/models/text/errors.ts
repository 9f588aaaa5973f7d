/** Helpers for precise error messages: "did you mean" suggestions and token descriptions. */
import type { SourceLoc } from '../../numerics/expr/ast.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Token } from './lexer.js';

/** Levenshtein distance (insert, delete, substitute, each cost 1), early exit above `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * The candidate closest to `name`, if close enough to be a plausible typo: distance at most 1 for short
 * names, 2 from five characters, a third of the length for long ones. Case-only differences always count.
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = name.length <= 1 ? 0 : name.length <= 4 ? 1 : Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c, limit);
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}

/** How a token reads in "expected X, found Y" messages. */
export function describeToken(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of file';
    case 'newline':
      return 'end of line';
    case 'string':
      return 'a string';
    case 'number':
      return `'${t.value}'`;
    default:
      return `'${t.value}'`;
  }
}

export function tokenLoc(t: Token, file?: string): SourceLoc {
  return file === undefined ? { line: t.line, column: t.column } : { file, line: t.line, column: t.column };
}

export function error(code: string, message: string, loc?: SourceLoc): Diagnostic {
  return loc ? { severity: 'error', code, message, loc } : { severity: 'error', code, message };
}

export function warning(code: string, message: string, loc?: SourceLoc): Diagnostic {
  return loc ? { severity: 'warning', code, message, loc } : { severity: 'warning', code, message };
}
