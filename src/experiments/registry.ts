/** The registry of virtual experiments (biology.md §4), in VE order, then the spatial set-ups (SVE-*, docs/spatial.md). */
import { VE1, VE2, VE3, VE4, VE5, VE6, VE7 } from './endothelium.js';
import { VE9, VE10, VE11, VE14, VE15, VE16, VE17 } from './leukaemia.js';
import { spatialExperiments } from './spatial.js';
import { VE13 } from './stroma.js';
import type { Experiment } from './types.js';

export const EXPERIMENTS: readonly Experiment[] = [
  VE1,
  VE2,
  VE3,
  VE4,
  VE5,
  VE6,
  VE7,
  VE9,
  VE10,
  VE11,
  VE13,
  VE14,
  VE15,
  VE16,
  VE17,
  ...spatialExperiments,
];

/** Normalises 've1', 'VE1', 've-1' to 'VE-1' (and 'sve1' to 'SVE-1'). */
export function normaliseExperimentId(name: string): string {
  const m = /^(s?)ve-?(\d+)$/i.exec(name.trim());
  return m ? `${m[1] ? 'SVE' : 'VE'}-${Number(m[2])}` : name.trim();
}

/** The experiment of that name, or undefined. */
export function findExperiment(name: string): Experiment | undefined {
  const id = normaliseExperimentId(name);
  return EXPERIMENTS.find((e) => e.id === id);
}
