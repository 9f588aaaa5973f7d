/**
 * Web engine timing (issue #10: re-simulate + redraw within 100 ms when a slider moves): the default six-year
 * scenario through `prepareEngine` in Node, first run (knowledge base parse, build, compile, simulate) and the
 * median of 20 re-runs with a parameter changed a little each time (as a slider does), beside `runScenario`.
 *
 *   npx tsx bench/web-engine.ts [--reruns 20]
 */
import { loadavg } from 'node:os';
import { webDataTexts } from '../scripts/build-web.js';
import { prepareEngine } from '../src/web/engine.js';

const argv = process.argv.slice(2);
const reruns = Number(argv[argv.indexOf('--reruns') + 1] || 20) || 20;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const t0 = performance.now();
const engine = prepareEngine(webDataTexts());
const tKb = performance.now() - t0;
const first = engine.run();
const base = first.parameters.find((p) => p.id === 'E_ref');
const id = base?.id ?? first.parameters[0].id;
const v0 = base?.value ?? first.parameters[0].value;
const times: number[] = [];
const cpu: number[] = [];
const compiled: number[] = [];
for (let k = 0; k < reruns; k++) {
  const c0 = process.cpuUsage();
  // A slider step: a new value each time (0.1 % apart), so nothing is served from a result cache.
  const r = engine.run(undefined, { [id]: v0 * (1 + 0.001 * (k + 1)) });
  const c1 = process.cpuUsage(c0);
  times.push(r.timings.totalMs);
  // CPU time of the process (all threads, GC included): less sensitive than wall time on a shared machine.
  cpu.push((c1.user + c1.system) / 1000);
  compiled.push(r.timings.compiled);
}
const same = engine.run();
console.log(
  JSON.stringify(
    {
      knowledgeBaseMs: +tKb.toFixed(1),
      firstRunMs: +first.timings.totalMs.toFixed(1),
      firstRunCompiled: first.timings.compiled,
      rerunSameParametersMs: +same.timings.totalMs.toFixed(1),
      rerunSameParametersCompiled: same.timings.compiled,
      slider: id,
      rerunMedianMs: +median(times).toFixed(1),
      rerunMinMs: +Math.min(...times).toFixed(1),
      rerunMaxMs: +Math.max(...times).toFixed(1),
      rerunCpuMedianMs: +median(cpu).toFixed(1),
      rerunCompiledMedian: median(compiled),
      loadAverage1m: +loadavg()[0].toFixed(2),
      budgetMs: 100,
    },
    null,
    2,
  ),
);
