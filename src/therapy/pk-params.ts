/**
 * Per-drug PK parameters derived from the knowledge base. Every derived number is tagged C with the formula
 * used, and carries the weakest evidence of its inputs when that is weaker than C (see computedEvidence).
 *
 * Derivation (one-compartment, first-order absorption):
 *  1. lambda_z = ln 2 / t1/2 (terminal half-life as reported).
 *  2. CL/F = D / AUC_tau,ss when a steady-state AUC is reported (it already reflects steady-state clearance);
 *     else the reported CL/F; else V/F lambda_z from a reported V/F; else fitted (step 4).
 *  3. V/F = (CL/F) / lambda_z, so the model honours the reported half-life exactly (for imatinib this gives
 *     260 L against the population estimate 252 L).
 *  4. When neither CL/F, V/F nor AUC is known (nilotinib), V/F is fitted so that the model's steady-state Cmax and
 *     Cmin at the reference regimen match the reported ones in geometric mean (C_ss scales as 1/V at fixed
 *     lambda_z and ka), and CL/F = V/F lambda_z.
 *  5. ka from the single-dose tmax: the root ka > lambda_z of ln(ka/lambda_z)/(ka - lambda_z) = tmax (bisection
 *     in log ka; the left side falls monotonically from 1/lambda_z to 0).
 * Two-compartment (where the KB has a two-compartment set): CL/F, Vc/F, Q/F, Vp/F as reported; ka solved so that
 * the single-dose peak of the two-compartment curve falls at tmax.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { closestNames, computedEvidence } from '../knowledge/query.js';
import type { Evidence } from '../knowledge/schema/common.js';
import type { Drug, Regimen } from '../knowledge/schema/drug.js';
import type { CompartmentModel, PkParams } from './pk.js';
import { singleDoseTmax, steadyState } from './steady-state.js';

export interface Derivation {
  readonly symbol: string;
  readonly value: number;
  readonly units: string;
  readonly evidence: Evidence;
  /** How the number was obtained (formula and inputs), or 'reported'. */
  readonly how: string;
}

export interface DrugPk {
  readonly drug: string;
  readonly params: PkParams;
  /** Unbound fraction 1 - protein binding. */
  readonly fu: number;
  readonly molecularWeight: number;
  /** Inter-patient CVs (fractions) where the literature gives them; absent when unknown. */
  readonly cv: { readonly clF?: number; readonly vF?: number; readonly qF?: number; readonly vpF?: number };
  readonly derivations: readonly Derivation[];
  /** The reference regimen of the steady-state observations. */
  readonly referenceRegimen: Regimen;
  readonly standardRegimen: Regimen;
}

export class UnknownDrugError extends Error {
  override name = 'UnknownDrugError';
  constructor(
    readonly drug: string,
    readonly suggestions: readonly string[],
  ) {
    super(
      `unknown drug '${drug}'${suggestions.length ? ` (did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?)` : ''}`,
    );
  }
}

export function findDrug(kb: KnowledgeBase, id: string): Drug {
  const d = kb.drugs.find((x) => x.id === id);
  if (!d)
    throw new UnknownDrugError(
      id,
      closestNames(
        id,
        kb.drugs.map((x) => x.id),
      ),
    );
  return d;
}

/** ka > k such that the one-compartment single-dose peak is at tmax. */
export function kaFromTmax(tmax: number, k: number): number {
  if (!(tmax > 0 && tmax < 1 / k))
    throw new RangeError(`tmax ${tmax} h must lie in (0, 1/k = ${1 / k} h) for first-order absorption`);
  const f = (ka: number) => Math.log(ka / k) / (ka - k);
  let lo = Math.log(k) + 1e-9;
  let hi = Math.log(k) + 60;
  for (let i = 0; i < 300 && hi - lo > 1e-15; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(Math.exp(mid)) > tmax) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

function kaFromTmaxTwo(tmax: number, base: Omit<PkParams, 'ka'>): number {
  let lo = Math.log(1e-3);
  let hi = Math.log(1e3);
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = 0.5 * (lo + hi);
    const t = singleDoseTmax({ ...base, ka: Math.exp(mid) });
    if (t > tmax) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

/** PK parameters of a drug, derived as documented above. */
export function drugPk(kb: KnowledgeBase, drugId: string, model: CompartmentModel = 'one'): DrugPk {
  const d = findDrug(kb, drugId);
  const pk = d.pk;
  const ref = d.regimens.find((r) => r.id === pk.steadyStateRegimen) as Regimen;
  const standard = d.regimens.find((r) => r.standard) as Regimen;
  const derivations: Derivation[] = [];
  const fu = 1 - pk.proteinBinding.value;
  derivations.push({
    symbol: 'fu',
    value: fu,
    units: '1',
    evidence: computedEvidence(pk.proteinBinding.evidence),
    how: `1 - protein binding (${pk.proteinBinding.value})`,
  });
  const common = {
    drug: d.id,
    fu,
    molecularWeight: d.molecularWeight.value,
    referenceRegimen: ref,
    standardRegimen: standard,
  };

  if (model === 'two') {
    const tc = pk.twoCompartment;
    if (!tc) throw new RangeError(`${d.id}: the knowledge base has no two-compartment parameters`);
    const base = {
      model: 'two' as const,
      clF: tc.clF.value,
      vF: tc.vcF.value,
      qF: tc.qF.value,
      vpF: tc.vpF.value,
    };
    const ka = kaFromTmaxTwo(pk.tmax.value, base);
    for (const [sym, q] of [
      ['CL/F', tc.clF],
      ['Vc/F', tc.vcF],
      ['Q/F', tc.qF],
      ['Vp/F', tc.vpF],
    ] as const)
      derivations.push({
        symbol: sym,
        value: q.value,
        units: q.units,
        evidence: q.evidence,
        how: 'reported',
      });
    derivations.push({
      symbol: 'ka',
      value: ka,
      units: '1/h',
      evidence: computedEvidence(pk.tmax.evidence, tc.clF.evidence),
      how: `two-compartment single-dose peak at tmax = ${pk.tmax.value} h`,
    });
    return {
      ...common,
      params: { ...base, ka },
      cv: { clF: tc.clF.cv, vF: tc.vcF.cv, qF: tc.qF.cv, vpF: tc.vpF.cv },
      derivations,
    };
  }

  const k = Math.LN2 / pk.halfLife.value;
  derivations.push({
    symbol: 'lambda_z',
    value: k,
    units: '1/h',
    evidence: computedEvidence(pk.halfLife.evidence),
    how: `ln 2 / t1/2 (${pk.halfLife.value} h)`,
  });
  const ka = kaFromTmax(pk.tmax.value, k);
  derivations.push({
    symbol: 'ka',
    value: ka,
    units: '1/h',
    evidence: computedEvidence(pk.tmax.evidence, pk.halfLife.evidence),
    how: `root of ln(ka/lambda_z)/(ka - lambda_z) = tmax (${pk.tmax.value} h)`,
  });

  let clF: number;
  let clHow: string;
  let clEv: Evidence;
  if (pk.aucTauSs) {
    clF = (1000 * ref.dose) / pk.aucTauSs.value;
    clHow = `D / AUC_tau,ss = ${ref.dose} mg / ${pk.aucTauSs.value} ng*h/mL`;
    clEv = computedEvidence(pk.aucTauSs.evidence);
  } else if (pk.clF) {
    clF = pk.clF.value;
    clHow = 'reported';
    clEv = pk.clF.evidence;
  } else if (pk.vF) {
    clF = pk.vF.value * k;
    clHow = `V/F lambda_z = ${pk.vF.value} L x ${k.toPrecision(4)} /h`;
    clEv = computedEvidence(pk.vF.evidence, pk.halfLife.evidence);
  } else {
    const obs: [number, number][] = [];
    const unit = steadyState({ model: 'one', ka, clF: k, vF: 1 }, ref.dose, ref.intervalHours);
    if (pk.cmaxSs) obs.push([unit.cmax, pk.cmaxSs.value]);
    if (pk.cminSs) obs.push([unit.cmin, pk.cminSs.value]);
    if (obs.length === 0)
      throw new RangeError(`${d.id}: no CL/F, V/F, AUC or steady-state concentration to scale the model`);
    const logV = obs.reduce((s, [model1, o]) => s + Math.log(model1 / o), 0) / obs.length;
    const v = Math.exp(logV);
    clF = v * k;
    clHow = `V/F lambda_z with V/F = ${v.toPrecision(4)} L fitted to the steady-state ${obs.length === 2 ? 'Cmax and Cmin' : 'concentration'} at ${ref.id} (geometric mean)`;
    clEv = computedEvidence(
      pk.halfLife.evidence,
      pk.tmax.evidence,
      ...(pk.cmaxSs ? [pk.cmaxSs.evidence] : []),
      ...(pk.cminSs ? [pk.cminSs.evidence] : []),
    );
  }
  derivations.push({ symbol: 'CL/F', value: clF, units: 'L/h', evidence: clEv, how: clHow });
  const vF = clF / k;
  derivations.push({
    symbol: 'V/F',
    value: vF,
    units: 'L',
    evidence: computedEvidence(clEv, pk.halfLife.evidence),
    how: `CL/F / lambda_z${pk.vF ? ` (reported V/F ${pk.vF.value} L)` : ''}`,
  });
  return {
    ...common,
    params: { model: 'one', ka, clF, vF },
    cv: { clF: pk.clF?.cv, vF: pk.vF?.cv },
    derivations,
  };
}
