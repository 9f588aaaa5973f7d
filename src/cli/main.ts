/** The `exoniche` command line. Side effects (files, stdout, exit codes) live here and in commands/. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerCohort } from './commands/cohort.js';
import { registerCompare } from './commands/compare.js';
import { registerExperiment } from './commands/experiment.js';
import { registerExport } from './commands/export.js';
import { registerFit } from './commands/fit.js';
import { registerKb } from './commands/kb.js';
import { registerModels } from './commands/models.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerSensitivity } from './commands/sensitivity.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerSpatial } from './commands/spatial.js';
import { registerSubmit } from './commands/submit.js';
import { registerSweep } from './commands/sweep.js';
import { registerValidate } from './commands/validate.js';
import { CliError, EXIT } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('exoniche')
    .description(
      'Simulate the CML bone-marrow niche: leukaemic and normal haematopoiesis, stroma, endothelium and exosomes under TKI therapy.',
    )
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerSimulate(program);
  registerModels(program);
  registerKb(program);
  registerExperiment(program);
  registerRun(program);
  registerValidate(program);
  registerCompare(program);
  registerExport(program);
  registerFit(program);
  registerSchema(program);
  registerCohort(program);
  registerSweep(program);
  registerSubmit(program);
  registerSensitivity(program);
  registerServe(program);
  registerSpatial(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander; their text is already printed
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`exoniche: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
