/**
 * The per-patient core of Hähnel et al. 2020 (Cancer Res 80:2394, Table S1): the knowledge-base symbols
 * (`hahnel2020.patientNN.<symbol>`) and the model parameter ids they set in the reference and niche models. Virtual
 * cohorts draw this vector per patient (src/cohort/population.ts); population fits name it in a scenario's
 * cohort.coreFit (src/fitting/model-population.ts). One table, so the two cannot drift apart.
 */
export const HAHNEL_CORE: readonly { readonly symbol: string; readonly id: string }[] = [
  { symbol: 'pyx', id: 'pyx' },
  { symbol: 'pxy', id: 'pxy' },
  { symbol: 'e_tki', id: 'e_tki' },
  { symbol: 'pz', id: 'pz' },
  { symbol: 'Kz', id: 'Kz' },
  { symbol: 'X0', id: 'X_init' },
  { symbol: 'Y0', id: 'Y_init' },
  { symbol: 'Z0', id: 'Z_init' },
];
