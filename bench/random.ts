/**
 * `npx tsx bench/random.ts [--budget ms]`: throughput of the Philox4x32-10 streams and of each sampler, in
 * millions of values per second (best of 3 timed runs after a warm-up; each run lasts about `budget` ms).
 * Standalone for now; see docs/random.md.
 */
import { AliasTable, categorical } from '../src/numerics/random/samplers/categorical.js';
import { exponential, gamma, standardNormal, uniform } from '../src/numerics/random/samplers/continuous.js';
import { binomial, poisson, uniformInt } from '../src/numerics/random/samplers/discrete.js';
import { createStreamFactory, type RandomStream } from '../src/numerics/random/stream.js';

const budgetArg = process.argv.indexOf('--budget');
const BUDGET_MS = budgetArg >= 0 ? Number(process.argv[budgetArg + 1]) : 300;
const s: RandomStream = createStreamFactory(1).stream({ purpose: 'bench' });
let sink = 0;

function rate(fn: () => number): number {
  // Calibrate a batch size to ~BUDGET_MS / 10, then time 10 batches, 3 times, keep the best.
  let batch = 1000;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink += fn();
    if (performance.now() - t0 > BUDGET_MS / 10 || batch > 1e9) break;
    batch *= 2;
  }
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    for (let b = 0; b < 10; b++) for (let i = 0; i < batch; i++) sink += fn();
    const perMs = (10 * batch) / (performance.now() - t0);
    best = Math.max(best, perMs);
  }
  return best / 1e3; // millions per second
}

const fillBuf = new Float64Array(4096);
const weights10 = Float64Array.from({ length: 10 }, (_, i) => i + 1);
const weights100 = Float64Array.from({ length: 100 }, (_, i) => 1 + (i % 7));
const alias100 = new AliasTable(weights100);

const cases: [string, () => number][] = [
  ['nextUint32', () => s.nextUint32()],
  ['nextFloat64 [0,1)', () => s.nextFloat64()],
  ['nextFloat64Open (0,1)', () => s.nextFloat64Open()],
  ['fill(Float64Array 4096) per value', () => s.fill(fillBuf)[17] * 4096], // counted per call; scaled below
  ['uniform(a, b)', () => uniform(s, -1, 2)],
  ['uniformInt(1000)', () => uniformInt(s, 1000)],
  ['exponential(1)', () => exponential(s, 1)],
  ['standardNormal (ziggurat)', () => standardNormal(s)],
  ['gamma(0.3)', () => gamma(s, 0.3)],
  ['gamma(1)', () => gamma(s, 1)],
  ['gamma(7.5)', () => gamma(s, 7.5)],
  ['poisson(0.1) inversion', () => poisson(s, 0.1)],
  ['poisson(5) inversion', () => poisson(s, 5)],
  ['poisson(30) PTRS', () => poisson(s, 30)],
  ['poisson(1e4) PTRS', () => poisson(s, 1e4)],
  ['binomial(10, 0.3) inversion', () => binomial(s, 10, 0.3)],
  ['binomial(1000, 0.5) BTRS', () => binomial(s, 1000, 0.5)],
  ['binomial(1e6, 1e-5) BTRS', () => binomial(s, 1e6, 1e-5)],
  ['categorical linear, 10 weights', () => categorical(s, weights10)],
  ['categorical linear, 100 weights', () => categorical(s, weights100, 100, 397)],
  ['AliasTable, 100 weights', () => alias100.sample(s)],
];

console.log(
  `exoniche random: Philox4x32-10 streams, Node ${process.version}, budget ${BUDGET_MS} ms per case`,
);
console.log(`${'case'.padEnd(36)} ${'M/s'.padStart(8)}`);
for (const [name, fn] of cases) {
  let r = rate(fn);
  if (name.startsWith('fill(')) r *= fillBuf.length;
  console.log(`${name.padEnd(36)} ${r.toFixed(2).padStart(8)}`);
}
if (sink === 42) console.log('');
