/**
 * The generated part of docs/experiments.md: every virtual experiment with its protocol, its mapping onto the niche
 * model and expected vs obtained. test/experiments/doc.test.ts checks that the document holds exactly this text
 * (EXONICHE_WRITE_DOCS=1 rewrites it).
 */
import { formatNumber } from './evaluate.js';
import { EXPERIMENTS } from './registry.js';
import type { ExperimentResult } from './types.js';

export const EXPERIMENTS_DOC_BEGIN = '<!-- BEGIN GENERATED: virtual experiments -->';
export const EXPERIMENTS_DOC_END = '<!-- END GENERATED: virtual experiments -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const value = (v: number | readonly number[] | null) =>
  v === null ? '-' : typeof v === 'number' ? formatNumber(v) : v.map(formatNumber).join(', ');

/** The generated block for the given results (in registry order). */
export function experimentsDoc(results: readonly ExperimentResult[]): string {
  const out: string[] = [EXPERIMENTS_DOC_BEGIN, ''];
  out.push('| experiment | setting | study | checks passed | not reproducible | status |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const judged = r.checks.filter((c) => c.status !== 'not reproducible');
    out.push(
      `| ${r.id} ${cell(r.title)} | ${r.setting} | ${r.source.study} (\`${r.source.ref}\`) | ${
        judged.filter((c) => c.status === 'pass').length
      }/${judged.length} | ${r.checks.length - judged.length} | ${r.status} |`,
    );
  }
  for (const r of results) {
    const e = EXPERIMENTS.find((x) => x.id === r.id);
    out.push('', `### ${r.id}: ${r.title}`, '');
    out.push(`Study ${r.source.study} (\`${r.source.ref}\`), ${r.setting}. Status: **${r.status}**.`, '');
    if (e) out.push(`*Protocol.* ${e.protocol}`, '', `*On the model.* ${e.mapping}`, '');
    out.push('| read-out | evidence | simulated measure | expected | obtained | status |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const c of r.checks)
      out.push(
        `| ${cell(c.statement)} | ${c.evidence} | ${cell(c.measure)} | ${cell(c.expected)} | ${cell(value(c.obtained))} | ${c.status} |`,
      );
    const notes = r.checks.filter((c) => c.detail && c.status !== 'not reproducible');
    if (notes.length > 0) {
      out.push('');
      for (const c of notes) out.push(`- ${cell(c.statement)}: ${cell(c.detail as string)}`);
    }
    if (r.gaps.length > 0) {
      out.push('', 'Gaps:');
      for (const g of r.gaps) out.push(`- ${cell(g)}`);
    }
    if (r.mechanism)
      out.push(
        '',
        `Mechanism parameters: ${Object.entries(r.mechanism)
          .map(([k, v]) => `\`${k}\` = ${formatNumber(v)}`)
          .join(', ')}.`,
      );
  }
  out.push('', EXPERIMENTS_DOC_END);
  return out.join('\n');
}
