/**
 * Bundles the browser engine (issue #10) with esbuild for platform 'browser':
 *   dist-web/engine.js  the pure API (prepareEngine) as an ES module; the caller supplies the knowledge-base texts;
 *   dist-web/worker.js  the Web Worker (src/web/worker.ts) with the knowledge base embedded;
 *   dist-web/app.js     the dashboard page (src/web/app, preact + uPlot), with index.html and app.css (the app's
 *                       style sheet followed by uPlot's);
 *   dist-web/snapshot-worker.js  the Worker that decodes the snapshot files of a CLI spatial run (apache-arrow),
 *                       created by the Spatial tab only when a run is opened: Arrow stays out of app.js and worker.js
 *                       without code splitting (every file is a self-contained module, so dist-web stays a plain
 *                       static folder).
 *
 * The knowledge base is embedded as text by a virtual module (`exoniche:web-data`) that reads data/knowledge/*.yaml
 * and models/reference/*.exm at build time, rather than a generated JSON checked in beside the source: there is
 * no second copy to go stale, and the browser parses the YAML with the same loader (schema checks, positions,
 * cross-references) as Node. The build fails on any Node built-in import (`node:*` or a bare built-in name),
 * naming the importing file: the engine must stay browser-pure.
 *
 *   npx tsx scripts/build-web.ts [--outdir dist-web] [--no-minify]
 */

import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { REFERENCE_MODELS } from '../src/knowledge/reference-catalogue.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface WebBuildResult {
  readonly files: readonly { path: string; bytes: number }[];
  readonly ms: number;
}

/** data/knowledge/*.yaml (sorted, recursively, as loadKnowledgeBase reads them) and the reference-model texts. */
export function webDataTexts(root = ROOT) {
  const dir = join(root, 'data/knowledge');
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true })
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : /\.ya?ml$/i.test(e.name) ? [join(d, e.name)] : [],
      );
  return {
    knowledge: walk(dir).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') })),
    referenceModels: Object.fromEntries(
      REFERENCE_MODELS.map((m) => [
        m.name,
        readFileSync(join(root, 'models/reference', `${m.name}.exm`), 'utf8'),
      ]),
    ),
  };
}

const BUILTINS = new Set(builtinModules);

/** Fails the build on Node built-ins, with the importing file. */
export const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/^node:/, '').split('/')[0];
      if (args.path.startsWith('node:') || (BUILTINS.has(bare) && !args.path.startsWith('.')))
        return {
          errors: [
            {
              text: `Node built-in '${args.path}' imported by ${relative(ROOT, args.importer) || args.importer}: the web engine must not use Node-only modules (split the file into a pure part and a Node part)`,
            },
          ],
        };
      return undefined;
    });
  },
};

/**
 * src/knowledge/load.ts (Node: reads the folder) -> src/web/knowledge-load.browser.ts (same exports, no files),
 * for the modules that import the Node loader only for a default they never reach in the engine.
 */
const browserSubstitutes: Plugin = {
  name: 'browser-substitutes',
  setup(b) {
    const nodeLoader = join(ROOT, 'src/knowledge/load');
    b.onResolve({ filter: /\/load\.js$/ }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '');
      return target === nodeLoader ? { path: join(ROOT, 'src/web/knowledge-load.browser.ts') } : undefined;
    });
  },
};

/** `exoniche:web-data` -> an ES module exporting the knowledge-base texts. */
const webData: Plugin = {
  name: 'exoniche-web-data',
  setup(b) {
    b.onResolve({ filter: /^exoniche:web-data$/ }, () => ({ path: 'web-data', namespace: 'exoniche' }));
    b.onLoad({ filter: /.*/, namespace: 'exoniche' }, () => ({
      contents: `export const TEXTS = ${JSON.stringify(webDataTexts())};`,
      loader: 'js',
    }));
  },
};

/**
 * Builds dist-web/engine.js, worker.js, app.js, index.html and app.css (each written atomically). Throws on a build
 * error. `app: false` builds only the engine and the worker.
 */
export async function buildWeb(
  options: { outdir?: string; minify?: boolean; app?: boolean } = {},
): Promise<WebBuildResult> {
  const t0 = performance.now();
  const outdir = resolve(options.outdir ?? join(ROOT, 'dist-web'));
  const withApp = options.app ?? true;
  const result = await build({
    entryPoints: {
      engine: join(ROOT, 'src/web/engine.ts'),
      worker: join(ROOT, 'src/web/worker.ts'),
      ...(withApp
        ? {
            app: join(ROOT, 'src/web/app/main.tsx'),
            'snapshot-worker': join(ROOT, 'src/web/app/snapshot-worker.ts'),
          }
        : {}),
    },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: false,
    write: false,
    logLevel: 'silent',
    plugins: [browserSubstitutes, noNodeBuiltins, webData],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files: { path: string; bytes: number }[] = [];
  for (const f of result.outputFiles) {
    // A Node-only reference that slipped past resolution (e.g. a require of a built-in in a dependency).
    if (/\b(?:require|import)\s*\(\s*["']node:/.test(f.text) || /\bfrom\s*["']node:/.test(f.text))
      throw new Error(`${relative(ROOT, f.path)}: the bundle still imports a node: module`);
    writeFileAtomic(f.path, f.contents);
    files.push({ path: f.path, bytes: f.contents.length });
  }
  if (withApp) {
    const statics: [string, string][] = [
      ['index.html', readFileSync(join(ROOT, 'src/web/app/index.html'), 'utf8')],
      [
        'app.css',
        `${readFileSync(join(ROOT, 'src/web/app/app.css'), 'utf8')}\n${readFileSync(join(ROOT, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8')}\n`,
      ],
    ];
    for (const [name, text] of statics) {
      const path = join(outdir, name);
      writeFileAtomic(path, text);
      files.push({ path, bytes: Buffer.byteLength(text) });
    }
  }
  return { files, ms: performance.now() - t0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--outdir');
  buildWeb({ ...(at >= 0 ? { outdir: argv[at + 1] } : {}), minify: !argv.includes('--no-minify') }).then(
    (r) => {
      for (const f of r.files)
        console.log(`${relative(process.cwd(), f.path)}  ${(f.bytes / 1024).toFixed(0)} KiB`);
      console.log(`built in ${r.ms.toFixed(0)} ms`);
    },
    (e: Error) => {
      console.error(`build-web: ${e.message}`);
      process.exit(1);
    },
  );
}
