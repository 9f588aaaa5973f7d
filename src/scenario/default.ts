/**
 * The scenario `exoniche run` uses without an argument: a newly diagnosed chronic-phase patient on imatinib
 * 400 mg once daily with the exosome crosstalk on, followed for six years, with a treatment-free remission attempt
 * at the first monitoring visit at which ELN 2020 allows a stop (Hochhaus et al. 2020, Leukemia 34:966).
 */
export const DEFAULT_SCENARIO_FILE = '<default scenario>';

export const DEFAULT_SCENARIO = `# exoniche default scenario
name: default
description: >-
  Newly diagnosed chronic-phase CML on imatinib 400 mg daily, exosome crosstalk on, six years;
  treatment-free remission attempt at the first visit at which ELN 2020 allows it.
model: niche
engine: ode
durationMonths: 72
seed: 1
patient:
  hahnelPatient: 1        # Hähnel 2020 patient whose fitted LSC kinetics the core uses
  transcript: e14a2
niche:
  exosomes: true          # every channel as in the knowledge base
  hypoxia: 0
therapy:
  schedule:
    - drug: imatinib
      doseMg: 400
      intervalHours: 24
      startMonth: 0
  tfr:
    attempt: true
    stopMonth: first-eligible
    restartOnMmrLoss: true
    monitorEveryMonths: 1   # monthly PCR off therapy (ELN 2020: monthly in the first year)
monitoring:
  everyMonths: 3
outputs:
  stepMonths: 0.25
`;
