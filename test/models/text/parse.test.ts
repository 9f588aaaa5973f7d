import { describe, expect, it } from 'vitest';
import type { Reaction } from '../../../src/models/ir.js';
import { parseModel, parseModelWithDiagnostics } from '../../../src/models/text/index.js';
import { stripLoc } from './helpers.js';

const wrap = (body: string) => `model m\n${body}\nend\n`;
const rx = (m: { reactions: readonly Reaction[] }, id: string) => m.reactions.find((r) => r.id === id)!;

describe('model language: constructs to IR', () => {
  it('model header, display name, comments', () => {
    const m = parseModel('/* block\ncomment */\nmodel foo "Display name" // c\n  # hash\n  k = 1\nend\n');
    expect(m.id).toBe('foo');
    expect(m.name).toBe('Display name');
    expect(m.parameters).toEqual([{ id: 'k', value: 1, constant: true, loc: { line: 5, column: 3 } }]);
  });

  it('compartments: size, separate value, var, spatial dimensions, units', () => {
    const m = parseModel(
      wrap(
        'compartment a = 2\ncompartment b\nb = 3\nvar compartment c = 1\nc.spatialDimensions = 2\ncompartment d = 1 litre',
      ),
    );
    expect(stripLoc(m.compartments)).toEqual([
      { id: 'a', size: 2, constant: true },
      { id: 'b', size: 3, constant: true },
      { id: 'c', spatialDimensions: 2, size: 1, constant: false },
      { id: 'd', size: 1, constant: true, units: 'litre' },
    ]);
  });

  it('species: concentration by default, substanceOnly amounts, $ and boundary, const, explicit amount', () => {
    const m = parseModel(
      wrap(
        'compartment c = 2\nspecies A in c = 10\nsubstanceOnly species B in c = 5\nspecies $C in c = 1\nboundary species D in c = 1\nconst species E in c = 1\nspecies F in c\nF.initialAmount = 4',
      ),
    );
    const s = Object.fromEntries(stripLoc(m.species).map((x) => [x.id, x]));
    expect(s.A).toEqual({
      id: 'A',
      compartment: 'c',
      initialConcentration: 10,
      hasOnlySubstanceUnits: false,
      boundaryCondition: false,
      constant: false,
    });
    expect(s.B).toMatchObject({ initialAmount: 5, hasOnlySubstanceUnits: true });
    expect(s.C).toMatchObject({ boundaryCondition: true, constant: false });
    expect(s.D).toMatchObject({ boundaryCondition: true, constant: false });
    expect(s.E).toMatchObject({ boundaryCondition: true, constant: true });
    expect(s.F).toMatchObject({ initialAmount: 4 });
    expect(s.F.initialConcentration).toBeUndefined();
  });

  it('species in reactions are declared automatically in default_compartment', () => {
    const m = parseModel(wrap('A -> B; k*A\nk = 1\nA = 1\nB = 0'));
    expect(m.compartments).toEqual([{ id: 'default_compartment', size: 1, constant: true }]);
    expect(m.species.map((s) => [s.id, s.compartment, s.initialConcentration])).toEqual([
      ['A', 'default_compartment', 1],
      ['B', 'default_compartment', 0],
    ]);
    expect(m.reactions[0].id).toBe('_J0');
  });

  it('parameters, initial assignments, assignment, rate and algebraic rules', () => {
    const m = parseModel(
      wrap("k1 = 0.1\nk2 = 2*k1\nx := k1 + 1\ny = 0\ny' = -k1*y\n0 = x - 2*k2 + z\nvar z = 1\nconst c = -3"),
    );
    expect(stripLoc(m.parameters)).toEqual([
      { id: 'k1', value: 0.1, constant: true },
      { id: 'k2', constant: true },
      { id: 'x', constant: false },
      { id: 'y', value: 0, constant: false },
      { id: 'z', value: 1, constant: false },
      { id: 'c', value: -3, constant: true },
    ]);
    expect(stripLoc(m.initialAssignments)).toEqual([
      {
        symbol: 'k2',
        math: {
          kind: 'call',
          op: 'times',
          args: [
            { kind: 'num', value: 2 },
            { kind: 'sym', name: 'k1' },
          ],
        },
      },
    ]);
    expect(m.rules.map((r) => r.kind)).toEqual(['assignment', 'rate', 'algebraic']);
    expect(m.rules[0]).toMatchObject({ kind: 'assignment', variable: 'x', loc: { line: 4, column: 1 } });
    expect(m.rules[1]).toMatchObject({ kind: 'rate', variable: 'y' });
  });

  it('reactions: reversible ->, irreversible =>, stoichiometry, empty sides, modifiers, compartments', () => {
    const m = parseModel(
      wrap(
        'J1: A + 2 B -> C; k1*A*B*E\nJ2: C => ; k2*C\n-> A; k0\nJ3 in cell: $E => 2.5 F\nk0 = 1; k1 = 1; k2 = 1\ncompartment cell = 1',
      ),
    );
    const j1 = rx(m, 'J1');
    expect(j1.reversible).toBe(true);
    expect(j1.reactants).toEqual([
      { species: 'A', stoichiometry: 1, constant: true },
      { species: 'B', stoichiometry: 2, constant: true },
    ]);
    expect(j1.modifiers).toEqual(['E']);
    expect(rx(m, 'J2').reversible).toBe(false);
    expect(rx(m, 'J2').products).toEqual([]);
    expect(rx(m, '_J0').reactants).toEqual([]);
    expect(rx(m, 'J3').compartment).toBe('cell');
    expect(rx(m, 'J3').kinetics).toBeUndefined();
    expect(rx(m, 'J3').products[0].stoichiometry).toBe(2.5);
    expect(m.species.find((s) => s.id === 'E')!.boundaryCondition).toBe(true);
  });

  it('local parameters with J.k = value, mass action, named stoichiometry, explicit modifiers', () => {
    const m = parseModel(
      wrap(
        'J1: A -> B; k*A\nJ1.k = 0.5 per_day\nJ2: A + B -> C; mass_action(kf, kr)\nJ3: n A => B; mass_action(kf)\nn = 2\nM -o J3\nkf = 1; kr = 2; A = 1; B = 1; C = 0; M = 1',
      ),
    );
    expect(stripLoc(rx(m, 'J1').localParameters)).toEqual([
      { id: 'k', value: 0.5, constant: true, units: 'per_day' },
    ]);
    expect(rx(m, 'J1').kinetics).toMatchObject({ kind: 'law' });
    expect(stripLoc(rx(m, 'J2').kinetics)).toEqual({
      kind: 'massAction',
      forward: { kind: 'sym', name: 'kf' },
      reverse: { kind: 'sym', name: 'kr' },
    });
    expect(rx(m, 'J3').reactants).toEqual([{ species: 'A', stoichiometry: 2, id: 'n', constant: true }]);
    expect(rx(m, 'J3').modifiers).toEqual(['M']);
    expect(m.parameters.map((p) => p.id)).not.toContain('n');
    expect(m.unitDefinitions.map((u) => u.id)).toEqual(['per_day']);
  });

  it('function definitions and calls', () => {
    const m = parseModel(wrap('function hill(x, k, n)\n  x^n/(k^n + x^n)\nend\ny := hill(2, 1, 3)'));
    expect(m.functions[0].args).toEqual(['x', 'k', 'n']);
    expect(stripLoc(m.rules[0])).toMatchObject({ math: { kind: 'apply', fn: 'hill' } });
    expect(m.rules[0].kind === 'assignment' && m.rules[0].math.loc).toEqual({ line: 5, column: 6 });
  });

  it('events: options, Antimony "after" delay, defaults', () => {
    const m = parseModel(
      wrap(
        'A = 1; var k1 = 1\nE1: at (time > 10 && A < 5), delay = 2, priority = 1, persistent = false, t0 = false, fromTrigger = false: A = 0, k1 = k1/2\nat 3 after (A > 2): A = 1',
      ),
    );
    const [e1, e0] = m.events;
    expect(e1).toMatchObject({
      id: 'E1',
      trigger: { initialValue: false, persistent: false },
      useValuesFromTriggerTime: false,
    });
    expect(stripLoc(e1.delay)).toEqual({ kind: 'num', value: 2 });
    expect(stripLoc(e1.priority)).toEqual({ kind: 'num', value: 1 });
    expect(e1.assignments.map((a) => a.variable)).toEqual(['A', 'k1']);
    expect(e0).toMatchObject({
      id: '_E0',
      trigger: { initialValue: true, persistent: true },
      useValuesFromTriggerTime: true,
    });
    expect(stripLoc(e0.delay)).toEqual({ kind: 'num', value: 3 });
  });

  it('expressions: precedence, unary minus, power, constants, logic, piecewise', () => {
    const m = parseModel(
      wrap(
        'a = -2^2\nb = 2^-1\nc = pi\nd := piecewise(1, time > 2, 0)\nf := exponentiale + avogadro\ng := x && !y || x xor y\nx = 1; y = 0\nh := if(x > 1, 2, 3)\ni := 1 < x < 3\nj := log(2, 8) + ceil(x)',
      ),
    );
    const ia = Object.fromEntries(m.initialAssignments.map((i) => [i.symbol, stripLoc(i.math)]));
    expect(ia.a).toEqual({
      kind: 'call',
      op: 'minus',
      args: [
        {
          kind: 'call',
          op: 'power',
          args: [
            { kind: 'num', value: 2 },
            { kind: 'num', value: 2 },
          ],
        },
      ],
    });
    expect(ia.b).toEqual({
      kind: 'call',
      op: 'power',
      args: [
        { kind: 'num', value: 2 },
        { kind: 'num', value: -1 },
      ],
    });
    expect(m.parameters.find((p) => p.id === 'c')!.value).toBe(Math.PI);
    const rule = (v: string) => {
      const r = m.rules.find((x) => x.kind === 'assignment' && x.variable === v)!;
      return stripLoc(r.math);
    };
    expect(rule('d')).toEqual({
      kind: 'piecewise',
      pieces: [
        {
          value: { kind: 'num', value: 1 },
          condition: { kind: 'call', op: 'gt', args: [{ kind: 'time' }, { kind: 'num', value: 2 }] },
        },
      ],
      otherwise: { kind: 'num', value: 0 },
    });
    expect(rule('f')).toEqual({
      kind: 'call',
      op: 'plus',
      args: [{ kind: 'num', value: Math.E }, { kind: 'avogadro' }],
    });
    expect(rule('g')).toMatchObject({
      op: 'or',
      args: [{ op: 'and', args: [{ name: 'x' }, { op: 'not' }] }, { op: 'xor' }],
    });
    expect(rule('h')).toMatchObject({ kind: 'piecewise', otherwise: { value: 3 } });
    expect(rule('i')).toMatchObject({ op: 'lt', args: [{ value: 1 }, { name: 'x' }, { value: 3 }] });
    expect(rule('j')).toMatchObject({ op: 'plus', args: [{ op: 'log' }, { op: 'ceiling' }] });
  });

  it('a model may shadow the constant e with its own symbol', () => {
    const m = parseModel(wrap('e = 2\nx := e + 1'));
    expect(stripLoc(m.rules[0])).toMatchObject({
      math: { args: [{ kind: 'sym', name: 'e' }, { value: 1 }] },
    });
  });

  it('units: definitions, predefined units, has, inline, model units', () => {
    const m = parseModel(
      wrap(
        'unit per_d = 1 / day\nunit cells = item\nunit mM2 = 10^-3 mole / litre\nk has per_d\nk = 0.1\nv = 3 mg\ntimeUnits = day\nsubstanceUnits = cells',
      ),
    );
    expect(m.unitDefinitions).toEqual([
      {
        id: 'per_d',
        terms: [{ kind: 'second', exponent: -1, scale: 0, multiplier: 86400 }],
        loc: { line: 2, column: 6 },
      },
      {
        id: 'cells',
        terms: [{ kind: 'item', exponent: 1, scale: 0, multiplier: 1 }],
        loc: { line: 3, column: 6 },
      },
      {
        id: 'mM2',
        terms: [
          { kind: 'mole', exponent: 1, scale: -3, multiplier: 1 },
          { kind: 'litre', exponent: -1, scale: 0, multiplier: 1 },
        ],
        loc: { line: 4, column: 6 },
      },
      { id: 'day', terms: [{ kind: 'second', exponent: 1, scale: 0, multiplier: 86400 }] },
      { id: 'mg', terms: [{ kind: 'gram', exponent: 1, scale: -3, multiplier: 1 }] },
    ]);
    expect(m.parameters.map((p) => [p.id, p.value, p.units])).toEqual([
      ['k', 0.1, 'per_d'],
      ['v', 3, 'mg'],
    ]);
    expect(m.units).toEqual({ time: 'day', substance: 'cells' });
  });

  it('provenance, display names, notes, SBO terms', () => {
    const m = parseModel(
      wrap(
        'd0 = 0.003 per_day  @source(kb = "michor2005.d0", evidence = V, citation = "Michor 2005", refs = ["doi:10.1038/nature03669"])\nd0 is "stem cell death"\nd0 notes "exit rate"\nd0.sboTerm = 9',
      ),
    );
    expect(stripLoc(m.parameters[0])).toEqual({
      id: 'd0',
      value: 0.003,
      constant: true,
      units: 'per_day',
      name: 'stem cell death',
      notes: 'exit rate',
      sboTerm: 'SBO:0000009',
      source: {
        kb: 'michor2005.d0',
        evidence: 'V',
        citation: 'Michor 2005',
        refs: ['doi:10.1038/nature03669'],
      },
    });
  });

  it('a file without a model block is one model named after the file', () => {
    const m = parseModel('A -> ; k*A\nA = 1; k = 1\n', 'dir/my-model.exm');
    expect(m.id).toBe('my_model');
  });

  it('puts locations on elements and expression nodes', () => {
    const r = parseModelWithDiagnostics(wrap('k = 1\nJ1: A -> ; k*A\nA = 1'), 'x.exm');
    const j = r.model!.reactions[0];
    expect(j.loc).toEqual({ file: 'x.exm', line: 3, column: 1 });
    expect(j.kinetics?.kind === 'law' && j.kinetics.math).toMatchObject({
      loc: { line: 3, column: 13 },
      args: [{ kind: 'sym', name: 'k', loc: { line: 3, column: 12 } }, { loc: { line: 3, column: 14 } }],
    });
  });
});
