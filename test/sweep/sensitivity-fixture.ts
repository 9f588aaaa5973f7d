/** Shared setup of the sensitivity-study tests: model texts with known indices and a planner over a model file. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planJob } from '../../src/sweep/index.js';
import type { SensitivityRequest } from '../../src/sweep/jobs/sensitivity.js';

export const tmp = () => mkdtempSync(join(tmpdir(), 'exoniche-gsa-'));

/**
 * The Ishigami & Homma (1990) function of parameters x1..x3 as an observable at t = 0, with a linear form of them
 * (`lin`) and one that is NaN for x1 < 0 (`root`, for dropped rows).
 */
export const ISHIGAMI_EXM = `model ishigami
  compartment c = 1
  species S in c = 0
  x1 = 0
  x2 = 0
  x3 = 0
  a = 7
  b = 0.1
  f := sin(x1)*(1 + b*x3*x3*x3*x3) + a*sin(x2)*sin(x2)
  lin := 3*x1 - 2*x2 + 0*x3
  root := sqrt(x1) + x2
end
`;

/** dS/dt = -k S, S(0) = 1: S(T) = exp(-k T). */
export const DECAY_EXM = `model decay
  compartment c = 1
  substanceOnly species S in c = 1
  k = 1
  Decay: S => ; k*S
end
`;

const PI = Math.PI;
/** The Ishigami factors, uniform on [-pi, pi]. */
export const ISHIGAMI_FACTORS = ['x1', 'x2', 'x3'].map((name) => ({ name, lo: -PI, hi: PI }));

export function writeModel(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Plan a study of the model in `file` (its text in the manifest) with `req` and the given split. */
export async function plan(
  file: string,
  req: SensitivityRequest,
  split: { shards?: number; shardSize?: number },
  seed = '1',
) {
  return planJob(
    'sensitivity',
    {
      scenarioText: readFileSync(file, 'utf8'),
      scenarioFile: file,
      seed,
      spec: req as unknown as Record<string, unknown>,
    },
    split,
  );
}
