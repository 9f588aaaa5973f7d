/**
 * The knowledge base bundled into the web build: scripts/build-web.ts resolves this module to the texts of
 * data/knowledge/*.yaml and models/reference/*.exm at build time (esbuild plugin), so the browser parses the
 * same files with the same loader as Node.
 */
declare module 'exoniche:web-data' {
  import type { EngineTexts } from './engine.js';
  export const TEXTS: EngineTexts;
}
