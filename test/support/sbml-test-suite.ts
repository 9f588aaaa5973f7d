/**
 * Where the SBML Test Suite lives: a vendored copy in test/fixtures/sbml-test-suite (semantic and stochastic
 * cases of the suite's release, LGPL 2.1, see its LICENSE.txt), so that tests run the same on a fresh clone.
 * EXONICHE_SBML_TEST_SUITE points elsewhere (e.g. a newer checkout).
 */
import { resolve } from 'node:path';

const ROOT =
  process.env.EXONICHE_SBML_TEST_SUITE ?? resolve(import.meta.dirname, '../fixtures/sbml-test-suite');

/** The semantic (deterministic time-course) cases. */
export const SBML_SEMANTIC_ROOT = resolve(ROOT, 'semantic');
/** The stochastic cases (DSMTS). */
export const SBML_STOCHASTIC_ROOT = resolve(ROOT, 'stochastic');
