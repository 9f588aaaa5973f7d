/**
 * V24 (cml-models.md §9): the mutation x drug matrix from cellular IC50 and steady-state PK. The T315I row is
 * recomputed here independently of src/therapy/exposure.ts: doses superposed one by one for 40 half-lives and the
 * Hill effect of the unbound concentration averaged over the last interval by composite Simpson.
 */
import { describe, expect, it } from 'vitest';
import {
  type MatrixCell,
  mutationDrugMatrix,
  mutationMatrixCases,
  V24_DRUGS,
  V24_RESISTANT_BELOW,
} from '../../src/experiments/validation-cases.js';
import { type KnowledgeBase, loadKnowledgeBase } from '../../src/knowledge/load.js';
import type { Sensitivity } from '../../src/knowledge/schema/mutation.js';
import { clonePotency, DEFAULT_HILL } from '../../src/therapy/pd.js';
import type { PkParams } from '../../src/therapy/pk.js';
import { drugPk } from '../../src/therapy/pk-params.js';

const kb = loadKnowledgeBase();

/** Mean Hill effect over the last of N doses (one-compartment, first-order absorption), Simpson on 4000 panels. */
function meanEffectBySuperposition(
  p: PkParams,
  dose: number,
  tau: number,
  fu: number,
  mw: number,
  ic50: number,
): number {
  expect(p.model).toBe('one');
  const k = p.clF / p.vF;
  const n = Math.ceil((40 * Math.LN2) / k / tau) + 1;
  const t0 = (n - 1) * tau;
  const cUnboundNm = (t: number) => {
    let c = 0; // mg/L
    for (let j = 0; j < n; j++) {
      const s = t - j * tau;
      if (s < 0) break;
      c += ((dose * p.ka) / (p.vF * (p.ka - k))) * (Math.exp(-k * s) - Math.exp(-p.ka * s));
    }
    // mg/L = 1000 ng/mL; ng/mL -> nM: x 1000 / (g/mol)
    return (c * 1000 * fu * 1000) / mw;
  };
  const f = (t: number) => {
    const c = cUnboundNm(t);
    return c > 0 ? 1 / (1 + (ic50 / c) ** DEFAULT_HILL.value) : 0;
  };
  const m = 4000;
  const h = tau / m;
  let s = f(t0) + f(t0 + tau);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(t0 + i * h);
  return (s * h) / 3 / tau;
}

const sens = (mutation: string, drug: string) =>
  kb.sensitivities.find((s) => s.mutation === mutation && s.drug === drug);

describe('V24 mutation x drug matrix', () => {
  const cells = mutationDrugMatrix(kb);
  const cell = (mutation: string, drug: string) => {
    const c = cells.find((x) => x.mutation === mutation && x.drug === drug);
    if (!c) throw new Error(`no cell ${mutation} x ${drug}`);
    return c;
  };

  it('covers every drug x every KB mutation, native at ratio 1', () => {
    expect(cells).toHaveLength(V24_DRUGS.length * kb.mutations.length);
    for (const d of V24_DRUGS) expect(cell('native', d).ratio).toBeCloseTo(1, 12);
  });

  it('T315I x 6 drugs: effect ratios match an independent superposition + Simpson computation', () => {
    for (const drug of V24_DRUGS) {
      const c = cell('T315I', drug);
      const row = sens('T315I', drug);
      const d = kb.drugs.find((x) => x.id === drug);
      // the KB's T315I regimen where it has one (asciminib 200 mg BID), else the standard one
      const reg = d?.regimens.find((r) => r.setting === 'T315I') ?? d?.regimens.find((r) => r.standard);
      if (!reg) throw new Error(`${drug}: no regimen`);
      expect(c.regimen).toBe(reg.id);
      const nativeIc50 = sens('native', drug)?.ic50?.value as number;
      // an IC50 where the KB has one, else fold resistance x the native IC50 (bosutinib: Redaelli 2009 fold, R)
      const ic50 = row?.ic50?.value ?? (row?.fold ? row.fold.value * nativeIc50 : undefined);
      if (ic50 === undefined) {
        // no potency at all: no prediction, scored as a miss
        expect(c).toMatchObject({ scored: row?.evidence === 'V', agrees: false });
        expect(c.ratio).toBeUndefined();
        expect(c.predicted).toBeUndefined();
        continue;
      }
      const pk = drugPk(kb, drug);
      const std = pk.standardRegimen;
      const eNat = meanEffectBySuperposition(
        pk.params,
        std.dose,
        std.intervalHours,
        pk.fu,
        pk.molecularWeight,
        nativeIc50,
      );
      const eMut = meanEffectBySuperposition(
        pk.params,
        reg.dose,
        reg.intervalHours,
        pk.fu,
        pk.molecularWeight,
        ic50,
      );
      const ratio = eMut / eNat;
      expect(Math.abs((c.ratio as number) - ratio), `${drug}: ${c.ratio} vs ${ratio}`).toBeLessThanOrEqual(
        1e-9 + 1e-6 * ratio,
      );
      const censored = (row?.ic50 ?? row?.fold)?.bound === '>';
      expect(c.censored).toBe(censored);
      const expected = ratio < V24_RESISTANT_BELOW.value ? 'resistant' : censored ? undefined : 'sensitive';
      expect(c.predicted, drug).toBe(expected);
      if (c.scored)
        expect(c.agrees).toBe(expected === (row?.clinical === 'sensitive' ? 'sensitive' : 'resistant'));
    }
    // the first-line and second-generation ATP-site drugs fail against the gatekeeper, asciminib (200 mg BID) does not
    for (const d of ['imatinib', 'nilotinib', 'dasatinib', 'bosutinib'])
      expect(cell('T315I', d).predicted).toBe('resistant');
    expect(cell('T315I', 'asciminib').predicted).toBe('sensitive');
  });

  it('V299L: dasatinib and bosutinib resistant from the Redaelli 2009 fold (x the native IC50), nilotinib no data', () => {
    // fold 8.65 (dasatinib) and 26.1 (bosutinib) [R]: with Hill 1 at a constant concentration the ratio is
    // (c + 1)/(c + f), below 0.5 for any f > 2 + c; the steady-state average keeps both cells well below the cut
    for (const [drug, fold] of [
      ['dasatinib', 8.65],
      ['bosutinib', 26.1],
    ] as const) {
      expect(sens('V299L', drug)?.fold?.value).toBe(fold);
      const c = cell('V299L', drug);
      expect(c).toMatchObject({ predicted: 'resistant', scored: true, agrees: true, censored: false });
      expect(c.ratio as number).toBeLessThan(V24_RESISTANT_BELOW.value);
      expect(c.ratio as number).toBeGreaterThan(0);
    }
    expect(cell('V299L', 'bosutinib').ratio as number).toBeLessThan(
      cell('V299L', 'dasatinib').ratio as number,
    );
  });

  it("ponatinib P-loop mutants: fold within Redaelli 2012 (its own native 2.1 nM) x the O'Hare 2009 native 0.5 nM", () => {
    for (const [m, ic50Redaelli] of [
      ['G250E', 12.5],
      ['Y253H', 29.8],
      ['E255K', 17.6],
      ['E255V', 27.2],
    ] as const) {
      const p = clonePotency(kb, 'ponatinib', m);
      expect(p.source).toBe('fold');
      expect(p.ic50).toBeCloseTo((ic50Redaelli / 2.1) * 0.5, 10);
      expect(sens(m, 'ponatinib')?.ic50).toBeUndefined();
    }
  });

  it('scores exactly the KB cells whose clinical category has evidence V', () => {
    const vCells = kb.sensitivities.filter(
      (s) => s.clinical && s.evidence === 'V' && (V24_DRUGS as readonly string[]).includes(s.drug),
    );
    const scored = cells.filter((c) => c.scored);
    expect(scored.map((c) => `${c.mutation}/${c.drug}`).sort()).toEqual(
      vCells.map((s) => `${s.mutation}/${s.drug}`).sort(),
    );
  });

  it('the V24 row: "k of n [V] cells agree", fail unless all agree, every miss named in the detail', () => {
    const [r] = mutationMatrixCases(kb);
    const scored = cells.filter((c) => c.scored);
    const k = scored.filter((c) => c.agrees).length;
    expect(r.case).toBe('V24');
    expect(r.obtained).toBe(`${k} of ${scored.length} [V] cells agree`);
    expect(r.status).toBe(k === scored.length ? 'pass' : 'fail');
    for (const c of scored.filter((x) => !x.agrees))
      expect(r.detail).toContain(`${c.mutation} x ${c.drug} (${c.regimen})`);
    expect(r.detail).toMatch(
      /confusion \(KB -> model\): R->R \d+, R->S \d+, S->S \d+, S->R \d+, no prediction \d+/,
    );
  });

  it('status follows agreement: passes when every [V] cell agrees, fails when one is contradicted', () => {
    const withPotency = (c: MatrixCell) => c.ratio !== undefined;
    const keep = (s: Sensitivity) =>
      !(s.clinical && s.evidence === 'V' && !withPotency(cell(s.mutation, s.drug)));
    const onlyPredictable: KnowledgeBase = { ...kb, sensitivities: kb.sensitivities.filter(keep) };
    const cellsP = mutationDrugMatrix(onlyPredictable).filter((c) => c.scored);
    const [ok] = mutationMatrixCases(onlyPredictable);
    const allAgree = cellsP.every((c) => c.agrees);
    expect(ok.status).toBe(allAgree ? 'pass' : 'fail');
    expect(ok.obtained).toBe(`${cellsP.filter((c) => c.agrees).length} of ${cellsP.length} [V] cells agree`);
    // flip one predictable [V] cell's clinical category: that cell must be reported and the row must fail
    const flipped: KnowledgeBase = {
      ...onlyPredictable,
      sensitivities: onlyPredictable.sensitivities.map((s) =>
        s.mutation === 'F317L' && s.drug === 'dasatinib' ? { ...s, clinical: 'sensitive' } : s,
      ),
    };
    const [bad] = mutationMatrixCases(flipped);
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('F317L x dasatinib (100qd): KB sensitive [V], model resistant');
  });

  it('a censored IC50 above the cut gives no prediction (the true effect could be lower)', () => {
    const low: KnowledgeBase = {
      ...kb,
      sensitivities: kb.sensitivities.map((s) =>
        s.mutation === 'T315I' && s.drug === 'nilotinib' && s.ic50
          ? { ...s, ic50: { ...s.ic50, value: sens('native', 'nilotinib')?.ic50?.value as number } }
          : s,
      ),
    };
    const c = mutationDrugMatrix(low).find((x) => x.mutation === 'T315I' && x.drug === 'nilotinib');
    expect(c?.censored).toBe(true);
    expect(c?.ratio).toBeCloseTo(1, 12);
    expect(c?.predicted).toBeUndefined();
    expect(c?.agrees).toBe(false);
    expect(mutationMatrixCases(low)[0].detail).toMatch(/T315I x nilotinib .*censored IC50/);
  });
});
