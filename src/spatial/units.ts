/**
 * Units of the spatial fields, by field name: one table for the snapshot headers (snapshot.ts) and the dashboard's
 * colour bar (src/web/spatial-info.ts). Chemokine levels are relative to the domain's well-mixed baseline
 * (docs/spatial.md). No imports, so the dashboard page can read it without bundling the engine.
 */
export const FIELD_UNITS: Readonly<Record<string, string>> = {
  cml: 'particles/µm³',
  lsc: 'particles/µm³',
  bmsc: 'particles/µm³',
  cml_hyp: 'particles/µm³ (hypoxia-weighted CML cargo)',
  oxygen: 'mmHg',
  drug: 'nM (unbound)',
  il8: 'relative to baseline',
  cxcl12: 'relative to baseline',
};
