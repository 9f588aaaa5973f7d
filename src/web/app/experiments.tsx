/**
 * The Experiments view: the virtual experiments of src/experiments (listed by the Worker from the registry), each
 * runnable in the Worker, with the expected read-out beside the simulated one and pass / fail per check.
 */
import { useState } from 'preact/hooks';
import type { ExperimentResult } from '../../experiments/types.js';
import type { DashboardMeta } from '../meta.js';
import type { EngineClient } from './client.js';

const fmt = (v: number | readonly number[] | null) =>
  v === null
    ? '—'
    : typeof v === 'number'
      ? `${+v.toPrecision(4)}`
      : v.map((x) => `${+x.toPrecision(3)}`).join(', ');

export function ExperimentsView(props: { client: EngineClient; meta: DashboardMeta }) {
  const [results, setResults] = useState<Record<string, ExperimentResult | string>>({});
  const [running, setRunning] = useState<string | null>(null);
  const run = async (id: string) => {
    setRunning(id);
    try {
      const r = await props.client.request({ kind: 'experiment', experiment: id });
      setResults((x) => ({ ...x, [id]: r }));
    } catch (e) {
      setResults((x) => ({ ...x, [id]: e instanceof Error ? e.message : String(e) }));
    } finally {
      setRunning(null);
    }
  };
  return (
    <div class="experiments">
      <p>
        Virtual experiments re-create published set-ups on the niche model. Each check compares the study's
        read-out (expected) with the simulated one; [R] targets are recalled, not verified, and do not count.
      </p>
      {props.meta.experiments.map((e) => {
        const r = results[e.id];
        return (
          <article key={e.id} class="experiment" data-experiment={e.id} aria-labelledby={`exp-${e.id}`}>
            <h3 id={`exp-${e.id}`}>
              {e.id}: {e.title}
            </h3>
            <p class="meta">
              {e.setting}; study {e.study}
              {e.ref ? ` — ${e.ref.citation}` : ''}
            </p>
            <details>
              <summary>protocol and mapping onto the model</summary>
              <p>{e.protocol}</p>
              <p>{e.mapping}</p>
            </details>
            <button
              type="button"
              onClick={() => run(e.id)}
              disabled={running !== null}
              aria-busy={running === e.id}
            >
              {running === e.id ? 'running…' : `Run ${e.id}`}
            </button>
            {typeof r === 'string' ? <p class="error">{r}</p> : null}
            {r && typeof r !== 'string' ? (
              <>
                <p class={`verdict ${r.status.replace(/ /g, '-')}`} data-testid={`verdict-${e.id}`}>
                  {r.status === 'pass' ? '✓ pass' : r.status === 'fail' ? '✗ fail' : '○ not reproducible'} (
                  {r.seconds.toFixed(2)} s)
                </p>
                <table>
                  <caption>Expected versus simulated read-outs of {e.id}</caption>
                  <thead>
                    <tr>
                      <th scope="col">read-out</th>
                      <th scope="col">expected</th>
                      <th scope="col">simulated</th>
                      <th scope="col">evidence</th>
                      <th scope="col">result</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.checks.map((c) => (
                      <tr key={c.id}>
                        <td>
                          {c.statement}
                          <br />
                          <small>{c.measure}</small>
                        </td>
                        <td>{c.expected}</td>
                        <td>{fmt(c.obtained)}</td>
                        <td>{c.evidence}</td>
                        <td class={c.status.replace(/ /g, '-')}>
                          {c.status}
                          {c.detail ? (
                            <>
                              <br />
                              <small>{c.detail}</small>
                            </>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
          </article>
        );
      })}
    </div>
  );
}
