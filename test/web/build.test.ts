/**
 * scripts/build-web.ts: the browser bundles build without Node built-ins, carry the knowledge base, and a Node
 * built-in anywhere in the import graph fails the build with the importing file named.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWeb, noNodeBuiltins } from '../../scripts/build-web.js';

describe('build-web', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-build-web-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the engine, the worker (with the knowledge base inside) and the dashboard page', async () => {
    const r = await buildWeb({ outdir: dir, minify: false });
    expect(r.files.map((f) => f.path.split('/').pop()).sort()).toEqual([
      'app.css',
      'app.js',
      'engine.js',
      'index.html',
      'snapshot-worker.js',
      'worker.js',
    ]);
    const worker = readFileSync(join(dir, 'worker.js'), 'utf8');
    const engine = readFileSync(join(dir, 'engine.js'), 'utf8');
    const app = readFileSync(join(dir, 'app.js'), 'utf8');
    for (const text of [engine, worker, app, readFileSync(join(dir, 'snapshot-worker.js'), 'utf8')]) {
      expect(text).not.toMatch(/["']node:/);
      expect(text).not.toMatch(/\brequire\(/);
    }
    // The bundled texts: a knowledge-base key and a reference model.
    expect(worker).toContain('hahnel2020.patient01');
    expect(worker).toContain('michor2005');
    expect(engine).toContain('prepareEngine');
    // The page: its module script and style sheet (with uPlot's), and no knowledge-base texts in app.js.
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('src="./app.js"');
    expect(html).toContain('href="./app.css"');
    expect(readFileSync(join(dir, 'app.css'), 'utf8')).toContain('.uplot');
    expect(app).not.toContain('hahnel2020.patient01');
    // Arrow (the snapshot decoder) only in the snapshot Worker, which the Spatial tab creates when a run is opened.
    const snapWorker = readFileSync(join(dir, 'snapshot-worker.js'), 'utf8');
    expect(snapWorker).toContain('exoniche-agents');
    expect(snapWorker).toMatch(/RecordBatch/);
    for (const text of [app, worker, engine]) expect(text).not.toMatch(/RecordBatch/);
    expect(app).toContain('snapshot-worker.js');
    // Engine and worker only, on request.
    const only = await buildWeb({ outdir: join(dir, 'engine-only'), app: false });
    expect(only.files.map((f) => f.path.split('/').pop()).sort()).toEqual(['engine.js', 'worker.js']);
  }, 60_000);

  it('fails on a node: import and names the importing file', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      join(dir, 'uses-fs.ts'),
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
    );
    writeFileSync(entry, "export { f } from './uses-fs.js';\n");
    await expect(
      build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        platform: 'browser',
        format: 'esm',
        logLevel: 'silent',
        plugins: [noNodeBuiltins],
      }),
    ).rejects.toThrow(/Node built-in 'node:fs' imported by .*uses-fs\.ts/);
  });
});
