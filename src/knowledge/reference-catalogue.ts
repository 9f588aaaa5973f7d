/**
 * The catalogue of published CML reference models and the binding of knowledge-base values into them, from
 * texts (no file access; runs in a browser). See reference-models.ts for the Node loader and the rules.
 */
import type { Model } from '../models/ir.js';
import { parseModel } from '../models/text/index.js';
import type { KnowledgeBase, KnowledgeText } from './parse.js';

/**
 * How simulated cells become a BCR-ABL1 ratio (cml-models.md §1.2); implemented in src/clinic/bcr-abl.ts.
 * - `allele`: leukaemic cells carry one BCR-ABL1 and one BCR allele, normal cells two BCR alleles:
 *   L/(L + 2N) (Michor compiled form, Clapp, Stein).
 * - `cell-fraction`: L/(L + N) (myelo's R Michor function, Foo); 2x (0.3 log) above `allele` at low burden.
 * - `relative`: L/L_ref, the load relative to a reference load (Fassoni: Y/TY, 100 % at the start of therapy).
 * - `hahnel`: with l = L/K (K the carrying capacity), l/(2 - l) (Hähnel/Glauche).
 */
export type BcrAblConvention = 'allele' | 'cell-fraction' | 'relative' | 'hahnel';
export const BCR_ABL_CONVENTIONS: readonly BcrAblConvention[] = [
  'allele',
  'cell-fraction',
  'relative',
  'hahnel',
];

/** Which model quantities enter the BCR-ABL1 read-out. Ids are species (read from a time course) or parameters. */
export interface BcrAblReadout {
  /** Species summed as the leukaemic cells that carry BCR-ABL1. */
  readonly leukaemic: readonly string[];
  /** Species summed as normal cells (for `allele` and `cell-fraction`). */
  readonly normal?: readonly string[];
  /** A parameter giving a constant normal population instead (Clapp's x). */
  readonly normalParameter?: string;
  /** Parameter giving the reference load for `relative` (Fassoni TY) or the capacity for `hahnel` (Ky). */
  readonly referenceParameter?: string;
  /** Parameter multiplying the ratio (Clapp's lab scaling beta), if the model has one. */
  readonly scaleParameter?: string;
  /** The convention of the publication (used for the model's own `bcr_abl` observable). */
  readonly defaultConvention: BcrAblConvention;
  /** Conventions that make sense for this model's state. */
  readonly conventions: readonly BcrAblConvention[];
}

export interface ReferenceModelInfo {
  /** Catalogue name (`exoniche simulate NAME`), also the model id and file stem. */
  readonly name: string;
  readonly title: string;
  readonly citation: string;
  /** Knowledge-base reference ids. */
  readonly refs: readonly string[];
  /** Time unit of the model. */
  readonly timeUnit: 'day' | 'month';
  /** What treatment means in the model. */
  readonly treatment: string;
  /** Scenario controls: parameters whose values are settings, not literature values (no `kb` key needed). */
  readonly controls: readonly string[];
  readonly readout: BcrAblReadout;
  /** Outputs written by `exoniche simulate NAME` without `--vars`. */
  readonly defaultOutputs: readonly string[];
  /** Patients with their own parameter sets (`<name>.patientNN.*` keys), if any. */
  readonly patients?: number;
  /** Where the transcription is uncertain and what we follow. */
  readonly uncertainties: readonly string[];
  /** A sensible default end time in the model's time unit (used in docs and examples). */
  readonly defaultTEnd: number;
}

/** The time-event switch of the models treated with imatinib from t_imatinib_start to t_imatinib_stop. */
const IMATINIB_SWITCH_CONTROLS = ['imatinib', 't_imatinib_start', 't_imatinib_stop'];
const imatinibSwitch = (effect: string) =>
  `parameter switch imatinib (0/1) set by time events at t_imatinib_start (default 0) and t_imatinib_stop (default never); on imatinib ${effect}`;

export const REFERENCE_MODELS: readonly ReferenceModelInfo[] = [
  {
    name: 'michor2005',
    title: 'Michor et al. 2005: normal, imatinib-sensitive and resistant lineages',
    citation: 'Michor F, et al. Dynamics of chronic myeloid leukaemia. Nature 2005;435:1267-1270',
    refs: ['michor2005', 'radivot-myelo', 'sapotools-sapo'],
    timeUnit: 'day',
    treatment: imatinibSwitch('ay -> ay/100, by -> by/750 for the sensitive lineage'),
    controls: IMATINIB_SWITCH_CONTROLS,
    readout: {
      leukaemic: ['y3', 'z3'],
      normal: ['x3'],
      defaultConvention: 'allele',
      conventions: ['allele', 'cell-fraction'],
    },
    defaultOutputs: ['x3', 'y0', 'y3', 'z0', 'z3', 'bcr_abl'],
    uncertainties: [
      'homeostatic function lambda(x0) not retrieved: d0 - g (x0 - x0_star)/x0_star assumed (evidence A; no effect at the normal steady state)',
      'BCR-ABL formula of the paper not retrieved: allele counting (compiled myelo) by default, cell fraction (myelo R) selectable',
      'literal equations: LSCs keep growing at ry - d0 = 0.005/day on imatinib, so BCR-ABL rises again after about 1.1 years',
      'rz = 0.023/day (three concordant transcriptions; a fourth has 0.0023)',
    ],
    defaultTEnd: 730,
  },
  {
    name: 'fassoni2018',
    title: 'Fassoni et al. 2018: quiescent and cycling leukaemic stem cells (typical patient)',
    citation:
      'Fassoni AC, Baldow C, Roeder I, Glauche I. Reduced tyrosine kinase inhibitor dose is predicted to be as effective as standard dose in chronic myeloid leukemia. Haematologica 2018;103:1825-1834',
    refs: ['fassoni2018', 'radivot-myelo'],
    timeUnit: 'month',
    treatment:
      'dose fraction f (1 standard dose from the start, 0 off) in the kill term f*e_tki*Y; a time event sets f = f_new at t_dose_change (default never)',
    controls: ['f', 't_dose_change', 'f_new'],
    readout: {
      leukaemic: ['Y'],
      referenceParameter: 'TY',
      defaultConvention: 'relative',
      conventions: ['relative'],
    },
    defaultOutputs: ['X', 'Y', 'bcr_abl_percent'],
    uncertainties: [
      'typical-patient values of the paper Section S3 as transcribed (myelo); not checked against the supplement',
    ],
    defaultTEnd: 60,
  },
  {
    name: 'hahnel2020',
    title: 'Hähnel et al. 2020: leukaemic stem cells under immune control, 21 patients',
    citation:
      'Hähnel T, et al. Model-based inference and classification of immunologic control mechanisms from TKI cessation and dose reduction in patients with CML. Cancer Res 2020;80:2394-2406',
    refs: ['hahnel2020', 'radivot-myelo'],
    timeUnit: 'month',
    treatment:
      'switch tki (1 from the start) in the kill term tki*e_tki*Y; a time event sets tki = 0 at the patient cessation time t_stop',
    controls: ['tki'],
    readout: {
      leukaemic: ['Y'],
      referenceParameter: 'Ky',
      defaultConvention: 'hahnel',
      conventions: ['hahnel', 'relative'],
    },
    defaultOutputs: ['X', 'Y', 'Z', 'bcr_abl_percent'],
    patients: 21,
    uncertainties: [
      'pyx, pxy and pz: higher-resolution values of an author e-mail (myelo glauchePars20.R); the printed Table S1 has two decimals',
      'X0 and Z0 are quasi-equilibrium values derived by the transcriber (evidence C)',
    ],
    defaultTEnd: 120,
  },
  {
    name: 'clapp2015',
    title: 'Clapp et al. 2015: leukaemic hierarchy with an autologous immune response, 12 patients',
    citation:
      'Clapp GD, et al. Implication of the autologous immune system in BCR-ABL transcript variations in chronic myelogenous leukemia patients treated with imatinib. Cancer Res 2015;75:4053-4062',
    refs: ['clapp2015', 'radivot-myelo'],
    timeUnit: 'day',
    treatment: imatinibSwitch('a1 -> a1/inh1, a2 -> a2/inh2'),
    controls: IMATINIB_SWITCH_CONTROLS,
    readout: {
      leukaemic: ['Y3'],
      normalParameter: 'x',
      scaleParameter: 'beta',
      defaultConvention: 'allele',
      conventions: ['allele', 'cell-fraction'],
    },
    defaultOutputs: ['Y0', 'Y1', 'Y3', 'Z', 'bcr_abl_percent'],
    patients: 12,
    uncertainties: [
      'parameters not checked against the paper supplement (transcription only)',
      'volume unit uncertain (cells/mL in the transcription text, cells/uL on its plot axis)',
      'dY0/dt = b1*y1 - ... in the transcription (lower-case y1) read as b1*Y1',
    ],
    defaultTEnd: 1500,
  },
  {
    name: 'foo2009',
    title: 'Foo et al. 2009: Michor hierarchy with quiescent stem cells and stem-cell competition',
    citation:
      'Foo J, Drummond MW, Clarkson B, Holyoake T, Michor F. Eradication of chronic myeloid leukemia stem cells: a novel mathematical model predicts no therapeutic benefit of adding G-CSF to imatinib. PLoS Comput Biol 2009;5:e1000503',
    refs: ['foo2009', 'radivot-myelo'],
    timeUnit: 'day',
    treatment: imatinibSwitch('ay/100, by/750 and ry/4 (cycling LSCs only)'),
    controls: IMATINIB_SWITCH_CONTROLS,
    readout: {
      leukaemic: ['Y3'],
      normal: ['X3'],
      defaultConvention: 'cell-fraction',
      conventions: ['cell-fraction', 'allele'],
    },
    defaultOutputs: ['X0', 'Xq', 'Y0', 'Yq', 'Y3', 'bcr_abl'],
    uncertainties: [
      'dXq/dt = beta*X0 in the transcription read as alpha*X0 - beta*Xq (the form of dYq/dt)',
      'the transcription recomputes py from the treated ry (singular phiy at high load); px, py kept as constants of the untreated rates',
      'G-CSF arm not transcribed',
    ],
    defaultTEnd: 2000,
  },
];

export class ReferenceModelError extends Error {
  override name = 'ReferenceModelError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(issues.length > 0 ? `${message}\n${issues.map((i) => `  ${i}`).join('\n')}` : message);
  }
}

export function referenceModelNames(): string[] {
  return REFERENCE_MODELS.map((m) => m.name);
}

export function isReferenceModelName(name: string): boolean {
  return REFERENCE_MODELS.some((m) => m.name === name);
}

export function referenceModelInfo(name: string): ReferenceModelInfo {
  const info = REFERENCE_MODELS.find((m) => m.name === name);
  if (!info)
    throw new ReferenceModelError(
      `unknown reference model '${name}'; available: ${referenceModelNames().join(', ')}`,
    );
  return info;
}

export interface Binding {
  /** Model element id (parameter, species or compartment). */
  readonly id: string;
  readonly key: string;
  readonly value: number;
}

export interface ReferenceModel {
  readonly info: ReferenceModelInfo;
  /** The model with every knowledge-base value bound in. */
  readonly model: Model;
  readonly path: string;
  readonly bindings: readonly Binding[];
  /** Patient number (1-based) whose parameters are bound, for models with patients. */
  readonly patient?: number;
  /** Patient class from the knowledge base note (Hähnel: A, B or C), when given. */
  readonly patientClass?: string;
}

const PATIENT_KEY = /^([a-z][a-z0-9_]*)\.patient(\d+)\./;

const patientTag = (k: number) => `patient${String(k).padStart(2, '0')}`;

/** Which patient of a model to bind (1..info.patients; default 1 for models with patients); throws when invalid. */
export function referencePatient(
  name: string,
  info: ReferenceModelInfo,
  requested: number | undefined,
): number | undefined {
  if (requested !== undefined) {
    if (!info.patients)
      throw new ReferenceModelError(`reference model '${name}' has no patient-specific parameters`);
    if (!Number.isInteger(requested) || requested < 1 || requested > info.patients)
      throw new ReferenceModelError(
        `patient must be an integer from 1 to ${info.patients} for '${name}', got ${requested}`,
      );
    return requested;
  }
  return info.patients ? 1 : undefined;
}

/**
 * A reference model from its `.exm` text (`source.path` names it in messages), with knowledge-base values (and
 * patient K's) bound in. Pure: `loadReferenceModel` (reference-models.ts) reads the file in Node.
 */
export function referenceModelFromText(
  name: string,
  source: KnowledgeText,
  kb: KnowledgeBase,
  options: { readonly patient?: number } = {},
): ReferenceModel {
  const info = referenceModelInfo(name);
  const patient = referencePatient(name, info, options.patient);
  const { path } = source;
  const parsed = parseModel(source.text, path);
  const { model, bindings } = bindKnowledge(parsed, kb, { patient, controls: info.controls });
  let patientClass: string | undefined;
  if (patient !== undefined) {
    for (const b of bindings) {
      const note = kb.parameters.get(b.key)?.note;
      const m = note?.match(/class ([A-Z])\b/);
      if (m && PATIENT_KEY.test(b.key)) {
        patientClass = m[1];
        break;
      }
    }
  }
  return {
    info,
    model,
    path,
    bindings,
    ...(patient !== undefined ? { patient } : {}),
    ...(patientClass ? { patientClass } : {}),
  };
}

/** A reference model whose text comes from the knowledge base's source (`KnowledgeBase.referenceModelText`). */
export function referenceModelFromKnowledge(
  name: string,
  kb: KnowledgeBase,
  options: { readonly patient?: number } = {},
): ReferenceModel {
  const info = referenceModelInfo(name);
  referencePatient(name, info, options.patient); // argument errors first, as loadReferenceModel reports them
  const source = kb.referenceModelText?.(info.name);
  if (!source)
    throw new ReferenceModelError(
      `reference model '${name}': the knowledge base has no text for it (no reference-model source)`,
    );
  return referenceModelFromText(name, source, kb, options);
}

export interface BindOptions {
  /** Rebind `<model>.patientNN.*` keys to this patient. */
  readonly patient?: number;
  /** Parameter ids that are scenario controls (may have values without a `kb` key). */
  readonly controls?: readonly string[];
}

const close = (a: number, b: number) =>
  a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));

/**
 * Bind knowledge-base values into a model. For each parameter, species or compartment with a `kb` key: the key
 * must exist, its units must equal the element's declared units (when the element has units), and the value in
 * the model file (if any) must equal the knowledge-base value unless the key was rebound to another patient.
 * Constant parameters with a literal value and no `kb` key must be listed in `controls`; species with a non-zero
 * literal initial value must have a `kb` key. All problems are reported together.
 */
export function bindKnowledge(
  model: Model,
  kb: KnowledgeBase,
  options: BindOptions = {},
): { model: Model; bindings: Binding[] } {
  const issues: string[] = [];
  const bindings: Binding[] = [];
  const controls = new Set(options.controls ?? []);
  const assigned = new Set(model.initialAssignments.map((a) => a.symbol));
  const ruled = new Set(model.rules.flatMap((r) => (r.kind === 'algebraic' ? [] : [r.variable])));

  const lookup = (id: string, key: string, fileValue: number | undefined, units: string | undefined) => {
    let k = key;
    if (options.patient !== undefined && PATIENT_KEY.test(key))
      k = key.replace(PATIENT_KEY, (_, m: string) => `${m}.${patientTag(options.patient!)}.`);
    const p = kb.parameters.get(k);
    if (!p) {
      issues.push(`${id}: knowledge-base key '${k}' not found`);
      return undefined;
    }
    if (units !== undefined && units !== p.units)
      issues.push(`${id}: units '${units}' in the model file, '${p.units}' in the knowledge base (${k})`);
    if (k === key && fileValue !== undefined && !close(fileValue, p.value))
      issues.push(
        `${id}: value ${fileValue} in the model file differs from the knowledge base ${k} = ${p.value}`,
      );
    bindings.push({ id, key: k, value: p.value });
    return p.value;
  };

  const parameters = model.parameters.map((p) => {
    const key = p.source?.kb;
    if (key) {
      const v = lookup(p.id, key, p.value, p.units);
      return v === undefined ? p : { ...p, value: v };
    }
    if (p.value !== undefined && p.constant && !assigned.has(p.id) && !ruled.has(p.id) && !controls.has(p.id))
      issues.push(`${p.id}: value ${p.value} has no knowledge-base source (add @source(kb = ...))`);
    if (!p.constant && p.value !== undefined && !controls.has(p.id) && !ruled.has(p.id))
      issues.push(`${p.id}: variable with value ${p.value} is neither a control nor from the knowledge base`);
    return p;
  });
  const species = model.species.map((s) => {
    const key = s.source?.kb;
    const fileValue = s.initialAmount ?? s.initialConcentration;
    if (key) {
      const v = lookup(s.id, key, fileValue, undefined);
      if (v === undefined) return s;
      return s.initialConcentration !== undefined && s.initialAmount === undefined
        ? { ...s, initialConcentration: v }
        : { ...s, initialAmount: v };
    }
    if (fileValue !== undefined && fileValue !== 0 && !assigned.has(s.id))
      issues.push(`${s.id}: initial value ${fileValue} has no knowledge-base source (add @source(kb = ...))`);
    return s;
  });
  const compartments = model.compartments.map((c) => {
    const key = c.source?.kb;
    if (!key) return c;
    const v = lookup(c.id, key, c.size, c.units);
    return v === undefined ? c : { ...c, size: v };
  });
  if (issues.length > 0)
    throw new ReferenceModelError(`model '${model.id}' does not match the knowledge base`, issues);
  return { model: { ...model, parameters, species, compartments }, bindings };
}
