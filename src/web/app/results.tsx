/**
 * The Results view: sliders for the drug dose, LSC kinetics and the niche scales that act on leukaemic cells, the
 * run's summary (ELN milestones, best response, TFR) and the plots. A slider edits one field of the scenario YAML
 * (so the editor, the map and a shared link see it) and the App re-runs in the Worker.
 */
import { useMemo } from 'preact/hooks';
import type { PlotData } from '../engine.js';
import type { DashboardMeta } from '../meta.js';
import { Plot } from './plot.js';
import { CATEGORY_COLOUR, resultSpecs } from './plot-spec.js';
import { type Path, toData, valueAt } from './scenario-doc.js';

export interface SliderDef {
  readonly key: string;
  readonly label: string;
  readonly units: string;
  readonly path: Path;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** Slider position. */
  readonly value: number;
  /** What the position shows (the value with its units). */
  readonly shown: string;
  /** The YAML value for a position (undefined: remove the key, i.e. the knowledge-base value). */
  readonly encode: (position: number) => unknown;
}

/** Patient parameters offered as sliders (Hähnel 2020 LSC kinetics: the TKI kill and the activation rate). */
const PARAMETER_SLIDERS = ['e_tki', 'pxy'];

const round = (x: number) => +x.toPrecision(3);

/** The sliders for this scenario: values read from the YAML, ranges from the knowledge-base values. */
export function sliderDefs(
  scenario: unknown,
  meta: DashboardMeta,
  base: Readonly<Record<string, { value: number; units?: string; note?: string }>>,
): SliderDef[] {
  const out: SliderDef[] = [];
  const drug = valueAt(scenario, ['therapy', 'schedule', 0, 'drug']);
  const dose = valueAt(scenario, ['therapy', 'schedule', 0, 'doseMg']);
  if (typeof drug === 'string' && typeof dose === 'number')
    out.push({
      key: 'dose',
      label: `${drug} dose (first schedule entry)`,
      units: 'mg per dose',
      path: ['therapy', 'schedule', 0, 'doseMg'],
      min: 100,
      max: 800,
      step: 100,
      value: dose,
      shown: `${dose} mg per dose`,
      encode: (x) => x,
    });
  for (const id of PARAMETER_SLIDERS) {
    const b = base[id];
    if (!b) continue;
    const v = valueAt(scenario, ['patient', 'parameters', id]);
    // Relative to the knowledge-base value, so that 1 is exactly that value (and removes the override).
    const f = typeof v === 'number' ? v / b.value : 1;
    out.push({
      key: id,
      label: `${b.note ?? id} (${id}), times its knowledge-base value ${b.value}`,
      units: b.units ?? '',
      path: ['patient', 'parameters', id],
      min: 0.25,
      max: 2,
      step: 0.01,
      value: round(f),
      shown: `${+(f * b.value).toPrecision(4)} ${b.units ?? ''} (x${round(f)})`,
      encode: (x) => (x === 1 ? undefined : +(x * b.value).toPrecision(6)),
    });
  }
  const hyp = valueAt(scenario, ['niche', 'hypoxia']);
  out.push({
    key: 'hypoxia',
    label: 'hypoxia (0 = 20 % O2, 1 = 1 % O2)',
    units: 'level 0..1',
    path: ['niche', 'hypoxia'],
    min: 0,
    max: 1,
    step: 0.05,
    value: typeof hyp === 'number' ? hyp : 0,
    shown: `${typeof hyp === 'number' ? hyp : 0}`,
    encode: (x) => x,
  });
  // The niche scales that act on leukaemic cells (the knowledge base's channels with a CML recipient).
  for (const c of meta.channels.filter((x) => x.implemented && x.recipient === 'cml-bulk')) {
    const v = valueAt(scenario, ['niche', 'channels', c.id]);
    out.push({
      key: `ch:${c.id}`,
      label: `channel ${c.id} (${c.cargo.join(', ')} -> ${c.effect})`,
      units: 'x knowledge-base effect',
      path: ['niche', 'channels', c.id],
      min: 0,
      max: 3,
      step: 0.05,
      value: typeof v === 'number' ? v : v === false ? 0 : 1,
      shown: `${typeof v === 'number' ? v : v === false ? 0 : 1} x knowledge-base effect`,
      encode: (x) => (x === 1 ? undefined : x === 0 ? false : x),
    });
  }
  return out;
}

function Summary({ run }: { run: PlotData }) {
  const s = run.summary;
  return (
    <div class="summary" aria-live="polite">
      <table>
        <caption>ELN 2020 milestones</caption>
        <thead>
          <tr>
            <th scope="col">month</th>
            <th scope="col">BCR-ABL1 (% IS)</th>
            <th scope="col">category</th>
          </tr>
        </thead>
        <tbody>
          {s.milestones.map((m) => (
            <tr key={m.month}>
              <td>{m.month}</td>
              <td>{m.bcrAblIS === undefined ? 'n/a' : m.bcrAblIS.toPrecision(3)}</td>
              <td>
                <span class="swatch" style={{ background: CATEGORY_COLOUR[m.category] ?? '#999' }} />
                {m.category}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl>
        <dt>best response</dt>
        <dd data-testid="best-response">{s.bestResponse}</dd>
        <dt>months to MMR / MR4 / MR4.5</dt>
        <dd>
          {[s.monthsToMMR, s.monthsToMR4, s.monthsToMR45].map((x) => (x === undefined ? '-' : x)).join(' / ')}
        </dd>
        <dt>phase at end</dt>
        <dd>{s.phaseAtEnd}</dd>
        {s.tfr ? (
          <>
            <dt>treatment-free remission</dt>
            <dd>
              {s.tfr.outcome}
              {s.tfr.stopMonth !== undefined ? ` (stop at month ${s.tfr.stopMonth})` : ''}: {s.tfr.reason}
            </dd>
          </>
        ) : null}
      </dl>
      {run.warnings.length > 0 ? (
        <ul class="warnings">
          {run.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Results(props: {
  run: PlotData | null;
  meta: DashboardMeta;
  scenario: string;
  base: Readonly<Record<string, { value: number; units?: string; note?: string }>>;
  busy: boolean;
  error: string | null;
  timing: { redrawMs: number; engineMs: number } | null;
  onSlide: (path: Path, value: unknown) => void;
  onReset: () => void;
  onDrawn: () => void;
}) {
  const { run, meta } = props;
  const specs = useMemo(() => (run ? resultSpecs(run, meta) : []), [run, meta]);
  const data = useMemo(() => toData(props.scenario), [props.scenario]);
  const sliders = sliderDefs(data, meta, props.base);
  return (
    <div class="results">
      <form class="sliders" aria-label="What if: parameters" onSubmit={(e) => e.preventDefault()}>
        {sliders.map((s) => (
          <div class="slider" key={s.key}>
            <label for={`slider-${s.key}`}>{s.label}</label>
            <input
              id={`slider-${s.key}`}
              type="range"
              min={s.min}
              max={s.max}
              step={s.step}
              value={s.value}
              aria-valuetext={s.shown}
              data-slider={s.key}
              onInput={(e) => props.onSlide(s.path, s.encode(Number((e.target as HTMLInputElement).value)))}
            />
            <output for={`slider-${s.key}`}>{s.shown}</output>
          </div>
        ))}
        <button type="button" onClick={props.onReset}>
          Reset to the default scenario
        </button>
      </form>
      <div class="results-main">
        <p class="status" role="status" data-testid="run-status">
          {props.busy ? 'simulating… ' : ''}
          {props.error ? <span class="error">{props.error}</span> : null}
          {!props.error && run
            ? `${run.name}: ${run.engine} engine, ${run.time.length} output times, engine ${run.timings.totalMs.toFixed(0)} ms` +
              (props.timing ? `; last slider -> redraw ${props.timing.redrawMs.toFixed(0)} ms` : '')
            : null}
        </p>
        {run ? <Summary run={run} /> : <p>Running the default scenario in the Web Worker…</p>}
        <div class="plots">
          {specs.map((s) => (
            <Plot key={s.id} spec={s} onDrawn={props.onDrawn} />
          ))}
        </div>
        <p class="legend-note">
          Strips above each plot: therapy (blue: on drug, white: off) and phase (green: chronic, orange:
          accelerated, red: blast). Diamonds: ELN 2020 milestone results (green optimal, orange warning,
          vermillion failure).
        </p>
      </div>
    </div>
  );
}
