/**
 * Tokens of the exoniche model language (`.exm`), an Antimony dialect (Smith et al. 2009, Bioinformatics
 * 25:2452).
 *
 * Statements end at a newline or `;`, so newlines are tokens; the parser ignores them inside parentheses. Comments: `#` and `//` to the end of the line, `/* ... *\/` blocks.
 */
import type { Diagnostic } from '../diagnostic.js';

export type TokenType = 'ident' | 'number' | 'string' | 'op' | 'newline' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Identifier name, operator text, string contents (unescaped) or number text. */
  readonly value: string;
  readonly line: number;
  readonly column: number;
  /** Offset of the first character in the source, and one past the last. */
  readonly start: number;
  readonly end: number;
  /** Whether whitespace or a comment separates this token from the previous one. */
  readonly spaced: boolean;
}

/** Operators, longest first so that `->` wins over `-`. */
const OPERATORS = [
  '->',
  '=>',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '=',
  '+',
  '-',
  '*',
  '/',
  '^',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  ':',
  '$',
  '@',
  '.',
  '!',
  "'",
  '|',
];

const isIdentStart = (c: string) => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

export interface LexResult {
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

export function lex(text: string, file?: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let spaced = true;
  const loc = (offset: number, l = line, ls = lineStart) => ({ file, line: l, column: offset - ls + 1 });
  const push = (type: TokenType, value: string, start: number, end: number, l = line, ls = lineStart) => {
    tokens.push({ type, value, line: l, column: start - ls + 1, start, end, spaced });
    spaced = false;
  };

  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      push('newline', '\n', i, i + 1);
      i++;
      line++;
      lineStart = i;
      spaced = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      spaced = true;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      spaced = true;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const startLine = line;
      const startLs = lineStart;
      const start = i;
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= text.length) {
        diagnostics.push({
          severity: 'error',
          code: 'syntax',
          message: "unterminated comment: expected '*/'",
          loc: loc(start, startLine, startLs),
        });
      }
      i += 2;
      spaced = true;
      continue;
    }
    if (isIdentStart(c)) {
      const start = i;
      while (i < text.length && isIdentPart(text[i])) i++;
      push('ident', text.slice(start, i), start, i);
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      const start = i;
      while (i < text.length && isDigit(text[i])) i++;
      if (text[i] === '.') {
        i++;
        while (i < text.length && isDigit(text[i])) i++;
      }
      if (
        (text[i] === 'e' || text[i] === 'E') &&
        (isDigit(text[i + 1] ?? '') ||
          ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2] ?? '')))
      ) {
        i += 2;
        while (i < text.length && isDigit(text[i])) i++;
      }
      push('number', text.slice(start, i), start, i);
      continue;
    }
    if (c === '"') {
      const start = i;
      const startLine = line;
      const startLs = lineStart;
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const n = text[i + 1];
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          i += 2;
          continue;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        value += text[i];
        i++;
      }
      if (i >= text.length) {
        diagnostics.push({
          severity: 'error',
          code: 'syntax',
          message: "unterminated string: expected '\"'",
          loc: loc(start, startLine, startLs),
        });
      }
      i++;
      push('string', value, start, i, startLine, startLs);
      continue;
    }
    if (c === '`' && text.startsWith('```', i)) {
      // Antimony's multi-line notes: ```text```
      const start = i;
      const startLine = line;
      const startLs = lineStart;
      const close = text.indexOf('```', i + 3);
      const endAt = close < 0 ? text.length : close;
      const body = text.slice(i + 3, endAt);
      for (let k = i; k < endAt; k++) {
        if (text[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      if (close < 0) {
        diagnostics.push({
          severity: 'error',
          code: 'syntax',
          message: "unterminated notes: expected '```'",
          loc: loc(start, startLine, startLs),
        });
      }
      i = close < 0 ? text.length : close + 3;
      push('string', dedent(body), start, i, startLine, startLs);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      push('op', op, i, i + op.length);
      i += op.length;
      continue;
    }
    diagnostics.push({
      severity: 'error',
      code: 'syntax',
      message: `unexpected character '${c}'`,
      loc: loc(i),
    });
    i++;
    spaced = true;
  }
  tokens.push({
    type: 'eof',
    value: '',
    line,
    column: i - lineStart + 1,
    start: i,
    end: i,
    spaced: true,
  });
  return { tokens, diagnostics };
}

/** Removes the common indentation of a multi-line notes block and its blank first and last lines. */
function dedent(s: string): string {
  const lines = s.split('\n');
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => (l.match(/^[ \t]*/) ?? [''])[0].length),
  );
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}
