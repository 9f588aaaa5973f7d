import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.js';
import { runCli } from '../support/run-cli.js';

/** Rows of an aligned table (after the header and dashes), split on runs of two or more spaces. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const dash = lines.findIndex((l) => /^-+( +-+)*$/.test(l));
  const rows: string[][] = [];
  for (const l of lines.slice(dash + 1)) {
    if (l.trim() === '') break;
    rows.push(l.split(/ {2,}/));
  }
  return rows;
}

/** The CLI in this process (fast); the child-process tests below cover the real entry. */
const inProcess = runCliInProcess;

describe('exoniche kb (child process, as a user runs it)', () => {
  it('kb mutations --drug dasatinib prints an aligned table of dasatinib rows', () => {
    const r = runCli(['kb', 'mutations', '--drug', 'dasatinib']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^MUTATION +REGION +DRUG +IC50 nM +EV +FOLD/);
    const rows = tableRows(r.stdout);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((c) => c[2] === 'dasatinib')).toBe(true);
    const t315i = rows.find((c) => c[0] === 'T315I');
    expect(t315i).toContain('resistant');
    expect(t315i).toContain('>200');
  });

  it('a misspelt drug is a usage error (64) with a suggestion', () => {
    const r = runCli(['kb', 'mutations', '--drug', 'dasatinb']);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/exoniche: unknown drug 'dasatinb' \(did you mean 'dasatinib'\?\)/);
  });
});

describe('exoniche kb (in process)', () => {
  it('kb channels --recipient endothelium --json gives channels and their conflicts', async () => {
    const r = await inProcess(['kb', 'channels', '--recipient', 'endothelium', '--json']);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as {
      channels: { recipient: string; id: string }[];
      conflicts: { id: string }[];
    };
    expect(data.channels.length).toBeGreaterThanOrEqual(5);
    expect(data.channels.every((c) => c.recipient === 'endothelium')).toBe(true);
    expect(data.conflicts.map((c) => c.id)).toContain('vcam1-endothelium');
  });

  it('kb drugs does not crash whether or not drugs are defined yet', async () => {
    const r = await inProcess(['kb', 'drugs']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(DRUG +NAME|no drugs defined)/);
  });

  it('kb show KEY prints the entry, where it is defined and its full citations', async () => {
    const r = await inProcess(['kb', 'show', 'exosome.plasma_half_life']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^parameters: exosome\.plasma_half_life\ndefined at data\/knowledge\/channels\.yaml:\d+:\d+/,
    );
    expect(r.stdout).toMatch(/value: 7\n/);
    expect(r.stdout).toMatch(/sev-clearance-2019: .*\(2019\)\. .*doi:10\.1080\/20013078\.2019\.1696517/);
  });

  it('kb mutations without filters prints the clinical matrix', async () => {
    const r = await inProcess(['kb', 'mutations']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^MUTATION +REGION +imatinib +nilotinib +dasatinib +bosutinib +ponatinib +asciminib$/,
    );
    const t315i = tableRows(r.stdout).find((c) => c[0] === 'T315I');
    expect(t315i?.slice(2)).toEqual(['R >6400', 'R >2000', 'R >200', 'R', 'S 11', 'S 7.64']);
  });

  it('kb mutations --mutation T315I --json gives one row per drug with derived folds', async () => {
    const r = await inProcess(['kb', 'mutations', '--mutation', 'T315I', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      drug: string;
      clinical: string;
      fold?: { value: number; derived: boolean };
    }[];
    expect(rows.map((x) => `${x.drug}:${x.clinical}`)).toEqual([
      'imatinib:resistant',
      'nilotinib:resistant',
      'dasatinib:resistant',
      'bosutinib:resistant',
      'ponatinib:sensitive',
      'asciminib:sensitive',
    ]);
    expect(rows[4].fold?.value).toBeCloseTo(22, 12);
    expect(rows[4].fold?.derived).toBe(true);
  });

  it('kb channels --cargo and --donor filter, and a bad cell type or cargo is a usage error', async () => {
    const r = await inProcess(['kb', 'channels', '--donor', 'bmsc']);
    expect(r.code).toBe(0);
    const rows = tableRows(r.stdout);
    expect(rows.map((c) => c[0]).sort()).toEqual([
      'bmsc-cml-quiescence',
      'bmsc-cml-tki-protection',
      'msc-cml-imatinib-sensitisation',
    ]);
    expect(r.stdout).toMatch(/Conflicts between studies:\n {2}msc-exosomes-tki: /);
    const bad = await inProcess(['kb', 'channels', '--recipient', 'endothelum']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown cell type 'endothelum' \(did you mean 'endothelium'/);
    const cargo = await inProcess(['kb', 'channels', '--cargo', 'miR-127']);
    expect(cargo.code).toBe(64);
    expect(cargo.stderr).toMatch(/unknown cargo 'miR-127' \(did you mean /);
  });

  it('kb params PREFIX lists parameters with units, evidence and range; --json parses', async () => {
    const r = await inProcess(['kb', 'params', 'crosstalk']);
    expect(r.code).toBe(0);
    const [row] = tableRows(r.stdout);
    expect(row.slice(0, 6)).toEqual([
      'crosstalk.vcam1_direction',
      '0',
      '1',
      'A',
      '-1..1',
      'taverna2014,taverna2016',
    ]);
    const j = await inProcess(['kb', 'params', 'exosome.', '--json']);
    const params = JSON.parse(j.stdout) as { key: string; origin: { file: string } }[];
    expect(params.every((p) => p.key.startsWith('exosome.') && p.origin.file.endsWith('channels.yaml'))).toBe(
      true,
    );
    const bad = await inProcess(['kb', 'params', 'exosom.']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/did you mean 'exosome'/);
  });

  it('kb refs lists references and kb refs ID shows the citation and who cites it', async () => {
    const all = await inProcess(['kb', 'refs']);
    expect(all.code).toBe(0);
    expect(tableRows(all.stdout).map((c) => c[0])).toEqual(
      expect.arrayContaining(['mineo2012', 'ohare2005', 'zhang2020']),
    );
    const one = await inProcess(['kb', 'refs', 'mineo2012']);
    expect(one.stdout).toMatch(
      /^mineo2012: Mineo M, .* \(2012\)\. .* Angiogenesis 15\(1\):33-45\. doi:10\.1007\/s10456-011-9241-1 PMID 22203239/,
    );
    expect(one.stdout).toMatch(
      /channels:cml-endothelium-src-angiogenesis {2}data\/knowledge\/channels\.yaml:\d+/,
    );
    const j = await inProcess(['kb', 'refs', 'mineo2012', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ id: 'mineo2012', pmid: '22203239' });
    const bad = await inProcess(['kb', 'refs', 'mineo2021']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown reference 'mineo2021' \(did you mean 'mineo2012'/);
  });

  it('kb search TEXT finds entries by id, name and notes; --json too', async () => {
    const r = await inProcess(['kb', 'search', 'miR-365']);
    expect(r.code).toBe(0);
    expect(tableRows(r.stdout).map((c) => c[1])).toContain('resistant-cml-mir365');
    const j = await inProcess(['kb', 'search', 'gatekeeper', '--json']);
    expect((JSON.parse(j.stdout) as { id: string }[]).map((h) => h.id)).toEqual(
      expect.arrayContaining(['T315I', 'T315A']),
    );
    const none = await inProcess(['kb', 'search', 'xyzzy']);
    expect(none.stdout).toBe("nothing matches 'xyzzy'\n");
  });

  it('kb show a sensitivity gives its fold and references; --json and an unknown key', async () => {
    const r = await inProcess(['kb', 'show', 'T315I/asciminib']);
    expect(r.stdout).toMatch(
      /^sensitivities: T315I\/asciminib\ndefined at data\/knowledge\/mutations\.yaml:\d+:5/,
    );
    expect(r.stdout).toMatch(/fold resistance: 12\.5 \[C\]/);
    expect(r.stdout).toMatch(/asciminib-smpc: Novartis Europharm \(2022\)/);
    const j = await inProcess(['kb', 'show', 'vcam1-endothelium', '--json']);
    const entry = JSON.parse(j.stdout) as { section: string; references: { id: string }[] };
    expect(entry.section).toBe('conflicts');
    expect(entry.references.map((x) => x.id)).toEqual(
      expect.arrayContaining(['taverna2014', 'taverna2016', 'taverna2012']),
    );
    const bad = await inProcess(['kb', 'show', 'T315J']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown knowledge-base key 'T315J' \(did you mean .*'T315I'/);
  });

  it('an invalid knowledge base is a data error (65) with file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-kbcli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'mutations:\n  - { id: T315I, name: T315I, region: hinge }\n');
    const r = await inProcess(['kb', 'mutations', '--dir', dir]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+: error: mutations\[0\]\.region/);
    const empty = mkdtempSync(join(tmpdir(), 'exoniche-kbcli-'));
    const d = await inProcess(['kb', 'drugs', '--dir', empty, '--json']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual([]);
  });
});
