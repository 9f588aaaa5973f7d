/**
 * The crosstalk map: the cell types and the exosome channels between them, drawn from the knowledge base's
 * channels (meta.channels), not from a list in this file. Each arrow is a focusable button; selecting it shows the
 * cargo, effect, experiment ids and the citations behind the channel, with a switch and a scale that edit
 * `niche.channels.<id>` of the scenario (the App re-runs). Channels the niche model does not implement are drawn
 * dotted and cannot be switched. Channels whose study recipient is bulk CML cells act on the leukaemic stem cells
 * in the model (src/niche/channels.ts); the map draws them onto the LSC node and says so.
 */
import { useMemo, useState } from 'preact/hooks';
import type { PlotData } from '../engine.js';
import type { ChannelInfo, DashboardMeta } from '../meta.js';
import { OKABE_ITO } from './plot-spec.js';
import { type Path, toData, valueAt } from './scenario-doc.js';

const W = 820;
const H = 540;
const R = 50;

/** Where each cell type sits (layout only; unknown types go on a circle). */
const PLACE: Readonly<Record<string, { x: number; y: number; label: string }>> = {
  'cml-bulk': { x: 410, y: 250, label: 'CML cells' },
  lsc: { x: 410, y: 460, label: 'LSCs' },
  bmsc: { x: 130, y: 380, label: 'BMSCs' },
  endothelium: { x: 690, y: 130, label: 'Endothelial cells' },
  'resistant-cml': { x: 130, y: 110, label: 'Resistant CML' },
  'sensitive-cml': { x: 410, y: 70, label: 'Sensitive CML' },
  't-cell': { x: 700, y: 330, label: 'T cells' },
  treg: { x: 700, y: 470, label: 'Tregs' },
};

export interface ChannelState {
  readonly on: boolean;
  readonly scale: number;
}

/** A channel's state in the scenario YAML: absent or true = on at 1, false = off, a number = that scale. */
export function channelState(scenario: unknown, id: string): ChannelState {
  const exosomes = valueAt(scenario, ['niche', 'exosomes']);
  const v = valueAt(scenario, ['niche', 'channels', id]);
  if (exosomes === false) return { on: false, scale: typeof v === 'number' ? v : 1 };
  if (v === false) return { on: false, scale: 1 };
  if (typeof v === 'number') return { on: v > 0, scale: v };
  return { on: true, scale: 1 };
}

const endpoint = (c: ChannelInfo) => ({
  from: c.donor,
  to: c.modelRecipient === 'lsc' ? 'lsc' : c.recipient,
});

function layout(channels: readonly ChannelInfo[]) {
  const types = [...new Set(channels.flatMap((c) => Object.values(endpoint(c))))];
  const unknown = types.filter((t) => !PLACE[t]);
  const pos = new Map<string, { x: number; y: number; label: string }>();
  for (const t of types) if (PLACE[t]) pos.set(t, PLACE[t]);
  unknown.forEach((t, k) => {
    const a = (2 * Math.PI * k) / Math.max(unknown.length, 1);
    pos.set(t, { x: W / 2 + 330 * Math.cos(a), y: H / 2 + 220 * Math.sin(a), label: t });
  });
  // Parallel channels between one pair of cell types fan out as arcs.
  const pairs = new Map<string, ChannelInfo[]>();
  for (const c of channels) {
    const { from, to } = endpoint(c);
    const key = [from, to].sort().join('|');
    pairs.set(key, [...(pairs.get(key) ?? []), c]);
  }
  const edges = channels.map((c) => {
    const { from, to } = endpoint(c);
    const list = pairs.get([from, to].sort().join('|')) ?? [c];
    const k = list.indexOf(c);
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    // Perpendicular offset; the direction is fixed by the sorted pair so that opposite arrows do not overlap.
    const sign = from < to ? 1 : -1;
    const off = (k - (list.length - 1) / 2) * 34 * sign + (list.length === 1 ? 0 : 0);
    const nx = (-dy / len) * off;
    const ny = (dx / len) * off;
    const cx = (a.x + b.x) / 2 + nx * 1.6;
    const cy = (a.y + b.y) / 2 + ny * 1.6;
    // Start and end on the node circles, towards the control point.
    const toward = (p: { x: number; y: number }, q: { x: number; y: number }, r: number) => {
      const l = Math.hypot(q.x - p.x, q.y - p.y) || 1;
      return { x: p.x + ((q.x - p.x) / l) * r, y: p.y + ((q.y - p.y) / l) * r };
    };
    const s = toward(a, { x: cx, y: cy }, R + 2);
    const e = toward(b, { x: cx, y: cy }, R + 8);
    return {
      c,
      d: `M${s.x.toFixed(1)} ${s.y.toFixed(1)} Q${cx.toFixed(1)} ${cy.toFixed(1)} ${e.x.toFixed(1)} ${e.y.toFixed(1)}`,
      mid: { x: 0.25 * s.x + 0.5 * cx + 0.25 * e.x, y: 0.25 * s.y + 0.5 * cy + 0.25 * e.y },
    };
  });
  return { pos, edges };
}

function Details(props: {
  c: ChannelInfo;
  state: ChannelState;
  run: PlotData | null;
  onEdit: (path: Path, value: unknown) => void;
}) {
  const { c, state, run } = props;
  const path = ['niche', 'channels', c.id];
  const eff = c.sym ? run?.series.find((s) => s.id === `eff_${c.sym}`) : undefined;
  const effMax = eff ? Math.max(...eff.values) : undefined;
  return (
    <aside class="channel-details" aria-live="polite" aria-label={`Channel ${c.id}`}>
      <h3>{c.id}</h3>
      <dl>
        <dt>from → to</dt>
        <dd>
          {c.donor} → {c.recipient}
          {c.modelRecipient === 'lsc' ? ' (the model applies it to the leukaemic stem cells)' : ''}
        </dd>
        <dt>cargo</dt>
        <dd data-testid="channel-cargo">{c.cargo.join(', ')}</dd>
        <dt>effect</dt>
        <dd>
          {c.effect} ({c.direction})
        </dd>
        <dt>what the study found</dt>
        <dd>{c.text}</dd>
        <dt>experiments</dt>
        <dd>{c.experiments.join(', ')}</dd>
        {c.system ? (
          <>
            <dt>system</dt>
            <dd>{c.system}</dd>
          </>
        ) : null}
        <dt>evidence</dt>
        <dd>{c.evidence}</dd>
        <dt>references</dt>
        <dd>
          <ul class="refs">
            {c.refs.map((r) => (
              <li key={r.id}>
                {r.citation}{' '}
                {r.doi ? (
                  <a href={`https://doi.org/${r.doi}`} target="_blank" rel="noreferrer">
                    [doi]
                  </a>
                ) : null}
              </li>
            ))}
          </ul>
        </dd>
        {effMax !== undefined ? (
          <>
            <dt>simulated effect (0..1, maximum over the run)</dt>
            <dd>{effMax.toPrecision(3)}</dd>
          </>
        ) : null}
      </dl>
      {c.implemented ? (
        <div class="channel-controls">
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              checked={state.on}
              aria-checked={state.on}
              data-testid="channel-switch"
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                props.onEdit(
                  path,
                  on ? (state.scale !== 1 && state.scale > 0 ? state.scale : undefined) : false,
                );
              }}
            />{' '}
            channel on
          </label>
          <label for="channel-scale">scale (x knowledge-base effect)</label>
          <input
            id="channel-scale"
            type="range"
            min={0}
            max={3}
            step={0.05}
            value={state.on ? state.scale : 0}
            aria-valuetext={`${state.on ? state.scale : 0} times the knowledge-base effect`}
            onInput={(e) => {
              const v = Number((e.target as HTMLInputElement).value);
              props.onEdit(path, v === 1 ? undefined : v === 0 ? false : v);
            }}
          />
          <output for="channel-scale">{state.on ? state.scale : 0}</output>
        </div>
      ) : (
        <p class="note">
          Not implemented in the niche model (no defined effect, or not modelled until verified): shown, not
          switchable.
        </p>
      )}
    </aside>
  );
}

export function CrosstalkMap(props: {
  meta: DashboardMeta;
  scenario: string;
  run: PlotData | null;
  busy: boolean;
  onEdit: (path: Path, value: unknown) => void;
}) {
  const { meta, scenario, run } = props;
  const [selected, setSelected] = useState<string | null>(null);
  const { pos, edges } = useMemo(() => layout(meta.channels), [meta.channels]);
  const data = useMemo(() => toData(scenario), [scenario]);
  const sel = meta.channels.find((c) => c.id === selected);
  const m12 = run?.summary.milestones.find((m) => m.month === 12);
  return (
    <div class="crosstalk">
      <div class="map-wrap">
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing cannot be a fieldset; role group names the map. */}
        <svg
          viewBox={`0 0 ${W} ${H}`}
          class="map"
          role="group"
          aria-label="Crosstalk map: cell types of the niche and the exosome channels between them. Each arrow is a button."
        >
          <defs>
            {['on', 'off'].map((k) => (
              <marker
                key={k}
                id={`arrow-${k}`}
                viewBox="0 0 10 10"
                refX="8"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path d="M0 0L10 5L0 10z" fill={k === 'on' ? OKABE_ITO[5] : '#999'} />
              </marker>
            ))}
          </defs>
          {edges.map(({ c, d, mid }) => {
            const st = channelState(data, c.id);
            const on = c.implemented && st.on;
            const label = `${c.id}: ${c.donor} to ${c.modelRecipient === 'lsc' ? 'LSCs' : c.recipient}, cargo ${c.cargo.join(', ')}, ${c.effect} ${c.direction}; ${c.implemented ? (on ? `on, scale ${st.scale}` : 'off') : 'not implemented'}`;
            const activate = () => setSelected(c.id);
            return (
              // biome-ignore lint/a11y/useSemanticElements: an SVG arrow cannot be an HTML button; role, tabIndex and keys make it one.
              <g
                key={c.id}
                class={`edge${c.id === selected ? ' selected' : ''}${on ? ' on' : ' off'}${c.implemented ? '' : ' unimplemented'}`}
                role="button"
                // Lower case: an SVG element takes the attribute as written (tabIndex would not make it focusable).
                tabindex={0}
                aria-label={label}
                aria-pressed={c.id === selected}
                data-channel={c.id}
                onClick={activate}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    activate();
                  }
                }}
              >
                <title>{label}</title>
                <path class="hit" d={d} />
                <path
                  class="line"
                  d={d}
                  stroke={on ? OKABE_ITO[5] : '#999'}
                  stroke-width={on ? 1.2 + 1.2 * Math.min(st.scale, 3) : 1.2}
                  stroke-dasharray={c.implemented ? (on ? undefined : '6 4') : '2 4'}
                  marker-end={`url(#arrow-${on ? 'on' : 'off'})`}
                />
                <text x={mid.x} y={mid.y} class="edge-label">
                  {c.cargo[0].length > 14 ? `${c.cargo[0].slice(0, 13)}…` : c.cargo[0]}
                </text>
              </g>
            );
          })}
          {[...pos.entries()].map(([id, p]) => (
            <g key={id} class="node">
              <circle cx={p.x} cy={p.y} r={R} />
              <text x={p.x} y={p.y + 4}>
                {p.label}
              </text>
            </g>
          ))}
        </svg>
        <p class="status" role="status" data-testid="map-status">
          {props.busy ? 'simulating… ' : ''}
          {m12
            ? `BCR-ABL1 at 12 months: ${m12.bcrAblIS === undefined ? 'n/a' : `${m12.bcrAblIS.toPrecision(3)} % IS`} (${m12.category}); best response ${run?.summary.bestResponse}`
            : ''}
        </p>
        <p class="legend-note">
          Solid blue: channel on (width grows with its scale); dashed grey: switched off; dotted grey: in the
          knowledge base but not implemented in the model. Labels name the cargo.
        </p>
      </div>
      {sel ? (
        <Details c={sel} state={channelState(data, sel.id)} run={run} onEdit={props.onEdit} />
      ) : (
        <aside class="channel-details">
          <p>Select an arrow (click, or Tab to it and press Enter) to see its cargo, effect and sources.</p>
        </aside>
      )}
    </div>
  );
}
