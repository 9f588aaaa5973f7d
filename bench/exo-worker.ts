/**
 * Runs one exoniche (problem, method) work-precision series in its own Node process and prints one JSON
 * WorkPoint per line. bench/run.ts uses it so every series starts from a fresh V8 state: otherwise call sites
 * inside the solver that have seen other problems' right-hand sides become polymorphic and the later series
 * are measured slower than a user solving one model would see (observed: up to 1.6x on HIRES).
 *
 * Usage: node --import tsx bench/exo-worker.ts <problem> <method> <budget_ms> <min_repeats> <rtol>...
 */
import { getProblem } from '../test/problems/index.js';
import { ROS2_TEST_METHOD } from './ros2-test-method.js';
import { runExoniche } from './work-precision.js';

const [name, method, budget, minRep, ...rtols] = process.argv.slice(2);
const p = getProblem(name);
const m = ['ros2-test', 'trivial'].includes(method.toLowerCase()) ? ROS2_TEST_METHOD : method;
for (const r of rtols) {
  const pt = runExoniche(p, m, Number(r), { budgetMs: Number(budget), minRepeats: Number(minRep) });
  process.stdout.write(`${JSON.stringify(pt)}\n`);
}
