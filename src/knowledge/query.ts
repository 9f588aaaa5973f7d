/**
 * Questions asked of a loaded knowledge base: the mutation x drug table (with fold resistance derived within one
 * study), channel filters, parameter and reference listings, free-text search and "show me this entry with its
 * sources". Pure functions over a {@link KnowledgeBase}; the `exoniche kb` command only formats what they return.
 * Bad filters throw {@link QueryError} with the closest valid names.
 */
import type { KnowledgeBase, Origin } from './load.js';
import { CellType, type Channel, type Conflict } from './schema/channel.js';
import type { Evidence, Parameter, Reference } from './schema/common.js';
import type { ClinicalCategory, Ic50, Mutation, Sensitivity } from './schema/mutation.js';

/** A query that cannot be answered as asked (unknown drug, cell type, key, ...). `suggestions` are close names. */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    message: string,
    readonly suggestions: readonly string[] = [],
  ) {
    super(
      suggestions.length > 0
        ? `${message} (did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?)`
        : message,
    );
  }
}

/** The six TKIs the knowledge base covers, in clinical order (first to third generation, then allosteric). */
export const TKI_IDS = ['imatinib', 'nilotinib', 'dasatinib', 'bosutinib', 'ponatinib', 'asciminib'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Evidence

/** Strongest first. A derived number is only as good as its weakest input. */
const EVIDENCE_ORDER: readonly Evidence[] = ['V', 'V2', 'T', 'C', 'A', 'R', 'U'];

export function weakestEvidence(...tags: readonly Evidence[]): Evidence {
  let worst = 0;
  for (const t of tags) worst = Math.max(worst, EVIDENCE_ORDER.indexOf(t));
  return EVIDENCE_ORDER[worst];
}

/**
 * The tag of a number computed here from inputs: C when every input is verified or transcribed (V, V2, T, C);
 * otherwise the weakest input's tag, so that a ratio of recalled numbers stays R and is never a pass/fail target.
 */
export function computedEvidence(...inputs: readonly Evidence[]): Evidence {
  const w = weakestEvidence(...inputs);
  return EVIDENCE_ORDER.indexOf(w) <= EVIDENCE_ORDER.indexOf('C') ? 'C' : w;
}

// ---------------------------------------------------------------------------------------------------------------
// Suggestions

/** Levenshtein distance (one row of the dynamic programme), for name suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Up to `n` candidates close to `name` (edit distance, or sharing a prefix), closest first. */
export function closestNames(name: string, candidates: Iterable<string>, n = 3): string[] {
  const q = name.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  for (const c of new Set(candidates)) {
    const l = c.toLowerCase();
    let d = editDistance(q, l);
    if (l.startsWith(q) || q.startsWith(l)) d = Math.min(d, 1);
    else if (q.length >= 3 && l.includes(q)) d = Math.min(d, 2);
    if (d <= Math.max(2, Math.floor(q.length / 3))) scored.push({ c, d });
  }
  scored.sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  return scored.slice(0, n).map((s) => s.c);
}

function unknown(what: string, name: string, candidates: Iterable<string>): QueryError {
  const list = [...new Set(candidates)].sort();
  const near = closestNames(name, list);
  const known =
    near.length === 0 && list.length > 0 && list.length <= 12 ? `; known: ${list.join(', ')}` : '';
  return new QueryError(`unknown ${what} '${name}'${known}`, near);
}

// ---------------------------------------------------------------------------------------------------------------
// Drugs

export interface DrugRow {
  readonly id: string;
  readonly name?: string;
  /** Cellular IC50 on native BCR-ABL1 (the `native` row of the sensitivities). */
  readonly nativeIc50?: Ic50;
  /** Number of mutations with any sensitivity data for this drug. */
  readonly mutations: number;
  readonly origin?: Origin;
}

/** The drugs of the knowledge base (the `drugs` sections), with native potency from the mutation table. */
export function listDrugs(kb: KnowledgeBase): DrugRow[] {
  return kb.drugs.map((d) => {
    const name = (d as { name?: unknown }).name;
    const sens = kb.sensitivities.filter((s) => s.drug === d.id);
    return {
      id: d.id,
      ...(typeof name === 'string' ? { name } : {}),
      nativeIc50: sens.find((s) => s.mutation === 'native')?.ic50,
      mutations: new Set(sens.filter((s) => s.mutation !== 'native').map((s) => s.mutation)).size,
      origin: kb.origin('drugs', d.id),
    };
  });
}

/** Every drug id the knowledge base knows: defined drugs, and drugs named in the mutation table. */
export function knownDrugIds(kb: KnowledgeBase): string[] {
  return [...new Set([...kb.drugs.map((d) => d.id), ...kb.sensitivities.map((s) => s.drug)])];
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations x drugs

/** A fold resistance, either reported by a source or derived here as IC50(mutant)/IC50(native) within one study. */
export interface FoldValue {
  readonly value: number;
  readonly bound?: '>' | '<';
  readonly evidence: Evidence;
  readonly refs: readonly string[];
  readonly derived: boolean;
}

export interface MutationRow {
  readonly mutation: string;
  readonly region: string;
  readonly drug: string;
  readonly ic50?: Ic50;
  readonly otherIc50: readonly Ic50[];
  readonly fold?: FoldValue;
  readonly clinical?: ClinicalCategory;
  readonly evidence: Evidence;
  readonly refs: readonly string[];
  readonly note?: string;
  readonly origin?: Origin;
}

export interface MutationFilter {
  readonly drug?: string;
  readonly mutation?: string;
}

/**
 * Fold resistance of a sensitivity entry: the reported `fold` if any, otherwise IC50(mutant)/IC50(native) using
 * the native value from the same reference (absolute Ba/F3 IC50s differ between laboratories, so a cross-study
 * ratio would be meaningless). Undefined for the native row or when no same-study native value exists.
 */
export function foldOf(kb: KnowledgeBase, s: Sensitivity): FoldValue | undefined {
  if (s.fold) return { ...s.fold, derived: false, refs: s.fold.refs };
  if (s.mutation === 'native') return undefined;
  const native = kb.sensitivities.find((n) => n.mutation === 'native' && n.drug === s.drug);
  if (!native) return undefined;
  const natives = [native.ic50, ...(native.otherIc50 ?? [])].filter((q): q is Ic50 => q !== undefined);
  for (const mut of [s.ic50, ...(s.otherIc50 ?? [])]) {
    if (!mut || mut.bound === '<') continue;
    const base = natives.find((n) => n.bound === undefined && n.refs.some((r) => mut.refs.includes(r)));
    if (!base) continue;
    return {
      value: mut.value / base.value,
      ...(mut.bound ? { bound: mut.bound } : {}),
      evidence: computedEvidence(mut.evidence, base.evidence),
      refs: [...new Set([...mut.refs, ...base.refs])],
      derived: true,
    };
  }
  return undefined;
}

/** The mutation x drug table, in the order mutations are defined and drugs in clinical order. */
export function mutationTable(kb: KnowledgeBase, filter: MutationFilter = {}): MutationRow[] {
  let drug: string | undefined;
  if (filter.drug !== undefined) {
    const ids = knownDrugIds(kb);
    drug = ids.find((d) => d.toLowerCase() === filter.drug?.toLowerCase());
    if (!drug) throw unknown('drug', filter.drug, ids);
  }
  let mutation: string | undefined;
  if (filter.mutation !== undefined) {
    const ids = kb.mutations.map((m) => m.id);
    mutation = ids.find((m) => m.toLowerCase() === filter.mutation?.toLowerCase());
    if (!mutation) throw unknown('mutation', filter.mutation, ids);
  }
  const regionOf = new Map(kb.mutations.map((m) => [m.id, m.region]));
  const mutOrder = new Map(kb.mutations.map((m, i) => [m.id, i]));
  const drugOrder = (d: string) => {
    const i = (TKI_IDS as readonly string[]).indexOf(d);
    return i < 0 ? TKI_IDS.length : i;
  };
  return kb.sensitivities
    .filter(
      (s) => (drug === undefined || s.drug === drug) && (mutation === undefined || s.mutation === mutation),
    )
    .map((s) => ({
      mutation: s.mutation,
      region: regionOf.get(s.mutation) ?? '?',
      drug: s.drug,
      ic50: s.ic50,
      otherIc50: s.otherIc50 ?? [],
      fold: foldOf(kb, s),
      clinical: s.clinical,
      evidence: s.evidence,
      refs: s.refs,
      note: s.note,
      origin: kb.origin('sensitivities', `${s.mutation}/${s.drug}`),
    }))
    .sort(
      (a, b) =>
        (mutOrder.get(a.mutation) ?? 1e9) - (mutOrder.get(b.mutation) ?? 1e9) ||
        a.mutation.localeCompare(b.mutation) ||
        drugOrder(a.drug) - drugOrder(b.drug) ||
        a.drug.localeCompare(b.drug),
    );
}

/** The clinical category of a mutation for a drug, if the table gives one. */
export function clinicalCategory(
  kb: KnowledgeBase,
  mutation: string,
  drug: string,
): ClinicalCategory | undefined {
  return kb.sensitivities.find((s) => s.mutation === mutation && s.drug === drug)?.clinical;
}

/** Drugs to which a mutation is clinically sensitive (the switching rule of ELN: choose one of these). */
export function sensitiveDrugs(kb: KnowledgeBase, mutation: string): string[] {
  return mutationTable(kb, { mutation })
    .filter((r) => r.clinical === 'sensitive')
    .map((r) => r.drug);
}

// ---------------------------------------------------------------------------------------------------------------
// Channels

export interface ChannelFilter {
  readonly donor?: string;
  readonly recipient?: string;
  readonly cargo?: string;
  readonly effect?: string;
}

/** Everyday names for the cell types of the schema (cell lines and synonyms). */
const CELL_ALIASES: Readonly<Record<string, string>> = {
  cml: 'cml-bulk',
  k562: 'cml-bulk',
  lama84: 'cml-bulk',
  huvec: 'endothelium',
  endothelial: 'endothelium',
  ec: 'endothelium',
  msc: 'bmsc',
  'bm-msc': 'bmsc',
  bmmsc: 'bmsc',
  stroma: 'bmsc',
  stromal: 'bmsc',
  hs5: 'bmsc',
};

/** A cell type from a user-typed name (case-insensitive, with aliases such as HUVEC or MSC). */
export function resolveCellType(name: string): string {
  const l = name.toLowerCase();
  const direct = CellType.options.find((c) => c === l);
  if (direct) return direct;
  const alias = CELL_ALIASES[l];
  if (alias) return alias;
  throw unknown('cell type', name, CellType.options);
}

export function channelTable(kb: KnowledgeBase, filter: ChannelFilter = {}): Channel[] {
  const donor = filter.donor === undefined ? undefined : resolveCellType(filter.donor);
  const recipient = filter.recipient === undefined ? undefined : resolveCellType(filter.recipient);
  const cargo = filter.cargo?.toLowerCase();
  if (cargo !== undefined) {
    const all = kb.channels.flatMap((c) => c.cargo);
    if (!all.some((x) => x.toLowerCase().includes(cargo)))
      throw unknown('cargo', filter.cargo as string, all);
  }
  const effect = filter.effect?.toLowerCase();
  if (effect !== undefined) {
    const all = kb.channels.map((c) => c.effect);
    if (!all.includes(effect as Channel['effect'])) throw unknown('effect', filter.effect as string, all);
  }
  return kb.channels.filter(
    (c) =>
      (donor === undefined || c.donor === donor) &&
      (recipient === undefined || c.recipient === recipient) &&
      (cargo === undefined || c.cargo.some((x) => x.toLowerCase().includes(cargo))) &&
      (effect === undefined || c.effect === effect),
  );
}

/** Conflicts that involve any of the given channels (by a position's `channels`). */
export function conflictsFor(kb: KnowledgeBase, channelIds: readonly string[]): Conflict[] {
  const ids = new Set(channelIds);
  return kb.conflicts.filter((c) => c.positions.some((p) => p.channels?.some((id) => ids.has(id))));
}

// ---------------------------------------------------------------------------------------------------------------
// Parameters and references

export interface ParameterRow extends Parameter {
  readonly origin?: Origin;
}

/** Parameters whose key starts with `prefix` (`michor2005` or `michor2005.`), sorted by key. */
export function listParameters(kb: KnowledgeBase, prefix?: string): ParameterRow[] {
  const all = [...kb.parameters.values()].sort((a, b) => a.key.localeCompare(b.key));
  const rows = prefix === undefined ? all : all.filter((p) => p.key === prefix || p.key.startsWith(prefix));
  if (prefix !== undefined && rows.length === 0) {
    const namespaces = all.flatMap((p) => {
      const parts = p.key.split('.');
      return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
    });
    throw unknown('parameter prefix', prefix, [...namespaces, ...all.map((p) => p.key)]);
  }
  return rows.map((p) => ({ ...p, origin: kb.origin('parameters', p.key) }));
}

/** Where an entry cites a reference. */
export interface Citation {
  readonly section: string;
  readonly id: string;
  readonly origin?: Origin;
}

export interface ReferenceRow extends Reference {
  readonly origin?: Origin;
  readonly citedBy: readonly Citation[];
}

function mentions(value: unknown, ref: string): boolean {
  if (Array.isArray(value)) return value.some((v) => mentions(v, ref));
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) =>
      k === 'refs' && Array.isArray(v) ? v.includes(ref) : mentions(v, ref),
    );
  }
  return false;
}

/** Every entry of the knowledge base with its section and id, for citations, search and show. */
export interface EntryRef {
  readonly section: string;
  readonly id: string;
  readonly entry: unknown;
}

export function allEntries(kb: KnowledgeBase): EntryRef[] {
  return [
    ...[...kb.parameters.values()].map((e) => ({ section: 'parameters', id: e.key, entry: e })),
    ...kb.drugs.map((e) => ({ section: 'drugs', id: e.id, entry: e })),
    ...kb.mutations.map((e: Mutation) => ({ section: 'mutations', id: e.id, entry: e })),
    ...kb.sensitivities.map((e) => ({ section: 'sensitivities', id: `${e.mutation}/${e.drug}`, entry: e })),
    ...kb.channels.map((e) => ({ section: 'channels', id: e.id, entry: e })),
    ...kb.conflicts.map((e) => ({ section: 'conflicts', id: e.id, entry: e })),
    ...[...kb.definitions.entries()].map(([id, e]) => ({ section: 'definitions', id, entry: e })),
    ...kb.trials.map((e) => ({ section: 'trials', id: e.id, entry: e })),
    ...[...kb.references.values()].map((e) => ({ section: 'references', id: e.id, entry: e })),
  ];
}

/** References sorted by id, each with the entries that cite it; or one reference when `id` is given. */
export function listReferences(kb: KnowledgeBase, id?: string): ReferenceRow[] {
  let refs = [...kb.references.values()].sort((a, b) => a.id.localeCompare(b.id));
  if (id !== undefined) {
    const r = kb.references.get(id) ?? refs.find((x) => x.id.toLowerCase() === id.toLowerCase());
    if (!r) throw unknown('reference', id, kb.references.keys());
    refs = [r];
  }
  const entries = allEntries(kb).filter((e) => e.section !== 'references');
  return refs.map((r) => ({
    ...r,
    origin: kb.origin('references', r.id),
    citedBy: entries
      .filter((e) => mentions(e.entry, r.id))
      .map((e) => ({ section: e.section, id: e.id, origin: kb.origin(e.section, e.id) })),
  }));
}

/** "Authors (year). Title. Journal volume:pages. doi:… PMID …" */
export function formatCitation(r: Reference): string {
  const title = r.title.endsWith('.') || r.title.endsWith('?') ? r.title : `${r.title}.`;
  let out = `${r.authors} (${r.year}). ${title}`;
  if (r.journal) {
    out += ` ${r.journal}`;
    if (r.volume) out += ` ${r.volume}`;
    if (r.pages) out += `${r.volume ? ':' : ' '}${r.pages}`;
    out += '.';
  }
  if (r.doi) out += ` doi:${r.doi}`;
  if (r.pmid) out += ` PMID ${r.pmid}`;
  if (r.url) out += ` ${r.url}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Search and show

export interface SearchHit {
  readonly section: string;
  readonly id: string;
  /** Field path of the first match, e.g. `readouts[1].target`. */
  readonly field: string;
  readonly text: string;
  readonly origin?: Origin;
}

function strings(value: unknown, path: string, out: { path: string; text: string }[]): void {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (typeof value === 'number') out.push({ path, text: String(value) });
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  }
}

/**
 * Entries whose id or any text field contains every word of `text` (case-insensitive). Id matches come first.
 */
export function search(kb: KnowledgeBase, text: string): SearchHit[] {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) throw new QueryError('empty search text');
  const hits: (SearchHit & { rank: number })[] = [];
  for (const e of allEntries(kb)) {
    const fields = [{ path: 'id', text: e.id }];
    strings(e.entry, '', fields);
    const lower = fields.map((f) => f.text.toLowerCase());
    if (!terms.every((t) => lower.some((l) => l.includes(t)))) continue;
    const first = fields[lower.findIndex((l) => l.includes(terms[0]))];
    const id = e.id.toLowerCase();
    const rank = id === text.toLowerCase() ? 0 : terms.every((t) => id.includes(t)) ? 1 : 2;
    hits.push({
      section: e.section,
      id: e.id,
      field: first.path,
      text: first.text,
      origin: kb.origin(e.section, e.id),
      rank,
    });
  }
  hits.sort((a, b) => a.rank - b.rank);
  return hits.map(({ rank: _rank, ...h }) => h);
}

export interface ShownEntry {
  readonly section: string;
  readonly id: string;
  readonly entry: unknown;
  readonly origin?: Origin;
  /** Every reference the entry cites, resolved, in order of first mention. */
  readonly references: readonly Reference[];
  /** For a mutation x drug entry: the fold resistance (reported or derived). */
  readonly fold?: FoldValue;
}

function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'refs' && Array.isArray(v)) for (const r of v) out.add(String(r));
      else refsIn(v, out);
    }
  }
}

/**
 * An entry by key: a parameter key, a reference / mutation / drug / channel / conflict id, or `MUTATION/DRUG`
 * for a sensitivity. `section:id` picks the section when an id is ambiguous. Matching is exact first, then
 * case-insensitive. Returns every entry with that id (normally one).
 */
export function show(kb: KnowledgeBase, key: string): ShownEntry[] {
  const colon = key.indexOf(':');
  const section = colon > 0 ? key.slice(0, colon) : undefined;
  const id = colon > 0 ? key.slice(colon + 1) : key;
  const entries = allEntries(kb).filter((e) => section === undefined || e.section === section);
  let found = entries.filter((e) => e.id === id);
  if (found.length === 0) found = entries.filter((e) => e.id.toLowerCase() === id.toLowerCase());
  if (found.length === 0) {
    throw unknown(
      section ? `${section} entry` : 'knowledge-base key',
      id,
      entries.map((e) => e.id),
    );
  }
  return found.map((e) => {
    const ids = new Set<string>();
    refsIn(e.entry, ids);
    const references = [...ids].flatMap((r) => {
      const ref = kb.references.get(r);
      return ref ? [ref] : [];
    });
    const fold = e.section === 'sensitivities' ? foldOf(kb, e.entry as Sensitivity) : undefined;
    return {
      section: e.section,
      id: e.id,
      entry: e.entry,
      origin: kb.origin(e.section, e.id),
      references,
      ...(fold ? { fold } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Consistency across files (what the loader cannot check section by section)

/**
 * Cross-references the loader does not check: sensitivities name a known mutation (and a defined drug once any
 * drugs are defined), conflicts name known channels and parameters. Returns messages; empty when consistent.
 */
export function checkConsistency(kb: KnowledgeBase): string[] {
  const issues: string[] = [];
  const mutations = new Set(kb.mutations.map((m) => m.id));
  const drugs = new Set(kb.drugs.map((d) => d.id));
  const channels = new Set(kb.channels.map((c) => c.id));
  const at = (section: string, id: string) => {
    const o = kb.origin(section, id);
    return o ? `${o.file}:${o.line}:${o.column}: ` : '';
  };
  for (const s of kb.sensitivities) {
    const id = `${s.mutation}/${s.drug}`;
    if (!mutations.has(s.mutation))
      issues.push(`${at('sensitivities', id)}sensitivity ${id} names unknown mutation '${s.mutation}'`);
    if (drugs.size > 0 && !drugs.has(s.drug))
      issues.push(`${at('sensitivities', id)}sensitivity ${id} names unknown drug '${s.drug}'`);
  }
  for (const c of kb.conflicts) {
    for (const p of c.positions) {
      for (const ch of p.channels ?? []) {
        if (!channels.has(ch))
          issues.push(`${at('conflicts', c.id)}conflict ${c.id} names unknown channel '${ch}'`);
      }
    }
    for (const key of c.resolution?.parameters ?? []) {
      if (!kb.parameters.has(key))
        issues.push(`${at('conflicts', c.id)}conflict ${c.id} names unknown parameter '${key}'`);
    }
  }
  return issues;
}
