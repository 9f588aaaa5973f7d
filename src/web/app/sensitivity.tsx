/**
 * Sensitivity view: a global sensitivity study (Sobol' or Morris, docs/sensitivity.md) of the current scenario on
 * the local server. The factors and their knowledge-base ranges come from POST /api/sensitivity/factors (the same
 * resolution as `exoniche sensitivity`); the study runs through POST /api/sensitivity with live progress from
 * GET /api/runs/:id/events and a Cancel button (DELETE /api/runs/:id). The indices are drawn as a bar chart
 * (Sobol' first-order and total with their bootstrap intervals as whiskers, or Morris mu* and sigma) from one
 * chart description that also makes the SVG and PNG exports and the CSV, so the three never disagree.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { save, svgToPng } from './download.js';
import { OKABE_ITO } from './plot-spec.js';
import { cancelRun, followRun } from './run-events.js';
import { formatTick, linearTicks } from './svg.js';
import { TextField } from './text-field.js';

interface FactorChoice {
  name: string;
  lo: number;
  hi: number;
  scale: 'linear' | 'log';
  source: string;
}

interface Choices {
  factors: FactorChoice[];
  defaults: string[];
  columns: string[];
}

/** One output's indices as the server sends them (src/sweep/sensitivity-spec.ts OutputIndices, JSON). */
export interface IndicesJson {
  label: string;
  names: string[];
  method: 'sobol' | 'morris';
  used: number;
  dropped: number;
  missingPoints: number;
  error?: string;
  first?: (number | null)[];
  total?: (number | null)[];
  firstCI?: [number | null, number | null][];
  totalCI?: [number | null, number | null][];
  mu?: (number | null)[];
  muStar?: (number | null)[];
  sigma?: (number | null)[];
}

interface StudyJson {
  name: string;
  mode: string;
  method: string;
  methodKind: 'sobol' | 'morris';
  designPoints: number;
  failedPoints: number;
  failures: { row: number; message: string }[];
  outputs: IndicesJson[];
}

interface ApiError {
  error: string;
  issues?: { path: string; line?: number; message: string }[];
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'running'; id: string; done: number; total: number }
  | { kind: 'done'; study: StudyJson }
  | { kind: 'cancelling' }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string; issues: ApiError['issues'] };

/** Outputs offered first (any numeric outcome column can be chosen below them). */
const PRESETS: { value: string; label: string }[] = [
  { value: 'log10(bcrAblM12)', label: 'BCR-ABL1 at 12 months (log10 % IS)' },
  { value: 'bcrAblM12', label: 'BCR-ABL1 at 12 months (% IS)' },
  { value: 'timeMMR', label: 'time to MMR (months)' },
  { value: 'log10(bcrAblM6)', label: 'BCR-ABL1 at 6 months (log10 % IS)' },
  { value: 'tfrSuccess12', label: 'TFR success 12 months after the stop (0/1)' },
];

const AGGREGATES: { value: string; label: string }[] = [
  { value: '', label: 'typical patient (no cohort)' },
  { value: 'median', label: 'cohort median' },
  { value: 'mean', label: 'cohort mean' },
  { value: 'share', label: 'cohort share with a value (e.g. reached MMR)' },
];

// ---------------------------------------------------------------------------------------------------------------
// The chart as data: bars with whiskers per factor, drawn as SVG (screen and export) and written as CSV

interface Bar {
  readonly series: string;
  readonly color: string;
  readonly value: number;
  readonly lo?: number;
  readonly hi?: number;
}

export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly yLabel: string;
  readonly factors: readonly string[];
  /** bars[factor][series] */
  readonly bars: readonly (readonly Bar[])[];
  readonly series: readonly { readonly name: string; readonly color: string }[];
  readonly note: string;
}

const num = (x: number | null | undefined): number => (typeof x === 'number' ? x : Number.NaN);

export function indicesChart(o: IndicesJson, k: number): BarChart {
  const sobol = o.method === 'sobol';
  const series = sobol
    ? [
        { name: 'first-order S1', color: OKABE_ITO[5] },
        { name: 'total ST', color: OKABE_ITO[6] },
      ]
    : [
        { name: 'mu*', color: OKABE_ITO[5] },
        { name: 'sigma', color: OKABE_ITO[6] },
      ];
  const bars = o.names.map((_, i): Bar[] =>
    sobol
      ? [
          {
            series: series[0].name,
            color: series[0].color,
            value: num(o.first?.[i]),
            lo: num(o.firstCI?.[i]?.[0]),
            hi: num(o.firstCI?.[i]?.[1]),
          },
          {
            series: series[1].name,
            color: series[1].color,
            value: num(o.total?.[i]),
            lo: num(o.totalCI?.[i]?.[0]),
            hi: num(o.totalCI?.[i]?.[1]),
          },
        ]
      : [
          { series: series[0].name, color: series[0].color, value: num(o.muStar?.[i]) },
          { series: series[1].name, color: series[1].color, value: num(o.sigma?.[i]) },
        ],
  );
  return {
    id: `sensitivity-${k}-${o.label.replace(/[^A-Za-z0-9]+/g, '_')}`,
    title: sobol ? `Sobol' indices of ${o.label}` : `Morris elementary effects of ${o.label}`,
    yLabel: sobol ? 'index (share of variance, 1)' : `effect (units of ${o.label})`,
    factors: o.names,
    bars,
    series,
    note: sobol
      ? `whiskers: 95 % bootstrap intervals; ${o.used} base samples used${o.dropped ? `, ${o.dropped} dropped (missing values)` : ''}`
      : `${o.used} trajectories used${o.dropped ? `, ${o.dropped} dropped (missing values)` : ''}`,
  };
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart as a standalone SVG document (also what the view shows). */
export function chartToSvg(c: BarChart): string {
  const W = 720;
  const H = 340;
  const m = { left: 70, right: 16, top: 40, bottom: 64 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const values = c.bars.flat().flatMap((b) => [b.value, b.lo ?? Number.NaN, b.hi ?? Number.NaN]);
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(0, ...finite);
  let hi = Math.max(0, ...finite);
  if (!(hi > lo)) hi = lo + 1;
  const ticks = linearTicks(lo, hi, 6);
  lo = Math.min(lo, ticks[0] ?? lo);
  hi = Math.max(hi, ticks[ticks.length - 1] ?? hi);
  const y = (v: number) => m.top + ph - ((v - lo) / (hi - lo)) * ph;
  const group = pw / Math.max(1, c.factors.length);
  const bw = Math.min(40, (group * 0.7) / Math.max(1, c.series.length));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${esc(c.title)}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.left}" y="18" font-size="14" font-weight="600">${esc(c.title)}</text>`,
  ];
  for (const t of ticks) {
    out.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${y(t)}" y2="${y(t)}" stroke="${t === 0 ? '#000' : '#ddd'}"/>`,
      `<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end">${esc(formatTick(t))}</text>`,
    );
  }
  out.push(
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
  );
  c.factors.forEach((f, i) => {
    const x0 = m.left + i * group + (group - bw * c.series.length) / 2;
    (c.bars[i] ?? []).forEach((b, s) => {
      const x = x0 + s * bw;
      if (Number.isFinite(b.value)) {
        const top = Math.min(y(b.value), y(0));
        const h = Math.abs(y(b.value) - y(0));
        out.push(
          `<rect x="${x + 1}" y="${top}" width="${bw - 2}" height="${Math.max(h, 0.5)}" fill="${b.color}"><title>${esc(`${f} ${b.series}: ${formatTick(b.value)}`)}</title></rect>`,
        );
      }
      if (b.lo !== undefined && b.hi !== undefined && Number.isFinite(b.lo) && Number.isFinite(b.hi)) {
        const cx = x + bw / 2;
        out.push(
          `<path d="M${cx} ${y(b.lo)}V${y(b.hi)}M${cx - bw / 4} ${y(b.lo)}H${cx + bw / 4}M${cx - bw / 4} ${y(b.hi)}H${cx + bw / 4}" stroke="#000" fill="none"/>`,
        );
      }
    });
    out.push(
      `<text x="${m.left + (i + 0.5) * group}" y="${m.top + ph + 16}" text-anchor="middle">${esc(f)}</text>`,
    );
  });
  c.series.forEach((s, k) => {
    const x = m.left + k * 150;
    out.push(
      `<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${x + 16}" y="${H - 12}">${esc(s.name)}</text>`,
    );
  });
  out.push(`<text x="${m.left + 2 * 150}" y="${H - 12}" fill="#555">${esc(c.note)}</text>`, '</svg>');
  return out.join('\n');
}

const csvCell = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(v));

export function chartToCsv(c: BarChart): string {
  const head = ['factor', ...c.series.flatMap((s) => [s.name, `${s.name} lo`, `${s.name} hi`])];
  const rows = c.factors.map((f, i) =>
    [f, ...(c.bars[i] ?? []).flatMap((b) => [csvCell(b.value), csvCell(b.lo), csvCell(b.hi)])].join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

function IndicesFigure(props: { output: IndicesJson; index: number }) {
  const { output: o } = props;
  if (o.error)
    return (
      <p class="error">
        {o.label}: no indices ({o.error})
      </p>
    );
  const c = indicesChart(o, props.index);
  const svg = chartToSvg(c);
  return (
    <figure class="plot" data-plot={c.id} aria-label={c.title}>
      <figcaption>
        <span class="plot-title">{c.title}</span>
        <span class="exports">
          <button
            type="button"
            aria-label={`Download ${c.title} as PNG`}
            onClick={async () => save(`${c.id}.png`, await svgToPng(svg))}
          >
            PNG
          </button>
          <button
            type="button"
            aria-label={`Download ${c.title} as SVG`}
            onClick={() => save(`${c.id}.svg`, svg, 'image/svg+xml')}
          >
            SVG
          </button>
          <button
            type="button"
            aria-label={`Download the data of ${c.title} as CSV`}
            onClick={() => save(`${c.id}.csv`, chartToCsv(c), 'text/csv')}
          >
            CSV
          </button>
        </span>
      </figcaption>
      {/* our own SVG document, every text in it escaped (esc) */}
      <div class="plot-host" dangerouslySetInnerHTML={{ __html: svg }} />
      <table class="indices">
        <caption>The numbers of the chart: {o.label}</caption>
        <thead>
          <tr>
            <th scope="col">factor</th>
            {c.series.map((s) => (
              <th scope="col" key={s.name}>
                {s.name}
                {o.method === 'sobol' ? ' [95 % CI]' : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {c.factors.map((f, i) => (
            <tr key={f}>
              <th scope="row">{f}</th>
              {(c.bars[i] ?? []).map((b) => (
                <td key={b.series}>
                  {Number.isFinite(b.value) ? formatTick(Number(b.value.toPrecision(3))) : 'n/a'}
                  {b.lo !== undefined && Number.isFinite(b.lo) && b.hi !== undefined && Number.isFinite(b.hi)
                    ? ` [${formatTick(Number(b.lo.toPrecision(3)))}, ${formatTick(Number(b.hi.toPrecision(3)))}]`
                    : ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

// ---------------------------------------------------------------------------------------------------------------

/** Layout without a stylesheet of this view's own (app.css is shared): one wrapping row of labelled fields. */
const ROW = { display: 'flex', flexWrap: 'wrap', gap: '0.4rem 0.6rem', alignItems: 'center' } as const;
const NARROW = { width: '6em' } as const;

const describeError = (e: ApiError) =>
  [
    e.error,
    ...(e.issues ?? []).map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`),
  ].join('; ');

const fmtRange = (f: FactorChoice) =>
  `${formatTick(f.lo)} – ${formatTick(f.hi)}${f.scale === 'log' ? ' (log)' : ''}`;

export function SensitivityView(props: { scenario: string }) {
  const [choices, setChoices] = useState<Choices | null>(null);
  const [choicesError, setChoicesError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [output, setOutput] = useState(PRESETS[0].value);
  const [agg, setAgg] = useState('');
  const [patients, setPatients] = useState('20');
  const [method, setMethod] = useState<'sobol' | 'morris'>('sobol');
  const [samples, setSamples] = useState('16');
  const [trajectories, setTrajectories] = useState('10');
  const [levels, setLevels] = useState('4');
  const [seed, setSeed] = useState('1');
  const [showAll, setShowAll] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const source = useRef<EventSource | null>(null);
  const current = useRef<string | null>(null);

  useEffect(() => () => source.current?.close(), []);

  // The factors this scenario's model can vary (with their ranges), fetched again when the scenario changes.
  useEffect(() => {
    let live = true;
    fetch('./api/sensitivity/factors', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: props.scenario }),
    })
      .then(async (r) => {
        const body = (await r.json()) as Choices & Partial<ApiError>;
        if (!live) return;
        if (!r.ok) {
          setChoicesError(describeError({ error: body.error ?? `HTTP ${r.status}`, issues: body.issues }));
          return;
        }
        setChoicesError(null);
        setChoices(body);
        setSelected((s) => {
          const known = new Set(body.factors.map((f) => f.name));
          const kept = s.filter((n) => known.has(n));
          return kept.length > 0 ? kept : body.defaults.filter((n) => known.has(n));
        });
      })
      .catch(() => {
        if (live)
          setChoicesError('No local server answers: sensitivity studies run on the server (exoniche serve).');
      });
    return () => {
      live = false;
    };
  }, [props.scenario]);

  const d = selected.length;
  const cohort = agg !== '';
  const nS = Number(samples);
  const nR = Number(trajectories);
  const points = method === 'sobol' ? nS * (d + 2) : nR * (d + 1);
  const sims = points * (cohort ? Number(patients) : 1);
  const outputText = `${output}${cohort ? `@${agg}` : ''}`;

  const start = async () => {
    const problems: string[] = [];
    if (d === 0) problems.push('choose at least one factor');
    if (method === 'sobol' && !(Number.isInteger(nS) && nS >= 2))
      problems.push('samples: a whole number >= 2');
    if (method === 'morris' && !(Number.isInteger(nR) && nR >= 2))
      problems.push('trajectories: a whole number >= 2');
    if (method === 'morris' && !(Number.isInteger(Number(levels)) && Number(levels) % 2 === 0))
      problems.push('levels: an even whole number');
    if (cohort && !(Number.isInteger(Number(patients)) && Number(patients) >= 1))
      problems.push('patients per point: a whole number >= 1');
    if (problems.length > 0) {
      setPhase({ kind: 'error', message: problems.join('; '), issues: [] });
      return;
    }
    setPhase({ kind: 'starting' });
    const body = {
      scenario: props.scenario,
      factors: selected.map((name) => ({ name })),
      outputs: [outputText],
      method,
      ...(method === 'sobol' ? { samples: nS } : { trajectories: nR, levels: Number(levels) }),
      ...(cohort ? { patients: Number(patients) } : {}),
      ...(seed ? { seed } : {}),
    };
    try {
      const r = await fetch('./api/sensitivity', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const res = (await r.json()) as { id?: string } & Partial<ApiError>;
      if (!r.ok || !res.id) {
        setPhase({
          kind: 'error',
          message: describeError({ error: res.error ?? `HTTP ${r.status}`, issues: res.issues }),
          issues: res.issues,
        });
        return;
      }
      const id = res.id;
      current.current = id;
      setPhase({ kind: 'running', id, done: 0, total: points });
      source.current = followRun<StudyJson>(id, () => current.current === id, {
        progress: (done, total) => setPhase((q) => (q.kind === 'running' ? { ...q, done, total } : q)),
        done: (study) => setPhase({ kind: 'done', study }),
        cancelled: () => setPhase({ kind: 'cancelled' }),
        failed: (message) => setPhase({ kind: 'error', message, issues: [] }),
      });
    } catch (e) {
      setPhase({ kind: 'error', message: e instanceof Error ? e.message : String(e), issues: [] });
    }
  };

  const cancel = async () => {
    if (phase.kind !== 'running') return;
    const id = phase.id;
    source.current?.close();
    setPhase({ kind: 'cancelling' });
    const status = await cancelRun(id);
    if (current.current !== id) return;
    current.current = null;
    setPhase(
      status < 300
        ? { kind: 'cancelled' }
        : { kind: 'error', message: `cancel failed: HTTP ${status}`, issues: [] },
    );
  };

  const busy = phase.kind === 'running' || phase.kind === 'starting' || phase.kind === 'cancelling';
  const issueFor = (prefix: string) =>
    phase.kind === 'error' ? (phase.issues ?? []).filter((i) => i.path.startsWith(prefix)) : [];
  const core = new Set(choices?.defaults ?? []);
  const listed = (choices?.factors ?? []).filter(
    (f) => showAll || core.has(f.name) || selected.includes(f.name),
  );

  return (
    <div class="sensitivity">
      {choicesError ? (
        <p class="error" role="alert">
          {choicesError}
        </p>
      ) : null}
      <form
        aria-label="Sensitivity study"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <fieldset class="factors" style={{ marginBottom: '0.6rem' }}>
          <legend>Factors (ranges from the knowledge base)</legend>
          {choices === null && !choicesError ? <p>loading the scenario's parameters…</p> : null}
          {listed.map((f) => (
            <div key={f.name}>
              <input
                type="checkbox"
                id={`factor-${f.name}`}
                checked={selected.includes(f.name)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  setSelected((s) => (on ? [...s, f.name] : s.filter((n) => n !== f.name)));
                }}
              />{' '}
              <label for={`factor-${f.name}`} title={f.source}>
                {f.name} <span class="hint">{fmtRange(f)}</span>
              </label>
            </div>
          ))}
          {choices ? (
            <button type="button" onClick={() => setShowAll((v) => !v)} aria-expanded={showAll}>
              {showAll ? 'Show the Hähnel core only' : `Show all ${choices.factors.length} parameters`}
            </button>
          ) : null}
          {issueFor('factors').map((i) => (
            <p class="field-error" key={i.path}>
              {i.path}: {i.message}
            </p>
          ))}
        </fieldset>
        <div class="study-options" style={ROW}>
          <label for="sens-output">output</label>
          <select
            id="sens-output"
            value={output}
            onChange={(e) => setOutput((e.target as HTMLSelectElement).value)}
          >
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            {(choices?.columns ?? [])
              .filter((c) => !PRESETS.some((p) => p.value === c))
              .map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
          </select>
          <label for="sens-agg">over</label>
          <select id="sens-agg" value={agg} onChange={(e) => setAgg((e.target as HTMLSelectElement).value)}>
            {AGGREGATES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
          {cohort ? (
            <TextField
              id="sens-patients"
              label="patients per point"
              value={patients}
              onValue={setPatients}
              numeric
              style={NARROW}
            />
          ) : null}
          <label for="sens-method">method</label>
          <select
            id="sens-method"
            value={method}
            onChange={(e) => setMethod((e.target as HTMLSelectElement).value as 'sobol' | 'morris')}
          >
            <option value="sobol">Sobol' (variance shares)</option>
            <option value="morris">Morris (screening)</option>
          </select>
          {method === 'sobol' ? (
            <TextField
              id="sens-samples"
              label="base samples"
              value={samples}
              onValue={setSamples}
              numeric
              style={NARROW}
            />
          ) : (
            <>
              <TextField
                id="sens-trajectories"
                label="trajectories"
                value={trajectories}
                onValue={setTrajectories}
                numeric
                style={NARROW}
              />
              <TextField
                id="sens-levels"
                label="levels"
                value={levels}
                onValue={setLevels}
                numeric
                style={NARROW}
              />
            </>
          )}
          <TextField id="sens-seed" label="seed" value={seed} onValue={setSeed} style={NARROW} />
          <button type="submit" disabled={busy || choices === null}>
            Start study
          </button>
          <button type="button" onClick={cancel} disabled={phase.kind !== 'running'}>
            Cancel study
          </button>
        </div>
        <p class="hint" data-testid="sensitivity-size">
          {Number.isFinite(points) && points > 0
            ? `${points} design points${cohort ? ` × ${patients} patients = ${sims} simulations` : ''} on the server`
            : ''}
        </p>
      </form>
      <div aria-live="polite" data-testid="sensitivity-status">
        {phase.kind === 'starting' ? <p>planning…</p> : null}
        {phase.kind === 'running' ? (
          <p>
            <label for="sens-progress">
              {phase.done} of {phase.total} design points
            </label>{' '}
            <progress id="sens-progress" max={phase.total} value={phase.done} />
          </p>
        ) : null}
        {phase.kind === 'cancelling' ? <p>cancelling…</p> : null}
        {phase.kind === 'cancelled' ? <p>cancelled</p> : null}
        {phase.kind === 'error' ? <p class="error">{phase.message}</p> : null}
        {phase.kind === 'done' ? (
          <p>
            done: {phase.study.method}; {phase.study.designPoints} design points
            {phase.study.failedPoints > 0 ? `, ${phase.study.failedPoints} with failed runs` : ''}
          </p>
        ) : null}
      </div>
      {phase.kind === 'done'
        ? phase.study.outputs.map((o, k) => <IndicesFigure key={o.label} output={o} index={k} />)
        : null}
    </div>
  );
}
