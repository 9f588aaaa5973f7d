/**
 * `npx tsx bench/niche.ts`: wall time of the niche model, 6 years of daily imatinib 400 mg with two resistant
 * clones (the set-up of test/niche/performance.test.ts): build from the knowledge base, compile, solve.
 * Median of 15 runs after 3 warm-up runs, per stiff method.
 */
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { compileModel } from '../src/models/compile/index.js';
import { simulateModel } from '../src/models/simulate.js';
import { buildNiche, type NicheOptions } from '../src/niche/index.js';

const kb = loadKnowledgeBase();
const options: NicheOptions = {
  clones: ['T315I', 'E255K'],
  tki: {
    kind: 'schedule',
    horizonMonths: 72,
    schedule: { drug: 'imatinib', dose: 400, intervalHours: 24, start: 0 },
  },
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const method of ['rodas5p', 'bdf']) {
  const build: number[] = [];
  const compile: number[] = [];
  const solve: number[] = [];
  for (let i = 0; i < 18; i++) {
    const t0 = performance.now();
    const nm = buildNiche(options, kb);
    const t1 = performance.now();
    const c = compileModel(nm.model);
    const t2 = performance.now();
    const r = simulateModel(c, { method, tEnd: 72, saveat: 1, rtol: 1e-6, atol: 1e-6 });
    const t3 = performance.now();
    if (r.retcode !== 'Success') throw new Error(`${method}: ${r.retcode}`);
    if (i < 3) continue;
    build.push(t1 - t0);
    compile.push(t2 - t1);
    solve.push(t3 - t2);
  }
  const [b, c, s] = [median(build), median(compile), median(solve)];
  console.log(
    `${method.padEnd(8)} build ${b.toFixed(1)} ms  compile ${c.toFixed(1)} ms  solve ${s.toFixed(1)} ms  total ${(b + c + s).toFixed(1)} ms`,
  );
}
