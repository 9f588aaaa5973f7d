/**
 * `exoniche compare A.yaml B.yaml`: run two scenarios (two arms) and write one folder with a report comparing
 * them side by side. Layout (written atomically as a whole, like a run folder):
 *
 *   report.html      the comparison report (both arms in every figure, summaries side by side)
 *   manifest.json    the command, both arms (scenario file, sha256, engine, seed, parameter hash), timings
 *   a/, b/           each arm's results (results.csv, results.parquet, monitoring.csv, therapy.csv, drug.csv,
 *                    manifest.json, scenario.yaml), as in a run folder but without a report of its own
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { sha256 } from '../../io/manifest.js';
import { type FolderFiles, runFolderFiles } from '../../io/run-folder.js';
import type { ScenarioRun } from '../../scenario/run-result.js';
import { VERSION } from '../../version.js';
import { createProgress } from '../progress.js';
import {
  checkOutDir,
  commandLine,
  defaultRunDir,
  displayPath,
  EXIT_CODES_HELP,
  formatIS,
  loadKb,
  printJson,
  readScenario,
  simulate,
  uniqueDir,
  withJsonErrors,
  writeOut,
} from './run.js';

interface CompareFlags {
  out?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const ARMS = ['a', 'b'] as const;

interface CompareManifest {
  readonly tool: 'exoniche';
  readonly version: string;
  readonly command: string;
  readonly createdAt: string;
  readonly node: string;
  readonly arms: readonly Record<string, unknown>[];
  readonly timings: Readonly<Record<string, number>>;
  readonly outputs: readonly string[];
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Run two scenarios and write one report comparing them side by side')
    .argument('<a>', 'scenario file of arm A')
    .argument('<b>', 'scenario file of arm B')
    .option(
      '--out <dir>',
      'output folder (default: runs/compare-<A name>-vs-<B name>-<yyyymmdd-hhmmss>, UTC)',
    )
    .option('--force', 'replace an existing output folder (only once the new one is complete)')
    .option('--json', 'print one JSON object (both summaries, paths) on stdout and nothing else')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (a: string, b: string, flags: CompareFlags, cmd: Command) => {
      await withJsonErrors(flags.json, () => compareCommand([a, b], flags, commandLine(cmd)));
    });
}

async function compareCommand(files: [string, string], flags: CompareFlags, command: string): Promise<void> {
  const t0 = performance.now();
  if (flags.out !== undefined) checkOutDir(flags.out, flags.force);
  const kb = loadKb();
  // read and validate both before running either: a typo in B should not cost the run of A
  const inputs = files.map((f) => readScenario(f, kb));
  const out =
    flags.out ?? uniqueDir(defaultRunDir(`compare-${inputs[0].scenario.name}-vs-${inputs[1].scenario.name}`));
  checkOutDir(out, flags.force);
  // one bar over both arms (terminal only, after 1 s): A 0-40 %, B 40-80 %, report and files to 100 %
  const progress = createProgress({
    quiet: flags.quiet === true || flags.json === true,
    label: `${inputs[0].scenario.name} vs ${inputs[1].scenario.name}`,
  });
  const runs: ScenarioRun[] = [];
  let manifest: CompareManifest;
  try {
    for (const [k, input] of inputs.entries())
      runs.push(await simulate(input.scenario, input, kb, (f) => progress.update(0.4 * (k + f))));
    const tSim = performance.now();
    progress.update(0.8);
    const { renderComparison } = await import('../../report/html.js');
    const reportHtml = await renderComparison(runs[0], runs[1]);
    const tReport = performance.now();
    progress.update(0.95);

    const folder: FolderFiles = new Map();
    folder.set('report.html', reportHtml);
    for (let k = 0; k < 2; k++) {
      const arm = await runFolderFiles(runs[k], {
        scenarioText: inputs[k].text,
        manifest: { command, scenarioFile: inputs[k].file ?? files[k], settings: { arm: ARMS[k] } },
      });
      for (const [name, data] of arm) folder.set(`${ARMS[k]}/${name}`, data);
    }
    manifest = {
      tool: 'exoniche',
      version: VERSION,
      command,
      createdAt: new Date().toISOString(),
      node: process.version,
      arms: runs.map((run, k) => ({
        arm: ARMS[k],
        folder: `${ARMS[k]}/`,
        name: run.name,
        file: files[k],
        sha256: sha256(inputs[k].text),
        engine: run.engine,
        seed: run.seed,
        parameterHash: run.parameterHash,
        timings: run.timings,
        summary: run.summary,
      })),
      timings: { simulateMs: tSim - t0, reportMs: tReport - tSim },
      outputs: [...folder.keys(), 'manifest.json'].sort(),
    };
    folder.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
    writeOut(out, folder, flags.force);
    progress.update(1);
  } finally {
    progress.done();
  }
  const totalMs = performance.now() - t0;

  if (flags.json) {
    printJson({
      ok: true,
      command: 'compare',
      out: resolve(out),
      report: resolve(out, 'report.html'),
      arms: runs.map((run, k) => ({
        arm: ARMS[k],
        name: run.name,
        file: files[k],
        dir: resolve(out, ARMS[k]),
        summary: run.summary,
        warnings: run.warnings,
      })),
      timings: { ...manifest.timings, totalMs },
    });
    return;
  }
  if (!flags.quiet) {
    for (const [k, run] of runs.entries())
      for (const w of run.warnings)
        process.stderr.write(`exoniche: warning: ${ARMS[k].toUpperCase()}: ${w}\n`);
    process.stdout.write(
      `${sideBySide(runs[0], runs[1]).join('\n')}\n` +
        `wrote ${displayPath(out)}/ (report.html, manifest.json, a/, b/) in ${(totalMs / 1000).toFixed(1)} s\n` +
        `report: ${displayPath(resolve(out, 'report.html'))}\n`,
    );
  }
}

/** The two summaries as an aligned table, one read-out per row. */
export function sideBySide(a: ScenarioRun, b: ScenarioRun): string[] {
  const months = (x: number | undefined) => (x === undefined ? 'not reached' : `${x.toFixed(1)} mo`);
  const tfr = (r: ScenarioRun) => {
    const t = r.summary.tfr;
    if (!t) return 'no attempt planned';
    if (t.stopMonth === undefined) return t.outcome;
    return `stop ${t.stopMonth.toFixed(1)} mo: ${t.outcome}${t.relapseMonth !== undefined ? ` at ${t.relapseMonth.toFixed(1)} mo` : ''}`;
  };
  const milestone = (r: ScenarioRun, m: 3 | 6 | 12) => {
    const x = r.summary.milestones.find((y) => y.month === m);
    return x ? `${formatIS(x.bcrAblIS)} ${x.category}` : 'n/a';
  };
  const rows: [string, string, string][] = [
    ['', `A: ${a.name}`, `B: ${b.name}`],
    ['BCR-ABL1 IS month 3', milestone(a, 3), milestone(b, 3)],
    ['BCR-ABL1 IS month 6', milestone(a, 6), milestone(b, 6)],
    ['BCR-ABL1 IS month 12', milestone(a, 12), milestone(b, 12)],
    ['best response', a.summary.bestResponse, b.summary.bestResponse],
    ['time to MMR', months(a.summary.monthsToMMR), months(b.summary.monthsToMMR)],
    ['time to MR4.5', months(a.summary.monthsToMR45), months(b.summary.monthsToMR45)],
    ['phase at the end', a.summary.phaseAtEnd, b.summary.phaseAtEnd],
    ['TFR', tfr(a), tfr(b)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd());
}
