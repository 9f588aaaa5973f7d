/**
 * Cohort view: a virtual cohort of the current scenario on the local server (POST /api/cohorts), live progress
 * from its event stream (GET /api/cohorts/:id/events), a Cancel button (DELETE) and the cumulative-incidence
 * curves of the summary. Compare view: two scenarios (arms) run in the Worker and overlaid.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PlotData } from '../engine.js';
import type { DashboardMeta } from '../meta.js';
import type { EngineClient } from './client.js';
import { type CohortSummaryJson, compareSpecs, incidenceSpec } from './cohort-spec.js';
import { Plot } from './plot.js';
import { cancelRun, followRun } from './run-events.js';
import { TextField } from './text-field.js';

type Phase =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'running'; id: string; done: number; total: number }
  | { kind: 'done'; summary: CohortSummaryJson }
  | { kind: 'cancelling' }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };

interface ApiError {
  error: string;
  issues?: { path: string; line?: number; message: string }[];
}

const describe = (e: ApiError) =>
  [
    e.error,
    ...(e.issues ?? []).map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`),
  ].join('; ');

export function CohortView(props: { scenario: string; meta: DashboardMeta }) {
  const [patients, setPatients] = useState('20');
  const [seed, setSeed] = useState('1');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [server, setServer] = useState<'checking' | 'yes' | 'no'>('checking');
  const source = useRef<EventSource | null>(null);
  /** Id of the run this view follows. */
  const current = useRef<string | null>(null);

  useEffect(() => {
    fetch('./api/health')
      .then((r) => setServer(r.ok ? 'yes' : 'no'))
      .catch(() => setServer('no'));
    return () => source.current?.close();
  }, []);

  const start = async () => {
    const n = Number(patients);
    if (!Number.isInteger(n) || n < 1) {
      setPhase({ kind: 'error', message: 'patients: a whole number >= 1' });
      return;
    }
    setPhase({ kind: 'starting' });
    try {
      const r = await fetch('./api/cohorts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: props.scenario, patients: n, ...(seed ? { seed } : {}) }),
      });
      const body = (await r.json()) as { id?: string } & Partial<ApiError>;
      if (!r.ok || !body.id) {
        setPhase({
          kind: 'error',
          message: describe({
            error: body.error ?? `HTTP ${r.status}`,
            ...(body.issues ? { issues: body.issues } : {}),
          }),
        });
        return;
      }
      const id = body.id;
      current.current = id;
      setPhase({ kind: 'running', id, done: 0, total: n });
      source.current = followRun<CohortSummaryJson>(id, () => current.current === id, {
        progress: (done, total) => setPhase((p) => (p.kind === 'running' ? { ...p, done, total } : p)),
        done: (summary) => setPhase({ kind: 'done', summary }),
        cancelled: () => setPhase({ kind: 'cancelled' }),
        failed: (message) => setPhase({ kind: 'error', message }),
      });
    } catch (e) {
      setPhase({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  };

  /** Stops listening at once; the view says 'cancelled' when the server confirms (DELETE answered 204). */
  const cancel = async () => {
    if (phase.kind !== 'running') return;
    const id = phase.id;
    source.current?.close();
    setPhase({ kind: 'cancelling' });
    const status = await cancelRun(id);
    if (current.current !== id) return;
    current.current = null;
    setPhase(
      status < 300 ? { kind: 'cancelled' } : { kind: 'error', message: `cancel failed: HTTP ${status}` },
    );
  };

  return (
    <div class="cohort">
      {server === 'no' ? (
        <p class="error" role="alert">
          No local server answers /api/health: cohorts run on the server (start it with{' '}
          <code>exoniche serve</code>).
        </p>
      ) : null}
      <form
        aria-label="Virtual cohort"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <TextField id="cohort-patients" label="patients" value={patients} onValue={setPatients} numeric />
        <TextField id="cohort-seed" label="seed" value={seed} onValue={setSeed} />
        <button
          type="submit"
          disabled={
            phase.kind === 'running' ||
            phase.kind === 'starting' ||
            phase.kind === 'cancelling' ||
            server === 'no'
          }
        >
          Start cohort
        </button>
        <button type="button" onClick={cancel} disabled={phase.kind !== 'running'}>
          Cancel
        </button>
      </form>
      <div aria-live="polite" data-testid="cohort-status">
        {phase.kind === 'starting' ? <p>starting…</p> : null}
        {phase.kind === 'running' ? (
          <p>
            <label for="cohort-progress">
              {phase.done} of {phase.total} patients
            </label>{' '}
            <progress id="cohort-progress" max={phase.total} value={phase.done} />
          </p>
        ) : null}
        {phase.kind === 'cancelling' ? <p>cancelling…</p> : null}
        {phase.kind === 'cancelled' ? <p>cancelled</p> : null}
        {phase.kind === 'error' ? <p class="error">{phase.message}</p> : null}
        {phase.kind === 'done' ? (
          <p>
            done: {phase.summary.n} patients ({phase.summary.failed} failed)
          </p>
        ) : null}
      </div>
      {phase.kind === 'done' ? <Plot spec={incidenceSpec(phase.summary)} /> : null}
      <p class="legend-note">
        The cohort runs the scenario shown in the Scenario tab ({props.meta.channels.length} channels in the
        knowledge base).
      </p>
    </div>
  );
}

/** Series overlaid in the Compare view. */
const COMPARED = ['bcr_abl_is', 'X', 'Y', 'vasc'];

export function CompareView(props: { client: EngineClient; meta: DashboardMeta; scenario: string }) {
  const [b, setB] = useState(props.scenario.replace(/^name: .*$/m, 'name: arm-b'));
  const [runs, setRuns] = useState<[PlotData, PlotData] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const ra = await props.client.request({ kind: 'run', scenario: props.scenario });
      const rb = await props.client.request({ kind: 'run', scenario: b });
      setRuns([ra, rb]);
    } catch (e) {
      setError(`arm B: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="compare">
      <p>Arm A is the current scenario (Scenario tab). Edit arm B below, then run both.</p>
      <label for="arm-b">Arm B scenario YAML</label>
      <textarea
        id="arm-b"
        rows={14}
        spellcheck={false}
        value={b}
        onInput={(e) => setB((e.target as HTMLTextAreaElement).value)}
      />
      <button type="button" onClick={go} disabled={busy}>
        {busy ? 'running…' : 'Run both arms'}
      </button>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {runs ? compareSpecs(runs[0], runs[1], COMPARED).map((s) => <Plot key={s.id} spec={s} />) : null}
    </div>
  );
}
