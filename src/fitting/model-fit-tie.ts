/**
 * Ties: a parameter computed from others at the start of every simulation, as an initial assignment added to the
 * model (SBML semantics: recomputed whenever its inputs change, unless overridden). Fitting needs this when a
 * published initial value is itself derived from fitted parameters, e.g. the quasi-equilibrium of quiescent LSCs
 * X_init = pyx*Y_init/pxy of the Hähnel 2020 transcription (cml-models.md §3.3): fitting pyx, pxy or Y_init with
 * X_init frozen at its published number would break that relation. The forward sensitivities see the tie through
 * the initial-value function (src/models/sensitivity.ts).
 *
 * Grammar (deliberately small): a product of factors, each an identifier or a positive number, joined by * and /,
 * e.g. `pyx*Y_init/pxy` or `0.5*K`.
 */
import type { Model } from '../models/ir.js';
import { call, type Expr, num, sym } from '../numerics/expr/ast.js';
import { ModelFitError } from './model-fit.js';

/** Parses `a*b/c` into an expression over parameter ids of `model`; throws naming the tie and the bad factor. */
export function parseTie(target: string, text: string, model: Model): Expr {
  const ids = new Set(model.parameters.map((p) => p.id));
  if (!ids.has(target))
    throw new ModelFitError(`tie '${target}=${text}': '${target}' is not a parameter of model '${model.id}'`);
  const src = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9_.eE+\-*/]+$/.test(src) || src === '')
    throw new ModelFitError(
      `tie '${target}=${text}': expected a product like a*b/c of parameter ids and numbers`,
    );
  const num_: Expr[] = [];
  const den: Expr[] = [];
  let op = '*';
  for (const tok of src.split(/([*/])/)) {
    if (tok === '*' || tok === '/') {
      op = tok;
      continue;
    }
    let f: Expr;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(tok)) {
      if (!ids.has(tok))
        throw new ModelFitError(
          `tie '${target}=${text}': '${tok}' is not a parameter of model '${model.id}'`,
        );
      if (tok === target)
        throw new ModelFitError(`tie '${target}=${text}': a parameter cannot depend on itself`);
      f = sym(tok);
    } else {
      const v = Number(tok);
      if (tok === '' || !(Number.isFinite(v) && v > 0))
        throw new ModelFitError(
          `tie '${target}=${text}': '${tok}' is neither a parameter id nor a positive number`,
        );
      f = num(v);
    }
    (op === '*' ? num_ : den).push(f);
  }
  const top = num_.length === 0 ? num(1) : num_.length === 1 ? num_[0] : call('times', ...num_);
  if (den.length === 0) return top;
  return call('divide', top, den.length === 1 ? den[0] : call('times', ...den));
}

/** The model with `target = expression` initial assignments (replacing any existing one for the same symbol). */
export function tieParameters(model: Model, ties: Readonly<Record<string, string>>): Model {
  const entries = Object.entries(ties);
  if (entries.length === 0) return model;
  const math = new Map(entries.map(([t, e]) => [t, parseTie(t, e, model)]));
  return {
    ...model,
    initialAssignments: [
      ...model.initialAssignments.filter((a) => !math.has(a.symbol)),
      ...[...math].map(([symbol, m]) => ({ symbol, math: m })),
    ],
  };
}
