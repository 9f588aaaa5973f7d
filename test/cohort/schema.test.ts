/** The scenario's `cohort:` section: defaults, and errors that name the field (schema, then model parameter ids). */
import { describe, expect, it } from 'vitest';
import { prepareCohort } from '../../src/cohort/program.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';

const kb = loadKnowledgeBase();
const parse = (cohort: string) => parseScenario(`${DEFAULT_SCENARIO}\ncohort:\n${cohort}`, 'test.yaml', kb);
const errors = (cohort: string): string => {
  try {
    parse(cohort);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).message;
  }
  throw new Error('expected a ScenarioError');
};

describe('cohort section', () => {
  it('fills the defaults', () => {
    const s = parse('  patients: 20\n');
    expect(s.cohort).toEqual({ patients: 20, core: 'calibrated', pk: true, parameters: {} });
    expect(parseScenario(DEFAULT_SCENARIO, 'x.yaml', kb).cohort).toBeUndefined();
  });

  it.each([
    ['  patients: 0\n', /cohort\.patients: a cohort needs at least 1 patient/],
    ['  patients: 2.5\n', /cohort\.patients/],
    ['  core: gaussian\n', /cohort\.core/],
    ['  pk: maybe\n', /cohort\.pk/],
    ['  pateints: 10\n', /pateints/],
    [
      '  parameters:\n    e_tki: { lognormal: { median: -1, cv: 0.3 } }\n',
      /cohort\.parameters\.e_tki\.lognormal\.median: a log-normal median must be > 0/,
    ],
    [
      '  parameters:\n    e_tki: { uniform: [2, 1] }\n',
      /cohort\.parameters\.e_tki\.uniform: uniform: \[a, b\] needs b > a/,
    ],
    [
      '  parameters:\n    e_tki: { normal: { mean: 1, sd: 1 }, uniform: [0, 1] }\n',
      /cohort\.parameters\.e_tki: give exactly one of/,
    ],
    ['  parameters:\n    e_tki: { beta: [1, 2] }\n', /cohort\.parameters\.e_tki.*beta/],
    [
      '  strata:\n    - { name: a, share: 0.5 }\n    - { name: b, share: 0.4 }\n',
      /cohort\.strata: stratum shares must sum to 1 \(got 0\.9\)/,
    ],
    [
      '  strata:\n    - { name: a, share: 0.5 }\n    - { name: a, share: 0.5 }\n',
      /cohort\.strata\[1\]\.name: duplicate stratum name 'a'/,
    ],
    ['  strata:\n    - { name: a, share: 1.5 }\n', /cohort\.strata\[0\]\.share/],
  ])('%s', (section, message) => {
    expect(errors(section)).toMatch(message);
  });

  it('an unknown model parameter is named at prepareCohort, with a suggestion', () => {
    expect(() => prepareCohort(parse('  parameters:\n    e_tk: { uniform: [1, 2] }\n'), kb)).toThrow(
      /cohort\.parameters\.e_tk: unknown model parameter 'e_tk' \(did you mean 'e_tki'/,
    );
  });

  it('engines other than ode and hybrid are refused with the reason', () => {
    const s = parseScenario(`${DEFAULT_SCENARIO.replace('engine: ode', 'engine: tau')}`, 'x.yaml', kb);
    expect(() => prepareCohort(s, kb)).toThrow(/engine: .*hybrid/);
  });
});
