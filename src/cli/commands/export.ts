/**
 * `exoniche export sbml [TARGET] [--out FILE]`: write a model as SBML Level 3 Version 2 core (src/io/sbml
 * writeSbml), atomically, or to stdout. TARGET is
 *   - `niche` (default): the niche model with its default options (Hähnel patient 1, every channel on);
 *   - a reference model name (`exoniche models`);
 *   - a model file (.exm, .xml, .sbml): converted;
 *   - a scenario file (.yaml, .yml): the scenario's model. For the niche model that is the model built from the
 *     scenario's patient and niche options with the first drug of the plan as its dosing schedule over the whole
 *     run (the runner's first therapy segment) and the patient's parameter overrides applied. Therapy rules
 *     (switch on mutation, TFR stop and restart) are decisions the runner takes between segments and are not
 *     part of any one model.
 */
import { extname } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { loadModelOrReference, ModelFileError } from '../../io/load-model.js';
import { writeSbml } from '../../io/sbml/index.js';
import type { KnowledgeBase } from '../../knowledge/index.js';
import { loadReferenceModel } from '../../knowledge/reference-models.js';
import { ModelError } from '../../models/diagnostic.js';
import type { Model } from '../../models/ir.js';
import { buildNicheModel, type NicheOptions } from '../../niche/index.js';
import { scenarioNicheOptions as baseNicheOptions } from '../../scenario/run.js';
import type { Scenario } from '../../scenario/schema.js';
import { DAYS_PER_MONTH } from '../../therapy/rules.js';
import type { Schedule } from '../../therapy/schedule.js';
import { CliError, EXIT } from '../exit-codes.js';
import {
  displayPath,
  loadKb,
  loadScenarioModel,
  mapRunError,
  printJson,
  readScenario,
  withJsonErrors,
} from './run.js';

interface ExportFlags {
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

const SCENARIO_EXTENSIONS = ['.yaml', '.yml'];

export function registerExport(program: Command): void {
  const exp = program.command('export').description('Export a model in an exchange format');
  exp
    .command('sbml')
    .description('Write a model as SBML Level 3 Version 2 core')
    .argument(
      '[target]',
      "'niche' (default), a reference model name, a model file (.exm, .xml) or a scenario file (.yaml)",
      'niche',
    )
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .option('--json', 'with --out: print one JSON object (model id, sizes, path) on stdout')
    .option('--quiet', 'print nothing but errors')
    .action(async (target: string, flags: ExportFlags) => {
      await withJsonErrors(flags.json, () => exportSbml(target, flags));
    });
}

function exportSbml(target: string, flags: ExportFlags): void {
  if (flags.json && !flags.out)
    throw new CliError('--json needs --out FILE (without it the SBML itself goes to stdout)', EXIT.usage);
  const { model, source } = resolveTarget(target);
  let xml: string;
  try {
    xml = writeSbml(model);
  } catch (err) {
    throw new CliError(`${target}: cannot write as SBML: ${(err as Error).message}`, EXIT.dataError);
  }
  if (!flags.out) {
    process.stdout.write(xml);
    return;
  }
  try {
    writeFileAtomic(flags.out, xml);
  } catch (err) {
    throw new CliError(`cannot write ${flags.out}: ${(err as Error).message}`, EXIT.cantCreate);
  }
  const info = {
    ok: true,
    command: 'export sbml',
    source,
    model: model.id,
    species: model.species.length,
    parameters: model.parameters.length,
    reactions: model.reactions.length,
    events: model.events.length,
    out: flags.out,
    bytes: Buffer.byteLength(xml),
  };
  if (flags.json) printJson(info);
  else if (!flags.quiet)
    process.stderr.write(
      `${source}: model '${model.id}' (${info.species} species, ${info.reactions} reactions, ` +
        `${info.events} events) -> ${displayPath(flags.out)} (SBML L3V2)\n`,
    );
}

function resolveTarget(target: string): { model: Model; source: string } {
  if (target === 'niche') {
    const kb = loadKb();
    return { model: nicheModel({}, kb), source: 'niche model (default options)' };
  }
  if (SCENARIO_EXTENSIONS.includes(extname(target).toLowerCase())) return scenarioModel(target);
  try {
    const loaded = loadModelOrReference(target);
    return {
      model: loaded.model,
      source: loaded.reference ? `reference model ${loaded.reference.info.name}` : target,
    };
  } catch (err) {
    if (err instanceof ModelFileError)
      throw new CliError(err.message, /no such file/.test(err.message) ? EXIT.noInput : EXIT.dataError);
    if (err instanceof ModelError || (err as Error)?.name === 'SbmlError')
      throw new CliError((err as Error).message, EXIT.dataError);
    throw err;
  }
}

function scenarioModel(file: string): { model: Model; source: string } {
  const kb = loadKb();
  const { scenario } = readScenario(file, kb);
  const m = scenario.model;
  try {
    if (m === 'niche') {
      const model = withParameters(nicheModel(scenarioNicheOptions(scenario), kb), scenario, file);
      return { model, source: `${file} (niche model)` };
    }
    if ('reference' in m) {
      const ref = loadReferenceModel(m.reference, {
        kb,
        ...(m.patient !== undefined ? { patient: m.patient } : {}),
      });
      const overrides = { ...m.controls, ...scenario.patient.parameters };
      return {
        model: withValues(ref.model, overrides, file),
        source: `${file} (reference model ${m.reference})`,
      };
    }
    const model = loadScenarioModel(scenario, file) as Model;
    return { model: withParameters(model, scenario, file), source: `${file} (model ${m.file})` };
  } catch (err) {
    throw mapRunError(err, file);
  }
}

function nicheModel(options: NicheOptions, kb: KnowledgeBase): Model {
  try {
    return buildNicheModel(options, kb);
  } catch (err) {
    if ((err as Error)?.name === 'NicheOptionsError')
      throw new CliError((err as Error).message, EXIT.dataError);
    throw err;
  }
}

/**
 * The niche options of a scenario (the scenario runner's mapping), with the first plan entry as the TKI schedule
 * over the whole run: switches and TFR stops are runner decisions between segments and cannot be in one model.
 */
export function scenarioNicheOptions(s: Scenario): NicheOptions {
  const first = s.therapy.schedule[0];
  const day = (m: number) => m * DAYS_PER_MONTH;
  const schedule: Schedule | undefined = first
    ? {
        drug: first.drug,
        dose: first.doseMg,
        intervalHours: first.intervalHours,
        start: day(first.startMonth),
        ...(first.stopMonth !== undefined ? { stop: day(first.stopMonth) } : {}),
        ...(first.doseChanges.length > 0
          ? {
              doseChanges: first.doseChanges.map((c) => ({
                at: day(c.atMonth),
                dose: c.doseMg,
                ...(c.intervalHours !== undefined ? { intervalHours: c.intervalHours } : {}),
              })),
            }
          : {}),
        ...(first.interruptions.length > 0
          ? {
              interruptions: first.interruptions.map((i) => ({ from: day(i.fromMonth), to: day(i.toMonth) })),
            }
          : {}),
      }
    : undefined;
  return baseNicheOptions(
    s,
    schedule ? { kind: 'schedule', schedule, horizonMonths: s.durationMonths } : { kind: 'none' },
  );
}

function withParameters(model: Model, s: Scenario, file: string): Model {
  return withValues(model, s.patient.parameters, file);
}

/** The model with parameter values replaced (patient.parameters, reference-model controls). */
function withValues(model: Model, values: Readonly<Record<string, number>>, file: string): Model {
  const ids = Object.keys(values);
  if (ids.length === 0) return model;
  const known = new Set(model.parameters.map((p) => p.id));
  for (const id of ids) {
    if (!known.has(id))
      throw new CliError(
        `${file}: patient.parameters.${id}: unknown model parameter '${id}'`,
        EXIT.dataError,
      );
  }
  return {
    ...model,
    parameters: model.parameters.map((p) => (p.id in values ? { ...p, value: values[p.id] } : p)),
  };
}
