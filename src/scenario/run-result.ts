/**
 * What a scenario run produces: the contract between the scenario runner (src/scenario), the report
 * (src/report) and the run-folder writer (src/io). Plain data: typed arrays for series, everything else JSON.
 * Times are in months from the start of therapy (diagnosis) unless a field says otherwise.
 */

/** The panels of the report a series belongs to. */
export type SeriesGroup =
  | 'bcr-abl' // BCR-ABL1 % IS (model truth, continuous)
  | 'compartments' // cell numbers by compartment (normal and leukaemic lineages, blasts)
  | 'lsc' // leukaemic stem cells: quiescent and cycling, per clone
  | 'exosomes' // exosome pools by donor (CML bulk, LSC, BMSC, resistant CML)
  | 'cargo' // cargo-effect levels (miR-92a, miR-126, ...), 0..1 or relative
  | 'niche' // niche markers: IL-8, VCAM1, CXCL12, vascular density, BMSC activation
  | 'drug' // drug concentration (ng/mL) and effect
  | 'blasts' // blast % in blood and marrow
  | 'other';

export interface SeriesInfo {
  readonly id: string; // column name in results.csv
  readonly label: string; // human label for plots and tables
  readonly units: string; // e.g. 'cells', '% IS', 'ng/mL', 'relative'
  readonly group: SeriesGroup;
}

/** One molecular-monitoring sample: the assay's view of the patient (detection limit applied). */
export interface MonitoringSample {
  readonly month: number;
  /** Measured BCR-ABL1 % IS; undefined when undetectable. */
  readonly bcrAblIS?: number;
  /** True when below the assay's detection limit (then `limitIS` is the limit reached). */
  readonly undetectable: boolean;
  readonly limitIS?: number;
  /** Molecular response category at this sample (e.g. 'MMR', 'MR4', 'MR4.5', 'none'). */
  readonly response: string;
}

export interface MilestoneResult {
  readonly month: 3 | 6 | 12;
  readonly bcrAblIS?: number;
  /** ELN 2020 category: 'optimal' | 'warning' | 'failure' (or 'not evaluable'). */
  readonly category: string;
}

export interface PhaseInterval {
  readonly startMonth: number;
  readonly endMonth: number;
  readonly phase: 'chronic' | 'accelerated' | 'blast';
}

export interface TherapyInterval {
  readonly startMonth: number;
  readonly endMonth: number;
  readonly drug: string; // 'none' during a treatment-free interval
  readonly doseMg: number;
  readonly intervalHours: number;
  readonly reason: string; // 'start', 'switch: T315I detected', 'TFR attempt', 'loss of MMR: restart', ...
}

export interface ParameterUsed {
  readonly id: string; // model symbol
  readonly key?: string; // knowledge-base key
  readonly value: number;
  readonly units?: string;
  readonly evidence?: string; // V, V2, T, C, R, A, U
  readonly source?: string; // short citation, e.g. 'Hähnel et al. 2020, Cancer Res 80:2394'
  readonly note?: string;
}

export interface RunSummary {
  readonly milestones: readonly MilestoneResult[];
  /** Deepest response reached on therapy (e.g. 'MR4.5'). */
  readonly bestResponse: string;
  readonly monthsToMMR?: number;
  readonly monthsToMR4?: number;
  readonly monthsToMR45?: number;
  readonly phaseAtEnd: 'chronic' | 'accelerated' | 'blast';
  /** Treatment-free remission attempt, when the scenario has one. */
  readonly tfr?: {
    readonly eligible: boolean;
    readonly reason: string; // why (not) eligible, in words
    readonly stopMonth?: number;
    /** 'remission kept' | 'molecular relapse' | 'not attempted' */
    readonly outcome: string;
    readonly relapseMonth?: number;
  };
}

/** A drug's plasma concentration (ng/mL) at times in hours (the dosing grid). */
export interface DrugCurve {
  readonly name: string;
  readonly timeHours: Float64Array;
  readonly concentration: Float64Array;
}

export interface ScenarioRun {
  readonly name: string;
  readonly description?: string;
  /** The scenario as resolved (defaults filled in), for the manifest and the report. */
  readonly scenario: unknown;
  readonly engine: 'ode' | 'hybrid' | 'ssa' | 'tau';
  readonly seed: string;
  /** Simulation output on a regular grid (months). */
  readonly time: Float64Array;
  readonly series: readonly SeriesInfo[];
  /** values[k] is the column of series[k] over `time`. */
  readonly values: readonly Float64Array[];
  /** Drug concentration over the dosing grid (finer than `time`), with its trough values. */
  readonly drug?: DrugCurve & {
    readonly troughs: readonly { readonly hour: number; readonly concentration: number }[];
  };
  readonly monitoring: readonly MonitoringSample[];
  readonly therapy: readonly TherapyInterval[];
  readonly phases: readonly PhaseInterval[];
  readonly summary: RunSummary;
  readonly parameters: readonly ParameterUsed[];
  readonly parameterHash: string;
  readonly warnings: readonly string[];
  readonly timings: { readonly buildMs: number; readonly simulateMs: number };
}
