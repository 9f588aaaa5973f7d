/**
 * `npx tsx bench/cohort.ts [--patients N] [--workers W] [--hybrid] [--exact-months M]`: throughput of the cohort
 * runner on the default scenario over 10 years (durationMonths 120, log-normal core, PK variability on):
 * prepareCohort once per process, then simulatePatient for patients 0..N-1 split into W contiguous shards in child
 * processes. Prints the prepare time, ms per patient per core, patients/s per core and overall, failures, and the
 * projected wall time of 10,000 patients on 2 cores. Engine ode by default (goal of issue #8: < 60 s); `--hybrid`
 * runs the cohort with engine hybrid (stochastic LSCs, src/numerics/hybrid/split.ts; goal < 5 min, i.e. about
 * 60 ms per patient per core). `--exact-months M` also times runScenario with engine hybrid (the exact-coupling
 * engine, simulateApproximate) for one patient over M months, for comparison.
 *
 * `--scaling` (what `npm run bench` runs): both engines, one process and then two, each in fresh processes; prints
 * patients/s per core, the speed-up from one worker to two, and the projected 10,000-patient wall time on 2 cores.
 * Default 400 patients per measurement (`--patients N`). `--json` prints one JSON line (used by --scaling).
 */
import { fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prepareCohort, simulatePatient } from '../src/cohort/program.js';
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { DEFAULT_SCENARIO } from '../src/scenario/default.js';
import { parseScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/scenario/run.js';

const HYBRID = process.argv.includes('--hybrid');
const TEXT = DEFAULT_SCENARIO.replace('durationMonths: 72', 'durationMonths: 120').replace(
  'engine: ode',
  `engine: ${HYBRID ? 'hybrid' : 'ode'}`,
);

interface Shard {
  readonly from: number;
  readonly to: number;
}
interface ShardResult {
  readonly prepareMs: number;
  readonly runMs: number;
  /** CPU time of the thread's process share (user + system), ms: less sensitive to a shared machine. */
  readonly cpuMs: number;
  readonly patients: number;
  readonly failed: number;
  readonly stops: number;
  readonly relapses: number;
}

function runShard({ from, to }: Shard): ShardResult {
  const kb = loadKnowledgeBase();
  const t0 = performance.now();
  const program = prepareCohort(parseScenario(TEXT, 'bench.yaml', kb), kb, { patients: to });
  const t1 = performance.now();
  // Warm-up on patients outside the timed range would change nothing in the outcomes; it only excludes JIT time.
  for (let k = 0; k < 20; k++) simulatePatient(program, to + k);
  const t2 = performance.now();
  const c0 = process.cpuUsage();
  let failed = 0;
  let stops = 0;
  let relapses = 0;
  for (let k = from; k < to; k++) {
    const o = simulatePatient(program, k);
    if (o.status !== 'ok') failed++;
    if (!Number.isNaN(o.timeTfrStop)) stops++;
    if (!Number.isNaN(o.timeTfrRelapse)) relapses++;
  }
  const c = process.cpuUsage(c0);
  return {
    prepareMs: t1 - t0,
    runMs: performance.now() - t2,
    cpuMs: (c.user + c.system) / 1000,
    patients: to - from,
    failed,
    stops,
    relapses,
  };
}

const shardArg = process.argv.indexOf('--shard');
if (process.argv.includes('--scaling')) {
  const i = process.argv.indexOf('--patients');
  const patients = i >= 0 ? Number(process.argv[i + 1]) : 400;
  const rows: string[] = [];
  for (const hybrid of [false, true]) {
    const r: Record<number, { perCore: number; overall: number; cpu: number; wall: number }> = {};
    for (const workers of [1, 2]) {
      const out = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--patients',
          String(patients),
          '--workers',
          String(workers),
          '--json',
          ...(hybrid ? ['--hybrid'] : []),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (out.status !== 0) throw new Error(`bench/cohort.ts failed: ${out.stderr}`);
      r[workers] = JSON.parse(out.stdout.trim().split('\n').at(-1) as string);
    }
    rows.push(
      `  ${(hybrid ? 'hybrid' : 'ode').padEnd(6)}  ${r[1].perCore.toFixed(0).padStart(6)}  ${r[1].overall.toFixed(0).padStart(12)}  ${r[2].overall.toFixed(0).padStart(12)}  ${(r[2].overall / r[1].overall).toFixed(2).padStart(7)}x  ${((10_000 / r[2].overall) | 0).toString().padStart(8)} s  ${((10_000 * r[1].cpu) / 2 / 1000).toFixed(0).padStart(8)} s   (goal < ${hybrid ? 300 : 60} s)`,
    );
  }
  console.log(
    `cohort bench: default scenario, 120 months, log-normal core, PK variability, ${patients} patients per measurement`,
  );
  console.log('  engine  pat/s/core  pat/s 1 proc  pat/s 2 proc  speed-up  10k wall  10k CPU/2');
  for (const row of rows) console.log(row);
} else if (shardArg >= 0) {
  const [from, to] = process.argv.slice(shardArg + 1, shardArg + 3).map(Number);
  process.send?.(runShard({ from, to }));
} else {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  const patients = arg('patients', 1000);
  const workers = arg('workers', 1);
  const shards: Shard[] = Array.from({ length: workers }, (_, w) => ({
    from: Math.floor((w * patients) / workers),
    to: Math.floor(((w + 1) * patients) / workers),
  }));
  const t0 = performance.now();
  const results: ShardResult[] =
    workers === 1
      ? [runShard(shards[0])]
      : await Promise.all(
          shards.map(
            (sh) =>
              new Promise<ShardResult>((resolve, reject) => {
                const child = fork(
                  fileURLToPath(import.meta.url),
                  ['--shard', String(sh.from), String(sh.to), ...(HYBRID ? ['--hybrid'] : [])],
                  {
                    execArgv: ['--import', 'tsx'],
                  },
                );
                child.once('message', (m) => {
                  resolve(m as ShardResult);
                  child.disconnect();
                });
                child.once('error', reject);
              }),
          ),
        );
  const wall = (performance.now() - t0) / 1000;
  const runMs = results.reduce((a, r) => a + r.runMs, 0);
  const n = results.reduce((a, r) => a + r.patients, 0);
  const msPerPatient = runMs / n;
  if (process.argv.includes('--json')) {
    const cpuPer = results.reduce((a, r) => a + r.cpuMs, 0) / n;
    const simWall = Math.max(...results.map((r) => r.runMs)) / 1000;
    console.log(
      JSON.stringify({
        perCore: 1000 / msPerPatient,
        overall: n / simWall,
        cpu: cpuPer,
        wall,
        failed: results.reduce((a, r) => a + r.failed, 0),
      }),
    );
    process.exit(0);
  }
  const fmt = (x: number, d = 2) => x.toFixed(d);
  console.log(
    `cohort bench: default scenario, 120 months, ${HYBRID ? 'hybrid engine (stochastic LSCs)' : 'ODE'}, log-normal core, PK variability; ${n} patients`,
  );
  console.log(`  prepareCohort (build + compile once per process): ${fmt(results[0].prepareMs, 0)} ms`);
  console.log(
    `  per patient per core: ${fmt(msPerPatient)} ms  (${fmt(1000 / msPerPatient, 0)} patients/s/core)`,
  );
  const cpu = results.reduce((a, r) => a + r.cpuMs, 0) / n;
  console.log(
    `  CPU time per patient: ${fmt(cpu)} ms (the wall time above includes waiting for a shared CPU)`,
  );
  console.log(
    `  processes: ${workers}, wall ${fmt(wall)} s (incl. start-up), ${fmt(n / wall, 0)} patients/s overall`,
  );
  console.log(
    `  failed: ${results.reduce((a, r) => a + r.failed, 0)}, TFR stops: ${results.reduce((a, r) => a + r.stops, 0)}, relapses after a stop: ${results.reduce((a, r) => a + r.relapses, 0)}`,
  );
  console.log(
    `  projected 10,000 patients on 2 cores: ${fmt((10_000 * msPerPatient) / 2 / 1000, 1)} s from wall time, ${fmt((10_000 * cpu) / 2 / 1000, 1)} s from CPU time (goal < ${HYBRID ? '300' : '60'} s)`,
  );
  if (process.argv.includes('--exact-months')) {
    const kb = loadKnowledgeBase();
    const months = arg('exact-months', 12);
    const s = parseScenario(
      TEXT.replace('engine: ode', 'engine: hybrid').replace(
        'durationMonths: 120',
        `durationMonths: ${months}`,
      ),
      'bench.yaml',
      kb,
    );
    const h0 = performance.now();
    runScenario(s, { kb });
    const ms = performance.now() - h0;
    console.log(
      `  exact-coupling hybrid (runScenario, one patient, ${months} months): ${fmt(ms, 0)} ms, i.e. ~${fmt((ms * 120) / months / 1000, 1)} s per 10-year patient`,
    );
  }
}
