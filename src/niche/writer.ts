/**
 * A small accumulator that writes the niche model as model-language text (docs/model-language.md), which
 * `parseModel` then turns into the IR. Text keeps the generated model readable (`printModel` round-trips it) and
 * gets the parser's checks for free. Every number enters through {@link ModelWriter.kb} (a knowledge-base
 * parameter, with its key and evidence tag as provenance) or {@link ModelWriter.computed} (a value derived here from
 * knowledge-base entries, e.g. a drug effect from PK/PD, tagged C).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { Evidence } from '../knowledge/schema/common.js';

/** One parameter of the generated model and where its value came from. */
export interface ParameterUse {
  readonly id: string;
  /** Knowledge-base key (absent for values computed from several entries). */
  readonly key?: string;
  readonly value: number;
  readonly evidence: Evidence;
  /** What the value means in the model (for the documentation). */
  readonly role?: string;
}

const num = (v: number): string => {
  if (!Number.isFinite(v)) throw new Error(`niche model: non-finite value ${v}`);
  return String(v);
};

export class ModelWriter {
  private readonly decl: string[] = [];
  private readonly body: string[] = [];
  private readonly tail: string[] = [];
  private readonly ids = new Set<string>();
  readonly uses: ParameterUse[] = [];

  constructor(readonly base: KnowledgeBase) {}

  private claim(id: string): void {
    if (this.ids.has(id)) throw new Error(`niche model: duplicate symbol '${id}'`);
    this.ids.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** A constant parameter `id` bound to knowledge-base entry `key`; `scale` multiplies it (unit conversion). */
  kb(id: string, key: string, role?: string, scale = 1): string {
    if (this.ids.has(id)) return id;
    const p = this.kb_(key);
    this.claim(id);
    const value = p.value * scale;
    const ev = p.evidence === 'U' ? 'A' : p.evidence;
    this.decl.push(`  ${id} = ${num(value)} @source(kb = "${key}", evidence = ${ev})`);
    this.uses.push({ id, key, value, evidence: p.evidence, ...(role ? { role } : {}) });
    return id;
  }

  private kb_(key: string) {
    return this.base.parameter(key);
  }

  /** A constant parameter computed here from knowledge-base entries (evidence C, or the weakest input's tag). */
  computed(id: string, value: number, evidence: Evidence, role: string): string {
    this.claim(id);
    this.decl.push(`  ${id} = ${num(value)}`);
    this.uses.push({ id, value, evidence, role });
    return id;
  }

  /** A model option (switch, intervention level, channel scale) set by the builder's options. */
  option(id: string, value: number, role: string): string {
    this.claim(id);
    this.decl.push(`  ${id} = ${num(value)}`);
    this.uses.push({ id, value, evidence: 'C', role: `option: ${role}` });
    return id;
  }

  /** A parameter that events change (`var`). */
  variable(id: string, value: number, role: string): string {
    this.claim(id);
    this.decl.push(`  var ${id} = ${num(value)}`);
    this.uses.push({ id, value, evidence: 'C', role });
    return id;
  }

  /** A species (cell count or exosome pool) with its initial value given by an expression. */
  species(id: string, init: string, description: string): string {
    this.claim(id);
    this.body.push(
      `  substanceOnly species ${id} in marrow`,
      `  ${id} = ${init}`,
      `  ${id} is "${description}"`,
    );
    return id;
  }

  /** An assignment rule `id := expr` (an observable or an intermediate). */
  assign(id: string, expr: string, description?: string): string {
    this.claim(id);
    this.body.push(`  ${id} := ${expr}`);
    if (description) this.body.push(`  ${id} is "${description}"`);
    return id;
  }

  reaction(id: string, lhs: string, rhs: string, rate: string): void {
    this.claim(id);
    this.tail.push(`  ${id}: ${lhs} => ${rhs}; ${rate}`);
  }

  event(id: string, trigger: string, assignments: string): void {
    this.claim(id);
    this.tail.push(`  ${id}: at (${trigger}), t0 = false: ${assignments}`);
  }

  text(modelId: string, title: string): string {
    return [
      `model ${modelId} "${title}"`,
      '  timeUnits = month',
      '  compartment marrow = 1   # nominal: quantities are cell or exosome counts',
      ...this.decl,
      ...this.body,
      ...this.tail,
      'end',
      '',
    ].join('\n');
  }
}
