/**
 * `exoniche schema [--out FILE]`: the JSON Schema (draft 2020-12) of scenario files, for editors (e.g. the YAML
 * language server: `# yaml-language-server: $schema=scenario.schema.json`). Fields with defaults are optional.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { scenarioJsonSchema } from '../../scenario/schema.js';
import { CliError, EXIT } from '../exit-codes.js';
import { displayPath } from './run.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of scenario files (for editors)')
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .option('--quiet', 'print nothing but errors')
    .action((flags: { out?: string; quiet?: boolean }) => {
      const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
      if (!flags.out) {
        process.stdout.write(text);
        return;
      }
      try {
        writeFileAtomic(flags.out, text);
      } catch (err) {
        throw new CliError(`cannot write ${flags.out}: ${(err as Error).message}`, EXIT.cantCreate);
      }
      if (!flags.quiet) process.stderr.write(`wrote ${displayPath(flags.out)}\n`);
    });
}
