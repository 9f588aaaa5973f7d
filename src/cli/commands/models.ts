/** `exoniche models`: the catalogue of published reference models (`exoniche simulate NAME` runs one). */
import type { Command } from 'commander';
import { REFERENCE_MODELS } from '../../knowledge/reference-models.js';

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('List the published reference models that `exoniche simulate NAME` runs')
    .option('--json', 'machine-readable output')
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(REFERENCE_MODELS, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const m of REFERENCE_MODELS) {
        lines.push(`${m.name}  ${m.title}`);
        lines.push(`    ${m.citation}`);
        lines.push(
          `    time unit: ${m.timeUnit}; BCR-ABL read-out: ${m.readout.defaultConvention}` +
            ` (also: ${m.readout.conventions.filter((c) => c !== m.readout.defaultConvention).join(', ') || 'none'})` +
            (m.patients ? `; patients: 1-${m.patients} (--patient K)` : ''),
        );
        lines.push(`    treatment: ${m.treatment}`);
        lines.push(`    e.g. exoniche simulate ${m.name} --t-end ${m.defaultTEnd}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
