import { existsSync } from 'node:fs';
import type { Model } from '../../../src/models/ir.js';
import { SBML_SEMANTIC_ROOT } from '../../support/sbml-test-suite.js';

/** The SBML Test Suite's semantic cases (vendored; see test/support/sbml-test-suite.ts). */
export const SUITE_ROOT = SBML_SEMANTIC_ROOT;
export const suiteAvailable = (): boolean => existsSync(SUITE_ROOT);

/**
 * A model without source locations, with IR defaults made explicit (species-reference `constant`
 * undefined means true, reaction `fast` false means absent), so that models read from different formats
 * compare equal.
 */
export function normalize(m: Model): unknown {
  const strip = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(strip);
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) if (k !== 'loc' && v !== undefined) out[k] = strip(v);
      return out;
    }
    return x;
  };
  return strip({
    ...m,
    reactions: m.reactions.map((r) => ({
      ...r,
      // fast="false" (L3V1) and no attribute (L3V2) mean the same.
      fast: r.fast || undefined,
      reactants: r.reactants.map((s) => ({ ...s, constant: s.constant ?? true })),
      products: r.products.map((s) => ({ ...s, constant: s.constant ?? true })),
    })),
  });
}
