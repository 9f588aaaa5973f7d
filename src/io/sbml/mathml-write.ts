/**
 * Expression tree -> content MathML (SBML L3V2 subset), the inverse of `mathml-read.ts`.
 *
 * Deterministic: one element per line, two-space indentation. Numbers: integers as `type="integer"`,
 * numbers whose shortest decimal form has an exponent as `type="e-notation"`, others as reals; the
 * shortest round-trip decimal (JavaScript's `String(number)`) is used, so reading gives back the same double.
 * pi and e are written as `<pi/>` and `<exponentiale/>`, infinities and NaN as `<infinity/>` and
 * `<notanumber/>` (with units: the rationals 1/0, -1/0, 0/0), and 1/0 in boolean positions (conditions, logical
 * operands) as `<true/>`/`<false/>`.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { CSYMBOL } from './mathml-read.js';
import { escapeAttr, escapeText } from './xml.js';

const BOOLEAN_OPERAND_OPS = new Set(['and', 'or', 'xor', 'not', 'implies']);

/** Writes `<math>` for an expression. `boolean`: the expression is a condition (trigger). */
export function writeMath(e: Expr, indent: string, boolean = false): string {
  const out: string[] = [`${indent}<math xmlns="http://www.w3.org/1998/Math/MathML">`];
  node(e, `${indent}  `, boolean, out);
  out.push(`${indent}</math>`);
  return out.join('\n');
}

/** Writes a function definition's `<math><lambda>...`. */
export function writeLambda(args: readonly string[], body: Expr, indent: string): string {
  const out: string[] = [`${indent}<math xmlns="http://www.w3.org/1998/Math/MathML">`, `${indent}  <lambda>`];
  for (const a of args)
    out.push(`${indent}    <bvar>`, `${indent}      <ci> ${escapeText(a)} </ci>`, `${indent}    </bvar>`);
  node(body, `${indent}    `, false, out);
  out.push(`${indent}  </lambda>`, `${indent}</math>`);
  return out.join('\n');
}

function cn(v: number, units: string | undefined): string {
  const u = units !== undefined ? ` sbml:units="${escapeAttr(units)}"` : '';
  if (Object.is(v, -0)) return `<cn${u}> -0 </cn>`;
  if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER)
    return `<cn type="integer"${u}> ${v} </cn>`;
  const s = String(v);
  const k = s.indexOf('e');
  if (k >= 0)
    return `<cn type="e-notation"${u}> ${s.slice(0, k)} <sep/> ${s.slice(k + 1).replace('+', '')} </cn>`;
  return `<cn${u}> ${s} </cn>`;
}

function node(e: Expr, ind: string, boolean: boolean, out: string[]): void {
  switch (e.kind) {
    case 'num': {
      const v = e.value;
      if (e.units === undefined) {
        if (boolean && (v === 1 || v === 0)) return void out.push(`${ind}<${v === 1 ? 'true' : 'false'}/>`);
        if (v === Math.PI) return void out.push(`${ind}<pi/>`);
        if (v === Math.E) return void out.push(`${ind}<exponentiale/>`);
        if (v === Number.POSITIVE_INFINITY) return void out.push(`${ind}<infinity/>`);
        if (Number.isNaN(v)) return void out.push(`${ind}<notanumber/>`);
        if (v === Number.NEGATIVE_INFINITY)
          return void out.push(`${ind}<apply>`, `${ind}  <minus/>`, `${ind}  <infinity/>`, `${ind}</apply>`);
      } else if (!Number.isFinite(v)) {
        // <infinity/> and <notanumber/> cannot carry units, and MathML <cn> content must be a decimal number
        // (libSBML rejects "INF" there, error 99220), so non-finite values with units are written as the
        // rationals 1/0, -1/0 and 0/0, which IEEE division (libSBML, mathml-read.ts) evaluates to them.
        const s = Number.isNaN(v) ? '0' : v > 0 ? '1' : '-1';
        return void out.push(
          `${ind}<cn type="rational" sbml:units="${escapeAttr(e.units)}"> ${s} <sep/> 0 </cn>`,
        );
      }
      out.push(ind + cn(v, e.units));
      return;
    }
    case 'sym':
      out.push(`${ind}<ci> ${escapeText(e.name)} </ci>`);
      return;
    case 'time':
      out.push(`${ind}<csymbol encoding="text" definitionURL="${CSYMBOL.time}"> time </csymbol>`);
      return;
    case 'avogadro':
      out.push(`${ind}<csymbol encoding="text" definitionURL="${CSYMBOL.avogadro}"> avogadro </csymbol>`);
      return;
    case 'piecewise': {
      out.push(`${ind}<piecewise>`);
      for (const p of e.pieces) {
        out.push(`${ind}  <piece>`);
        node(p.value, `${ind}    `, boolean, out);
        node(p.condition, `${ind}    `, true, out);
        out.push(`${ind}  </piece>`);
      }
      if (e.otherwise) {
        out.push(`${ind}  <otherwise>`);
        node(e.otherwise, `${ind}    `, boolean, out);
        out.push(`${ind}  </otherwise>`);
      }
      out.push(`${ind}</piecewise>`);
      return;
    }
    case 'apply':
      out.push(`${ind}<apply>`, `${ind}  <ci> ${escapeText(e.fn)} </ci>`);
      for (const a of e.args) node(a, `${ind}  `, false, out);
      out.push(`${ind}</apply>`);
      return;
    case 'call': {
      const a = e.args;
      const i2 = `${ind}  `;
      out.push(`${ind}<apply>`);
      const qual = (q: 'degree' | 'logbase', v: Expr): void => {
        out.push(`${i2}<${q}>`);
        node(v, `${i2}  `, false, out);
        out.push(`${i2}</${q}>`);
      };
      let args: readonly Expr[] = a;
      switch (e.op) {
        case 'sqrt':
          out.push(`${i2}<root/>`);
          break;
        case 'root':
          out.push(`${i2}<root/>`);
          qual('degree', a[0]);
          args = a.slice(1);
          break;
        case 'log10':
          out.push(`${i2}<log/>`);
          break;
        case 'log':
          out.push(`${i2}<log/>`);
          qual('logbase', a[0]);
          args = a.slice(1);
          break;
        case 'delay':
          out.push(`${i2}<csymbol encoding="text" definitionURL="${CSYMBOL.delay}"> delay </csymbol>`);
          break;
        case 'rateOf':
          out.push(`${i2}<csymbol encoding="text" definitionURL="${CSYMBOL.rateOf}"> rateOf </csymbol>`);
          break;
        default:
          out.push(`${i2}<${e.op}/>`);
      }
      const boolArgs = BOOLEAN_OPERAND_OPS.has(e.op);
      for (const x of args) node(x, i2, boolArgs, out);
      out.push(`${ind}</apply>`);
      return;
    }
  }
}
