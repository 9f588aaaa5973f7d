/**
 * The dashboard (issue #10): one scenario (YAML text) shared by every view. A change from any view (slider, map,
 * form, YAML) replaces the text; the App validates and re-runs it in the Web Worker (latest request wins) and
 * keeps the last good run on screen while a new one is computed or when the text is invalid.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { PlotData } from '../engine.js';
import type { DashboardMeta } from '../meta.js';
import { type EngineClient, Superseded, WorkerError } from './client.js';
import { CohortView, CompareView } from './cohort.js';
import { CrosstalkMap } from './crosstalk.js';
import { Editor } from './editor.js';
import { ExperimentsView } from './experiments.js';
import { Results } from './results.js';
import { type Path, setIn } from './scenario-doc.js';
import { SensitivityView } from './sensitivity.js';
import { encodeScenarioHash } from './share.js';
import { SpatialView } from './spatial.js';
import { Tabs } from './tabs.js';

const TABS = [
  { id: 'results', label: 'Results' },
  { id: 'map', label: 'Crosstalk map' },
  { id: 'editor', label: 'Scenario' },
  { id: 'experiments', label: 'Experiments' },
  { id: 'cohort', label: 'Cohort' },
  { id: 'compare', label: 'Compare' },
  { id: 'sensitivity', label: 'Sensitivity' },
  { id: 'spatial', label: 'Spatial' },
] as const;

/** What the e2e test and the benchmark read: the slider -> redraw times measured in the page. */
export interface DashboardProbe {
  runs: number;
  lastRun?: { name: string; bcrAblMax: number; bcrAblEnd: number; parameterHash: string; engineMs: number };
  redraws: { redrawMs: number; engineMs: number }[];
  error?: string;
}

declare global {
  interface Window {
    __exoniche: DashboardProbe;
  }
}

export function App(props: {
  client: EngineClient;
  meta: DashboardMeta;
  initialScenario: string;
  note?: string;
}) {
  const { client, meta } = props;
  const [tab, setTab] = useState<string>('results');
  const [scenario, setScenario] = useState(props.initialScenario);
  const [run, setRun] = useState<PlotData | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [diagnostics, setDiagnostics] = useState<WorkerError['diagnostics']>([]);
  const [timing, setTiming] = useState<{ redrawMs: number; engineMs: number } | null>(null);
  const [base, setBase] = useState<Record<string, { value: number; units?: string; note?: string }>>({});
  const runLatest = useRef(client.latest<'run'>()).current;
  /** Start of the slider step being measured, and the engine time of its run. */
  const pending = useRef<{ t0: number; engineMs?: number; lastDraw?: number } | null>(null);

  const simulate = useCallback(
    (text: string) => {
      setBusy(true);
      runLatest({ kind: 'run', scenario: text }).then(
        (d) => {
          setBusy(false);
          setError(null);
          setDiagnostics([]);
          setRun(d);
          if (pending.current) pending.current.engineMs = d.timings.totalMs;
          const bcr = d.series.find((s) => s.group === 'bcr-abl');
          window.__exoniche.runs++;
          window.__exoniche.lastRun = {
            name: d.name,
            bcrAblMax: bcr ? Math.max(...bcr.values) : Number.NaN,
            bcrAblEnd: bcr ? bcr.values[bcr.values.length - 1] : Number.NaN,
            parameterHash: d.parameterHash,
            engineMs: d.timings.totalMs,
          };
          // Knowledge-base values of the parameter sliders (an overridden one names it in its note).
          setBase((b) => {
            const next = { ...b };
            for (const p of d.parameters) {
              if (p.id in next) continue;
              const kbValue = /scenario override \(knowledge base: ([^)]+)\)/.exec(p.note ?? '')?.[1];
              const value = kbValue === undefined ? p.value : Number(kbValue);
              if (Number.isFinite(value))
                next[p.id] = {
                  value,
                  ...(p.units ? { units: p.units } : {}),
                  ...(p.note ? { note: p.note.split(';')[0] } : {}),
                };
            }
            return next;
          });
        },
        (e: unknown) => {
          if (e instanceof Superseded) return;
          setBusy(false);
          pending.current = null;
          const msg = e instanceof Error ? e.message : String(e);
          setError(msg);
          setDiagnostics(e instanceof WorkerError ? e.diagnostics : []);
          window.__exoniche.error = msg;
        },
      );
    },
    [runLatest],
  );

  // The text last set, so that edits in one task compose; a change runs at once (no wait for an effect/paint).
  const current = useRef(scenario);
  const update = useCallback(
    (text: string) => {
      if (text === current.current) return;
      current.current = text;
      setScenario(text);
      simulate(text);
    },
    [simulate],
  );
  useEffect(() => simulate(current.current), []);

  /** After the plots drew a run that a slider asked for: slider -> redraw time (all plots, in this task). */
  const onDrawn = useCallback(() => {
    const p = pending.current;
    if (!p || p.engineMs === undefined) return;
    if (p.lastDraw === undefined)
      setTimeout(() => {
        const q = pending.current;
        if (!q || q.lastDraw === undefined || q.engineMs === undefined) return;
        const r = { redrawMs: q.lastDraw - q.t0, engineMs: q.engineMs };
        pending.current = null;
        window.__exoniche.redraws.push(r);
        setTiming(r);
      }, 0);
    p.lastDraw = performance.now();
  }, []);

  const edit = useCallback(
    (path: Path, value: unknown) => {
      try {
        update(setIn(current.current, path, value));
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [update],
  );

  const onSlide = useCallback(
    (path: Path, value: unknown) => {
      pending.current = { t0: performance.now() };
      edit(path, value);
    },
    [edit],
  );

  const share = useCallback(async () => {
    const hash = await encodeScenarioHash(scenario);
    history.replaceState(null, '', `#${hash}`);
    return location.href;
  }, [scenario]);

  return (
    <>
      <header>
        <h1>exoniche</h1>
        <p>CML bone-marrow niche: ask “what if” and see the answer with the sources behind it.</p>
        {props.note ? (
          <p class="error" role="alert">
            {props.note}
          </p>
        ) : null}
      </header>
      <main>
        <Tabs tabs={TABS} selected={tab} onSelect={setTab} label="Dashboard views">
          {(id) => {
            switch (id) {
              case 'results':
                return (
                  <Results
                    run={run}
                    meta={meta}
                    scenario={scenario}
                    base={base}
                    busy={busy}
                    error={error}
                    timing={timing}
                    onSlide={onSlide}
                    onReset={() => update(meta.defaultScenario)}
                    onDrawn={onDrawn}
                  />
                );
              case 'map':
                return <CrosstalkMap meta={meta} scenario={scenario} run={run} busy={busy} onEdit={edit} />;
              case 'editor':
                return (
                  <Editor
                    client={client}
                    scenario={scenario}
                    runDiagnostics={diagnostics}
                    onChange={update}
                    onShare={share}
                  />
                );
              case 'experiments':
                return <ExperimentsView client={client} meta={meta} />;
              case 'cohort':
                return <CohortView scenario={scenario} meta={meta} />;
              case 'sensitivity':
                return <SensitivityView scenario={scenario} />;
              case 'spatial':
                return <SpatialView client={client} />;
              default:
                return <CompareView client={client} meta={meta} scenario={scenario} />;
            }
          }}
        </Tabs>
      </main>
    </>
  );
}
