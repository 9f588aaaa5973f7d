/**
 * Following a server run (cohort or sensitivity study) from the page: the server-sent events of
 * `GET /api/runs/:id/events` (docs/dashboard.md) turned into callbacks, and the cancel request. One home for the
 * event names and payloads that the Cohort and Sensitivity views share.
 */

export interface RunHandlers<S> {
  progress(done: number, total: number): void;
  done(summary: S): void;
  cancelled(): void;
  /** The run failed on the server (an `error` event with a message). */
  failed(message: string): void;
}

/**
 * Opens the event stream of run `id`; handlers are called only while `isCurrent()` holds (a cancelled or replaced
 * run's late events are ignored). Returns the EventSource so the caller can close it.
 */
export function followRun<S>(id: string, isCurrent: () => boolean, h: RunHandlers<S>): EventSource {
  const es = new EventSource(`./api/runs/${encodeURIComponent(id)}/events`);
  const data = (e: Event) => JSON.parse((e as MessageEvent).data as string);
  es.addEventListener('progress', (e) => {
    const d = data(e) as { done: number; total: number };
    if (isCurrent()) h.progress(d.done, d.total);
  });
  es.addEventListener('done', (e) => {
    es.close();
    if (isCurrent()) h.done((data(e) as { summary: S }).summary);
  });
  es.addEventListener('cancelled', () => {
    es.close();
    if (isCurrent()) h.cancelled();
  });
  // An `error` event with data is the server's; one without is the connection (EventSource reconnects by itself).
  es.addEventListener('error', (e) => {
    if (typeof (e as MessageEvent).data !== 'string') return;
    es.close();
    if (isCurrent()) h.failed((data(e) as { error: string }).error);
  });
  return es;
}

/** Asks the server to cancel run `id`; resolves to the HTTP status (204 when the run's workers have stopped). */
export async function cancelRun(id: string): Promise<number> {
  return (await fetch(`./api/runs/${encodeURIComponent(id)}`, { method: 'DELETE' })).status;
}
