/**
 * `exoniche kb ...`: list, search and show the knowledge base (drugs, mutation x drug table, exosome channels,
 * parameters, references). The questions are answered by src/knowledge/query.ts; this file only loads, formats
 * (aligned tables, or JSON with --json) and maps errors to exit codes.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { type KnowledgeBase, KnowledgeError, loadKnowledgeBase, type Origin } from '../../knowledge/index.js';
import {
  channelTable,
  conflictsFor,
  type FoldValue,
  formatCitation,
  listDrugs,
  listParameters,
  listReferences,
  type MutationRow,
  mutationTable,
  QueryError,
  search,
  show,
  TKI_IDS,
} from '../../knowledge/query.js';
import type { Ic50 } from '../../knowledge/schema/mutation.js';
import { CliError, EXIT } from '../exit-codes.js';

interface CommonFlags {
  json?: boolean;
  dir?: string;
}

export function registerKb(program: Command): void {
  const kb = program
    .command('kb')
    .description('List and search the knowledge base: every number with its source and evidence tag');

  common(kb.command('drugs').description('the TKIs, with their potency on native BCR-ABL1')).action(
    (flags: CommonFlags) => run(flags, (base) => drugs(base, flags)),
  );

  common(
    kb
      .command('mutations')
      .description('BCR-ABL1 mutations x TKIs: cellular IC50 (nM), fold resistance, clinical category')
      .option('--drug <id>', 'only this drug (long table)')
      .option('--mutation <id>', 'only this mutation (long table)')
      .option('--long', 'one row per mutation x drug, with evidence tags (default when filtered)'),
  ).action((flags: CommonFlags & { drug?: string; mutation?: string; long?: boolean }) =>
    run(flags, (base) => mutations(base, flags)),
  );

  common(
    kb
      .command('channels')
      .description('exosome crosstalk channels (donor -> recipient, cargo, effect) and their conflicts')
      .option('--donor <cell>', 'donor cell type (cml-bulk, lsc, bmsc, resistant-cml, endothelium, ...)')
      .option('--recipient <cell>', 'recipient cell type')
      .option('--cargo <text>', 'cargo containing this text (miR-126, amphiregulin, ...)')
      .option('--effect <term>', 'effect term (angiogenesis, adhesion, quiescence, drug-resistance, ...)'),
  ).action((flags: CommonFlags & { donor?: string; recipient?: string; cargo?: string; effect?: string }) =>
    run(flags, (base) => channels(base, flags)),
  );

  common(
    kb
      .command('params')
      .description('model parameters with value, units, evidence and range')
      .argument('[prefix]', 'only keys starting with this (e.g. exosome or michor2005.)'),
  ).action((prefix: string | undefined, flags: CommonFlags) =>
    run(flags, (base) => params(base, prefix, flags)),
  );

  common(
    kb
      .command('refs')
      .description('references; with an id, the full citation and every entry that cites it')
      .argument('[id]', 'reference id'),
  ).action((id: string | undefined, flags: CommonFlags) => run(flags, (base) => refs(base, id, flags)));

  common(
    kb
      .command('search')
      .description('entries whose id or text contains every word of TEXT')
      .argument('<text...>', 'words to look for'),
  ).action((words: string[], flags: CommonFlags) =>
    run(flags, (base) => searchCmd(base, words.join(' '), flags)),
  );

  common(
    kb
      .command('show')
      .description('one entry (parameter key, id, or MUTATION/DRUG) with its citations and file:line')
      .argument('<key>', 'e.g. exosome.plasma_half_life, T315I, T315I/ponatinib, vcam1-endothelium'),
  ).action((key: string, flags: CommonFlags) => run(flags, (base) => showCmd(base, key, flags)));
}

function common(cmd: Command): Command {
  return cmd
    .option('--json', 'print JSON for scripts')
    .option('--dir <path>', 'knowledge-base directory (default: the one shipped with exoniche)');
}

function run(flags: CommonFlags, body: (kb: KnowledgeBase) => void): void {
  let kb: KnowledgeBase;
  try {
    kb = loadKnowledgeBase(flags.dir);
  } catch (err) {
    if (err instanceof KnowledgeError)
      throw new CliError(`invalid knowledge base:\n${err.message}`, EXIT.dataError);
    throw err;
  }
  try {
    body(kb);
  } catch (err) {
    if (err instanceof QueryError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output helpers

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Columns padded to their widest cell; columns listed in `right` are right-aligned (numbers). */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => (right.includes(j) ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Three significant figures, integers above 100, no trailing zeros. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return String(Math.round(x));
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

const ic50Text = (q?: Ic50) => (q ? `${q.bound ?? ''}${num(q.value)}` : '');
const foldText = (f?: FoldValue) => (f ? `${f.bound ?? ''}${num(f.value)}` : '');
const where = (o?: Origin) => (o ? `${o.file}:${o.line}` : '');
const CATEGORY = { sensitive: 'S', intermediate: 'IR', resistant: 'R' } as const;

// ---------------------------------------------------------------------------------------------------------------
// Subcommands

function drugs(kb: KnowledgeBase, flags: CommonFlags): void {
  const rows = listDrugs(kb);
  if (flags.json) {
    json(rows);
    return;
  }
  if (rows.length === 0) {
    out('no drugs defined in the knowledge base yet (no `drugs:` section under data/knowledge)');
    return;
  }
  out(
    formatTable(
      ['DRUG', 'NAME', 'NATIVE IC50 nM', 'EV', 'MUTATIONS', 'DEFINED AT'],
      rows.map((d) => [
        d.id,
        d.name ?? '',
        ic50Text(d.nativeIc50),
        d.nativeIc50?.evidence ?? '',
        String(d.mutations),
        where(d.origin),
      ]),
      [2, 4],
    ),
  );
}

function mutations(
  kb: KnowledgeBase,
  flags: CommonFlags & { drug?: string; mutation?: string; long?: boolean },
): void {
  const rows = mutationTable(kb, { drug: flags.drug, mutation: flags.mutation });
  if (flags.json) {
    json(rows);
    return;
  }
  if (rows.length === 0) {
    out('no mutation x drug entries match');
    return;
  }
  if (flags.long || flags.drug !== undefined || flags.mutation !== undefined) {
    out(longTable(rows));
    return;
  }
  out(matrix(rows));
}

function longTable(rows: readonly MutationRow[]): string {
  return formatTable(
    ['MUTATION', 'REGION', 'DRUG', 'IC50 nM', 'EV', 'FOLD', 'EV', 'CLINICAL', 'EV', 'REFS'],
    rows.map((r) => [
      r.mutation,
      r.region,
      r.drug,
      ic50Text(r.ic50),
      r.ic50?.evidence ?? '',
      foldText(r.fold) + (r.fold?.derived ? '*' : ''),
      r.fold?.evidence ?? '',
      r.clinical ?? '',
      r.clinical ? r.evidence : '',
      [...new Set([...(r.ic50?.refs ?? []), ...r.refs])].join(','),
    ]),
    [3, 5],
  ).concat(
    '\n\nIC50: Ba/F3 cellular IC50 (nM); > marks a lower bound. FOLD* = IC50(mutant)/IC50(native) within the same',
    '\nstudy, computed here. EV: evidence tag (R = recalled, unverified: never a pass/fail target).',
  );
}

function matrix(rows: readonly MutationRow[]): string {
  const drugs = [...new Set(rows.map((r) => r.drug))].sort((a, b) => {
    const i = (d: string) => {
      const k = (TKI_IDS as readonly string[]).indexOf(d);
      return k < 0 ? 99 : k;
    };
    return i(a) - i(b) || a.localeCompare(b);
  });
  const muts = [...new Set(rows.map((r) => r.mutation))];
  const cell = (m: string, d: string) => {
    const r = rows.find((x) => x.mutation === m && x.drug === d);
    if (!r) return '-';
    const cat = r.clinical ? CATEGORY[r.clinical] : '';
    const ic = ic50Text(r.ic50);
    return [cat, ic].filter(Boolean).join(' ') || '-';
  };
  const region = (m: string) => rows.find((r) => r.mutation === m)?.region ?? '';
  return formatTable(
    ['MUTATION', 'REGION', ...drugs],
    muts.map((m) => [m, region(m), ...drugs.map((d) => cell(m, d))]),
  ).concat(
    '\n\nCell: clinical category (S sensitive, IR intermediate, R resistant) and cellular IC50 in nM (> lower bound).',
    '\nEvidence tags, fold resistance and sources: `exoniche kb mutations --long` or `--drug D`; `--json` for all fields.',
  );
}

function channels(
  kb: KnowledgeBase,
  flags: CommonFlags & { donor?: string; recipient?: string; cargo?: string; effect?: string },
): void {
  const rows = channelTable(kb, flags);
  const conflicts = conflictsFor(
    kb,
    rows.map((c) => c.id),
  );
  if (flags.json) {
    json({ channels: rows, conflicts });
    return;
  }
  if (rows.length === 0) {
    out('no channels match');
    return;
  }
  out(
    formatTable(
      ['CHANNEL', 'DONOR -> RECIPIENT', 'CARGO', 'EFFECT', 'DIR', 'EV', 'EXPERIMENTS'],
      rows.map((c) => [
        c.id,
        `${c.donor} -> ${c.recipient}`,
        c.cargo.join(', '),
        c.effect,
        c.direction,
        c.evidence,
        c.experiments.join(','),
      ]),
    ),
  );
  if (conflicts.length > 0) {
    out('\nConflicts between studies:');
    for (const c of conflicts) {
      out(`  ${c.id}: ${c.question}`);
      for (const p of c.positions) out(`    - [${p.evidence}] ${p.claim} (${p.refs.join(', ')})`);
      if (c.resolution)
        out(`    resolution (${c.resolution.kind}): ${c.resolution.note.replace(/\s+/g, ' ')}`);
    }
  }
}

function params(kb: KnowledgeBase, prefix: string | undefined, flags: CommonFlags): void {
  const rows = listParameters(kb, prefix);
  if (flags.json) {
    json(rows);
    return;
  }
  if (rows.length === 0) {
    out('no parameters defined yet');
    return;
  }
  out(
    formatTable(
      ['KEY', 'VALUE', 'UNITS', 'EV', 'RANGE', 'REFS', 'NAME'],
      rows.map((p) => [
        p.key,
        num(p.value),
        p.units,
        p.evidence,
        p.range ? `${num(p.range[0])}..${num(p.range[1])}` : '',
        p.refs.join(','),
        p.name,
      ]),
      [1],
    ),
  );
}

function refs(kb: KnowledgeBase, id: string | undefined, flags: CommonFlags): void {
  const rows = listReferences(kb, id);
  if (flags.json) {
    json(id === undefined ? rows : rows[0]);
    return;
  }
  if (id === undefined) {
    const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
    out(
      formatTable(
        ['ID', 'YEAR', 'AUTHORS', 'TITLE', 'CITED'],
        rows.map((r) => [
          r.id,
          String(r.year),
          clip(r.authors, 30),
          clip(r.title, 60),
          String(r.citedBy.length),
        ]),
        [1, 4],
      ),
    );
    return;
  }
  const r = rows[0];
  out(`${r.id}: ${formatCitation(r)}`);
  if (r.note) out(`  note: ${r.note.replace(/\s+/g, ' ')}`);
  out(`  defined at ${where(r.origin)}`);
  out(`  cited by ${r.citedBy.length} entr${r.citedBy.length === 1 ? 'y' : 'ies'}:`);
  for (const c of r.citedBy) out(`    ${c.section}:${c.id}  ${where(c.origin)}`);
}

function searchCmd(kb: KnowledgeBase, text: string, flags: CommonFlags): void {
  const hits = search(kb, text);
  if (flags.json) {
    json(hits);
    return;
  }
  if (hits.length === 0) {
    out(`nothing matches '${text}'`);
    return;
  }
  const clip = (s: string) => {
    const flat = s.replace(/\s+/g, ' ');
    return flat.length > 70 ? `${flat.slice(0, 69)}…` : flat;
  };
  out(
    formatTable(
      ['SECTION', 'ID', 'FIELD', 'TEXT', 'AT'],
      hits.map((h) => [h.section, h.id, h.field, clip(h.text), where(h.origin)]),
    ),
  );
}

function showCmd(kb: KnowledgeBase, key: string, flags: CommonFlags): void {
  const found = show(kb, key);
  if (flags.json) {
    json(found.length === 1 ? found[0] : found);
    return;
  }
  found.forEach((e, i) => {
    if (i > 0) out('');
    out(`${e.section}: ${e.id}`);
    if (e.origin) out(`defined at ${e.origin.file}:${e.origin.line}:${e.origin.column}`);
    out('');
    out(stringify(e.entry, { lineWidth: 110 }).trimEnd());
    if (e.fold) {
      const how = e.fold.derived ? 'IC50(mutant)/IC50(native), same study, computed here' : 'as reported';
      out(`\nfold resistance: ${foldText(e.fold)} [${e.fold.evidence}] (${how}; ${e.fold.refs.join(', ')})`);
    }
    if (e.references.length > 0) {
      out('\nreferences:');
      for (const r of e.references) out(`  ${r.id}: ${formatCitation(r)}`);
    }
  });
}
