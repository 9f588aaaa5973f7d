import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/models/diagnostic.js';
import { emptyModel } from '../../src/models/ir.js';
import { parseModelWithDiagnostics } from '../../src/models/text/index.js';
import { validateModel } from '../../src/models/validate.js';

const check = (body: string) =>
  parseModelWithDiagnostics(`model m\n${body}\nend\n`, 'model.exm').diagnostics.map(formatDiagnostic);

describe('validateModel', () => {
  it('accepts a consistent model with units', () => {
    expect(
      check(
        'substanceUnits = mole\ntimeUnits = second\nvolumeUnits = litre\ncompartment c = 2 litre\nspecies A in c = 1\nk = 0.5 per_second\nJ1: A -> ; k*A*c',
      ),
    ).toEqual([]);
  });
  it('flags a concentration/time rate law and suggests the volume', () => {
    expect(
      check(
        'substanceUnits = mole\ntimeUnits = second\nvolumeUnits = litre\ncompartment c = 2 litre\nspecies A in c = 1\nk = 0.5 per_second\nJ1: A -> ; k*A',
      ),
    ).toEqual([
      'model.exm:8:12: error: rate law of J1 has units mole/litre/second (concentration/time), expected substance/time (mole/second): multiply by the compartment volume',
    ]);
  });
  it('flags sums of different dimensions, non-dimensionless exp arguments, wrong rate-rule units', () => {
    expect(
      check("timeUnits = day\nx = 1 mg\ny = 2 day\nz := x + y\nw := exp(y)\nvar v = 1 mg\nv' = x"),
    ).toEqual([
      'model.exm:5:8: error: addition of quantities with different units: mg and day',
      'model.exm:6:6: error: the argument of exp() must be dimensionless, but has units day',
      'model.exm:8:6: error: rate rule for v has units mg, expected v/time (mg/day)',
    ]);
  });
  it('never flags models without units', () => {
    expect(check('A = 1; k = 2\nJ1: A -> ; k*A + exp(A)\nx := A + k')).toEqual([]);
  });
  it('works on IR without locations (e.g. from SBML)', () => {
    const m = {
      ...emptyModel('m'),
      parameters: [{ id: 'k', constant: true }],
      rules: [{ kind: 'assignment' as const, variable: 'q', math: { kind: 'sym' as const, name: 'k' } }],
    };
    expect(validateModel(m).map(formatDiagnostic)).toEqual([
      "error: unknown symbol 'q' as the target of the assignment rule for q",
      "warning: parameter k has no value (give it one with 'k = ...')",
    ]);
  });
  it('checks IR from other front ends: undeclared species and compartments, duplicate ids, cycles', () => {
    const m = {
      ...emptyModel('m'),
      compartments: [{ id: 'c', size: 1, constant: true }],
      species: [
        {
          id: 'A',
          compartment: 'cel',
          initialAmount: 1,
          hasOnlySubstanceUnits: true,
          boundaryCondition: false,
          constant: false,
        },
      ],
      parameters: [
        { id: 'A', value: 1, constant: true },
        { id: 'k', value: 1, constant: false },
      ],
      initialAssignments: [{ symbol: 'k', math: { kind: 'sym' as const, name: 'k' } }],
      reactions: [
        {
          id: 'J1',
          reversible: false,
          reactants: [{ species: 'B', stoichiometry: 1 }],
          products: [],
          modifiers: [],
          kinetics: { kind: 'law' as const, math: { kind: 'call' as const, op: 'exp' as const, args: [] } },
          localParameters: [],
        },
      ],
    };
    expect(validateModel(m).map(formatDiagnostic)).toEqual([
      "error: duplicate id 'A': already a species",
      "error: species A is in 'cel', which is not a compartment",
      'error: cyclic initial assignments: k -> k',
      "error: reaction J1 refers to 'B', which is not a species",
      'error: exp() takes 1 argument, got 0 in the rate law of J1',
    ]);
  });
  it('reports an event assigning to a variable with an assignment rule and rules on reactions', () => {
    expect(check('A = 1\nJ1: A -> ; A\nx := 1\nat (time > 1): x = 2\nJ1 := 3')).toEqual([
      "model.exm:5:16: error: event _E0 assigns to 'x', which is set by an assignment rule",
      "model.exm:6:1: error: the assignment rule for J1 cannot set the reaction 'J1'",
    ]);
  });
});
