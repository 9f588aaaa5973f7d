/**
 * CI subset of the SBML Test Suite: about 100 semantic cases chosen to cover every component and test tag
 * (two passing cases per tag, or a refused one when none passes; two cases per refusal reason; see
 * scripts/sbml-suite.ts for the full run).
 * Each case must pass, or be refused for its listed reason (a refused case that starts passing is fine).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCases, parseTags, runSuiteCase } from '../../../src/io/sbml/suite.js';
import { SUITE_ROOT, suiteAvailable } from './helpers.js';

const PASS = 'pass';
/** Refusal reasons, as patterns of the refusal message. */
const DELAY = /delay\(\) is not supported|'delay' must be resolved/;
const FBA = /testType FluxBalanceSteadyState is not a time course/;
const EXTERNAL_FILE = /<comp:externalModelDefinition> '[^']+': cannot read/;

const CASES: readonly (readonly [string, typeof PASS | RegExp])[] = [
  ['00001', PASS],
  ['00002', PASS],
  ['00003', PASS],
  ['00004', PASS],
  ['00008', PASS],
  ['00009', PASS],
  ['00021', PASS],
  ['00022', PASS],
  ['00023', PASS],
  ['00024', PASS],
  ['00025', PASS],
  ['00026', PASS],
  ['00029', PASS],
  ['00030', PASS],
  ['00031', PASS],
  ['00032', PASS],
  ['00033', PASS],
  ['00034', PASS],
  ['00036', PASS],
  ['00039', PASS],
  ['00040', PASS],
  ['00041', PASS],
  ['00048', PASS],
  ['00049', PASS],
  ['00051', PASS],
  ['00052', PASS],
  ['00054', PASS],
  ['00055', PASS],
  ['00056', PASS],
  ['00058', PASS],
  ['00059', PASS],
  ['00060', PASS],
  ['00061', PASS],
  ['00066', PASS],
  ['00068', PASS],
  ['00069', PASS],
  ['00071', PASS],
  ['00072', PASS],
  ['00112', PASS],
  ['00135', PASS],
  ['00374', PASS],
  ['00406', PASS],
  ['00413', PASS],
  ['00456', PASS],
  ['00458', PASS],
  ['00462', PASS],
  ['00851', PASS],
  ['00852', PASS],
  ['00928', PASS],
  ['00929', PASS],
  ['00930', PASS],
  ['00931', PASS],
  ['00932', PASS],
  ['00935', PASS],
  ['00938', DELAY],
  ['00939', DELAY],
  ['00954', PASS],
  ['00955', PASS],
  ['00962', PASS],
  ['00972', PASS],
  ['00973', PASS],
  ['00974', PASS],
  ['00975', PASS],
  ['00976', PASS],
  ['00978', PASS],
  ['00980', PASS],
  ['01000', PASS],
  ['01121', PASS],
  ['01124', PASS],
  ['01125', PASS],
  ['01126', PASS],
  ['01128', PASS],
  ['01129', PASS],
  ['01130', PASS],
  ['01131', PASS],
  ['01133', PASS],
  ['01138', PASS],
  ['01139', PASS],
  ['01143', PASS],
  ['01144', PASS],
  ['01146', PASS],
  ['01149', PASS],
  ['01151', PASS],
  ['01165', EXTERNAL_FILE],
  ['01168', EXTERNAL_FILE],
  ['01178', PASS],
  ['01180', PASS],
  ['01186', FBA],
  ['01188', FBA],
  ['01189', FBA],
  ['01195', FBA],
  ['01198', PASS],
  ['01208', PASS],
  ['01234', PASS],
  ['01235', PASS],
  ['01244', PASS],
  ['01248', PASS],
  ['01249', PASS],
  ['01272', PASS],
  ['01273', PASS],
  ['01282', PASS],
  ['01283', PASS],
  ['01518', DELAY],
  ['01523', DELAY],
  ['01539', DELAY],
  ['01618', FBA],
];

describe('SBML Test Suite subset', () => {
  it('the test suite is present', () => {
    expect(
      suiteAvailable(),
      `SBML Test Suite not found at ${SUITE_ROOT} (vendored in test/fixtures/sbml-test-suite, or set EXONICHE_SBML_TEST_SUITE)`,
    ).toBe(true);
  });

  it.skipIf(!suiteAvailable())('the subset covers every component tag and test tag of the suite', () => {
    const tagsOf = (id: string): string[] => {
      const t = parseTags(readFileSync(join(SUITE_ROOT, id, `${id}-model.m`), 'utf8'));
      return [...t.componentTags, ...t.testTags];
    };
    const all = new Set(listCases(SUITE_ROOT).flatMap(tagsOf));
    const covered = new Set(CASES.flatMap(([id]) => tagsOf(id)));
    // MultipleFastReactions: both of its cases fail (the compiler simulates fast reactions as ordinary ones).
    expect([...all].filter((t) => !covered.has(t))).toEqual(['MultipleFastReactions']);
  });

  it.skipIf(!suiteAvailable())(
    `${CASES.length} representative cases pass or are refused for their listed reason`,
    () => {
      const problems: string[] = [];
      for (const [id, want] of CASES) {
        const r = runSuiteCase(SUITE_ROOT, id);
        if (r.status === 'passed') continue;
        if (want !== PASS && r.status === 'refused' && want.test(r.message ?? '')) continue;
        problems.push(
          `${id}: expected ${want === PASS ? 'pass' : `refusal ${want}`}, got ${r.status}: ${r.message}`,
        );
      }
      expect(problems).toEqual([]);
    },
    60_000,
  );
});
