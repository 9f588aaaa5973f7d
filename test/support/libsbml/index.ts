/**
 * libSBML validation for tests: compiles `validate.c` against the system libSBML (Debian `libsbml5-dev`) on
 * first use and runs it on SBML text. The binary is cached in `node_modules/.cache/exoniche-libsbml/`, keyed
 * by a hash of the driver source and the compiler flags, and is compiled to a temporary name and renamed so
 * that parallel test workers never see a half-written executable.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

const SOURCE = resolve(import.meta.dirname, 'validate.c');
const CACHE = resolve(import.meta.dirname, '../../../node_modules/.cache/exoniche-libsbml');

/** One libSBML diagnostic (a line of the driver's output). */
export interface LibsbmlDiagnostic {
  readonly severity: 'info' | 'warning' | 'error' | 'fatal';
  /** libSBML error id (e.g. 10501 for a units mismatch; see the libSBML SBMLErrorCode_t list). */
  readonly id: number;
  readonly category: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface LibsbmlReport {
  /** Diagnostics of severity error or fatal. */
  readonly errors: readonly LibsbmlDiagnostic[];
  readonly warnings: readonly LibsbmlDiagnostic[];
  readonly infos: readonly LibsbmlDiagnostic[];
  /** libSBML version, e.g. "5.19.7". */
  readonly version: string;
}

type Build = { readonly ok: true; readonly binary: string } | { readonly ok: false; readonly reason: string };
let build: Build | undefined;

function run(cmd: string, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.error ? null : r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** Compiler flags for libSBML: pkg-config when it knows the package, else the Debian layout. */
function flags(): { cflags: string[]; libs: string[] } {
  const split = (s: string): string[] => s.split(/\s+/).filter(Boolean);
  const c = run('pkg-config', ['--cflags', 'libsbml']);
  const l = run('pkg-config', ['--libs', 'libsbml']);
  if (c.status === 0 && l.status === 0) return { cflags: split(c.out), libs: split(l.out) };
  return { cflags: ['-I/usr/include/libxml2'], libs: ['-lsbml'] };
}

function compile(): Build {
  const cc = process.env.CC || 'cc';
  const { cflags, libs } = flags();
  const cmdline = (out: string): string[] => ['-O1', '-std=c11', ...cflags, '-o', out, SOURCE, ...libs];
  const key = createHash('sha256')
    .update(readFileSync(SOURCE))
    .update(JSON.stringify([cc, cmdline('')]))
    .digest('hex')
    .slice(0, 16);
  const binary = join(CACHE, `validate-${key}`);
  if (existsSync(binary)) return { ok: true, binary };
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${binary}.${process.pid}.${threadId}.tmp`;
  const r = run(cc, cmdline(tmp));
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    return {
      ok: false,
      reason: `${cc} ${cmdline(tmp).join(' ')} failed (is libsbml5-dev installed?): ${r.out}`,
    };
  }
  chmodSync(tmp, 0o755);
  renameSync(tmp, binary); // atomic: a concurrent worker either sees no binary or a complete one
  return { ok: true, binary };
}

function ensure(): Build {
  build ??= compile();
  return build;
}

/** True when the libSBML driver compiles (libSBML headers and library present). */
export function libsbmlAvailable(): boolean {
  return ensure().ok;
}

/** Why libSBML is unavailable (the compiler's message), or undefined when it is available. */
export function libsbmlUnavailableReason(): string | undefined {
  const b = ensure();
  return b.ok ? undefined : b.reason;
}

/** Validates SBML text with libSBML (reader checks plus every consistency category). */
export function validateSbml(xml: string): LibsbmlReport {
  const b = ensure();
  if (!b.ok) throw new Error(`libSBML is not available: ${b.reason}`);
  const r = spawnSync(b.binary, ['-'], { input: xml, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`libSBML driver exited with ${r.status ?? r.signal}: ${r.stderr}`);
  const errors: LibsbmlDiagnostic[] = [];
  const warnings: LibsbmlDiagnostic[] = [];
  const infos: LibsbmlDiagnostic[] = [];
  let version: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const d = JSON.parse(line) as LibsbmlDiagnostic & { summary?: true; libsbml?: string };
    if (d.summary) version = d.libsbml;
    else if (d.severity === 'warning') warnings.push(d);
    else if (d.severity === 'info') infos.push(d);
    else errors.push(d);
  }
  if (version === undefined) throw new Error(`libSBML driver printed no summary: ${r.stdout}${r.stderr}`);
  return { errors, warnings, infos, version };
}

/** One line per diagnostic: `severity id (category) line N: message` (for assertion messages). */
export function formatDiagnostics(ds: readonly LibsbmlDiagnostic[]): string {
  return ds
    .map(
      (d) => `${d.severity} ${d.id} (${d.category}) line ${d.line}: ${d.message.replace(/\s+/g, ' ').trim()}`,
    )
    .join('\n');
}
