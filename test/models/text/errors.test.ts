import { describe, expect, it } from 'vitest';
import { formatDiagnostic, ModelError } from '../../../src/models/diagnostic.js';
import { parseModel, parseModelWithDiagnostics } from '../../../src/models/text/index.js';

/** Error lines (formatted like a compiler) for a model body; line 1 is `model m`. */
function errors(body: string): string[] {
  const r = parseModelWithDiagnostics(`model m\n${body}\nend\n`, 'model.exm');
  return r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

describe('model language: error messages with positions', () => {
  it('unknown symbol in a rate law, with a suggestion', () => {
    expect(errors('A = 1; B = 1; k = 1\nJ2: B -> A; k*Bx')).toEqual([
      "model.exm:3:15: error: unknown symbol 'Bx' in the rate law of J2 (did you mean 'B'?)",
    ]);
  });
  it("missing ';' after the reaction equation", () => {
    expect(errors('A = 1; k = 1\nJ1: A -> B k*A')).toEqual([
      "model.exm:3:12: error: expected ';' after reaction equation, found 'k'",
    ]);
  });
  it('duplicate reaction ids', () => {
    expect(errors('A = 1; B = 1\nJ1: A -> B; 1\nJ1: B -> A; 1')).toEqual([
      "model.exm:4:1: error: duplicate reaction id 'J1' (first defined at line 3)",
    ]);
  });
  it('a species used as a compartment', () => {
    expect(errors('species A = 1\nspecies B in A = 1')).toContain(
      "model.exm:3:14: error: 'A' is used as a compartment here but is already a species (line 2)",
    );
  });
  it('wrong arity of built-in and user functions, and log with one argument', () => {
    expect(errors('x = exp(1, 2)\nfunction f(a, b) a*b end\ny = f(1)\nz = log(3)')).toEqual([
      'model.exm:2:5: error: exp() takes 1 argument, got 2 in the initial assignment of x',
      'model.exm:4:5: error: function f(a, b) takes 2 arguments, got 1 in the initial assignment of y',
      'model.exm:5:5: error: log() takes 2 arguments, got 1 in the initial assignment of z: write ln(x) or log10(x), or log(base, x)',
    ]);
  });
  it('an event assigning to a constant', () => {
    expect(errors('const k = 1\nat (time > 1): k = 2')).toEqual([
      "model.exm:3:16: error: event _E0 assigns to 'k', which is constant (declare it 'var')",
    ]);
  });
  it('cyclic assignment rules, reporting the cycle', () => {
    expect(errors('a := b + 1\nb := c*2\nc := a')).toEqual([
      'model.exm:2:1: error: cyclic assignment rules: a -> b -> c -> a',
    ]);
  });
  it('a variable with both an assignment rule and a rate rule', () => {
    expect(errors("x := 1\nx' = 2")).toEqual([
      "model.exm:3:1: error: 'x' has both an assignment rule and a rate rule (the assignment rule is at line 2)",
    ]);
  });
  it('an unknown function and an unknown unit', () => {
    expect(errors('x = hil(1)\ny = 2 mgg')).toEqual([
      "model.exm:2:5: error: unknown function 'hil' in the initial assignment of x",
      "model.exm:3:7: error: unknown unit 'mgg' (did you mean 'mg'?)",
    ]);
  });
  it('a function body using a model symbol', () => {
    expect(errors('k = 1\nfunction f(x) x*k end')).toEqual([
      "model.exm:3:17: error: unknown symbol 'k' in the body of function f: a function body can use only its arguments (x)",
    ]);
  });
  it('syntax errors: missing expression, unterminated parenthesis, bad event option, bad evidence tag', () => {
    expect(
      errors('q = 3 +\nr = (1 + 2\nat (time > 1), dealy = 2: q = 1\nk = 1 @source(evidence = X)'),
    ).toEqual([
      'model.exm:2:8: error: expected an expression, found end of line',
      "model.exm:4:1: error: expected ')' to close the parenthesis (the '(' is at line 3, column 5), found 'at'",
      "model.exm:4:16: error: unknown event option 'dealy': expected delay, priority, persistent, t0 or fromTrigger",
      "model.exm:5:26: error: unknown evidence tag 'X': expected one of V, V2, T, C, R, A",
    ]);
  });
  it('a species changed by a reaction and a rule must be a boundary species', () => {
    expect(errors('A = 1\nJ1: A -> ; 1\nA := 2')).toEqual([
      'model.exm:4:1: error: species A is set by a assignment rule and changed by reaction J1: make it a boundary species ($A)',
    ]);
  });
  it('reserved words cannot be ids; statements after end are rejected', () => {
    const r = parseModelWithDiagnostics('model m\n  time = 1\nend\nk = 2\n', 'model.exm');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
      "model.exm:2:3: error: 'time' is a reserved word and cannot name a model element",
      "model.exm:4:1: error: statement after the model's 'end': put it inside the model",
    ]);
  });
  it('parseModel throws a ModelError listing every error', () => {
    try {
      parseModel('model m\nx = foo\ny = bar\nend\n', 'a.exm');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).message).toBe(
        "a.exm:2:5: error: unknown symbol 'foo' in the initial assignment of x\na.exm:3:5: error: unknown symbol 'bar' in the initial assignment of y",
      );
      expect((e as ModelError).diagnostics).toHaveLength(2);
    }
  });
});
