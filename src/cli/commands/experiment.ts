/**
 * `exoniche experiment list` and `exoniche experiment run NAME`: the virtual experiments of biology.md §4 on the
 * niche model (src/experiments, docs/experiments.md). Runs and judging live in src/experiments; this file loads
 * the knowledge base, formats (text, or JSON with --json), writes --out atomically and maps errors to exit codes.
 */
import type { Command } from 'commander';
import { formatNumber, runExperiment } from '../../experiments/evaluate.js';
import { EXPERIMENTS, findExperiment } from '../../experiments/registry.js';
import type { ExperimentResult } from '../../experiments/types.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { type KnowledgeBase, KnowledgeError, loadKnowledgeBase } from '../../knowledge/index.js';
import { CliError, EXIT } from '../exit-codes.js';

function kbOrExit(): KnowledgeBase {
  try {
    return loadKnowledgeBase();
  } catch (err) {
    if (err instanceof KnowledgeError)
      throw new CliError(`invalid knowledge base:\n${err.message}`, EXIT.dataError);
    throw err;
  }
}

function listing(json: boolean): string {
  if (json)
    return JSON.stringify(
      EXPERIMENTS.map((e) => ({
        id: e.id,
        title: e.title,
        setting: e.setting,
        source: e.source,
        protocol: e.protocol,
        mapping: e.mapping,
        expectations: e.expectations,
      })),
      null,
      2,
    );
  const w = Math.max(...EXPERIMENTS.map((e) => e.id.length));
  return EXPERIMENTS.map(
    (e) =>
      `${e.id.padEnd(w)}  ${e.title}\n${' '.repeat(w)}  ${e.setting}; ${e.source.study} (${e.source.ref})`,
  ).join('\n');
}

const value = (v: number | readonly number[] | null) =>
  v === null ? '-' : typeof v === 'number' ? formatNumber(v) : v.map(formatNumber).join(', ');

function resultText(r: ExperimentResult): string {
  const def = findExperiment(r.id);
  const lines = [`${r.id}  ${r.title}`, `source: ${r.source.study} (${r.source.ref}); ${r.setting}`];
  if (def) lines.push(`protocol: ${def.protocol}`, `model: ${def.mapping}`);
  lines.push('', 'arms:');
  for (const a of r.arms) {
    lines.push(`  ${a.arm}`);
    lines.push(
      `    ${Object.entries(a.readouts)
        .map(([k, v]) => `${k} = ${formatNumber(v)}`)
        .join(', ')}`,
    );
  }
  lines.push('', 'checks:');
  for (const c of r.checks) {
    lines.push(`  [${c.status}] ${c.statement} [${c.evidence}]`);
    lines.push(`    ${c.measure}: expected ${c.expected}, obtained ${value(c.obtained)}`);
    if (c.detail) lines.push(`    ${c.detail}`);
  }
  lines.push(
    '',
    `status: ${r.status}${r.gaps.length > 0 ? ` (${r.gaps.length} read-out(s) not reproducible)` : ''}`,
  );
  return lines.join('\n');
}

export function registerExperiment(program: Command): void {
  const cmd = program
    .command('experiment')
    .description(
      'Virtual experiments of biology.md §4 (VE-*) on the niche model, with expected vs simulated',
    );
  cmd
    .command('list')
    .description('list the virtual experiments')
    .option('--json', 'machine-readable output')
    .action((flags: { json?: boolean }) => {
      process.stdout.write(`${listing(flags.json === true)}\n`);
    });
  cmd
    .command('run')
    .description('run one experiment (VE-1, ve1, ...) and judge its read-outs against the study')
    .argument('<name>', 'experiment id, e.g. VE-1')
    .option('--json', 'machine-readable output')
    .option('--out <file>', 'also write the JSON result here (atomically)')
    .action((name: string, flags: { json?: boolean; out?: string }) => {
      const e = findExperiment(name);
      if (!e)
        throw new CliError(
          `unknown experiment '${name}'; valid: ${EXPERIMENTS.map((x) => x.id).join(', ')}`,
          EXIT.usage,
        );
      const r = runExperiment(e, kbOrExit());
      const json = `${JSON.stringify(r, null, 2)}\n`;
      if (flags.out) {
        try {
          writeFileAtomic(flags.out, json);
        } catch (err) {
          throw new CliError(`cannot write ${flags.out}: ${(err as Error).message}`, EXIT.cantCreate);
        }
      }
      process.stdout.write(flags.json ? json : `${resultText(r)}\n`);
    });
}
