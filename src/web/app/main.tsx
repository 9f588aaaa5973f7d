/**
 * Entry of the dashboard page (dist-web/app.js): starts the engine Worker, asks it for the knowledge base's
 * channels, citations and experiments, reads a shared scenario from the URL hash (#s=...) and renders the App.
 */
import { render } from 'preact';
import { App } from './app.js';
import { EngineClient } from './client.js';
import { decodeScenarioHash } from './share.js';

async function start() {
  window.__exoniche = { runs: 0, redraws: [] };
  const root = document.getElementById('app');
  if (!root) throw new Error('index.html has no #app element');
  const client = new EngineClient(new URL('./worker.js', import.meta.url).href);
  const meta = await client.request({ kind: 'meta' });
  let scenario = meta.defaultScenario;
  let note: string | undefined;
  try {
    scenario = (await decodeScenarioHash(location.hash)) ?? scenario;
  } catch (e) {
    note = `${e instanceof Error ? e.message : String(e)}; showing the default scenario`;
  }
  root.textContent = '';
  render(<App client={client} meta={meta} initialScenario={scenario} {...(note ? { note } : {})} />, root);
}

start().catch((e: unknown) => {
  const root = document.getElementById('app');
  if (root) root.textContent = `The dashboard could not start: ${e instanceof Error ? e.message : String(e)}`;
  window.__exoniche = { runs: 0, redraws: [], error: String(e) };
});
