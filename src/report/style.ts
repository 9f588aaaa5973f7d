/**
 * The style sheet the run-folder reports share (cohort, sensitivity): one look for every report of a study, each
 * adding its own rules at three places so that the sheet reads in the usual order (headings, tables, figures).
 */

/** Rules a report adds: after the headings, after the table rules, before the footer. */
export interface ReportCssExtras {
  readonly headings?: string;
  readonly tables?: string;
  readonly figures?: string;
}

const line = (rules: string | undefined) => (rules ? `${rules}\n` : '');

/** The report CSS with `extras` in place (each extra one or more lines without a trailing newline). */
export function reportCss(extras: ReportCssExtras = {}): string {
  return `
:root{--fg:#1b1b1b;--muted:#5a5a5a;--line:#d0d0d0;--accent:#2b5797}
*{box-sizing:border-box}
body{font-family:Helvetica,Arial,sans-serif;color:var(--fg);background:#fff;margin:0 auto;max-width:1000px;padding:24px;line-height:1.4;font-size:14px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--accent);padding-bottom:2px}
${line(extras.headings)}.meta{color:var(--muted);font-size:12.5px}.meta span{margin-right:14px;white-space:nowrap}
.summary{display:flex;flex-wrap:wrap;gap:24px;border:1px solid var(--line);border-radius:6px;padding:12px 16px;background:#fafafa}
.summary div b{font-size:18px}
.failed{color:#b00020}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
${line(extras.tables)}.cite{color:var(--muted);font-size:11.5px}
figure.figure{margin:18px 0;break-inside:avoid}
figure.figure svg{max-width:100%;height:auto}
figcaption{font-size:12.5px;color:var(--muted);margin-top:4px}
figcaption b{color:var(--fg)}
${line(extras.figures)}footer{margin-top:32px;border-top:1px solid var(--line);padding-top:8px;font-size:12px;color:var(--muted)}
@media print{body{max-width:none;padding:0}}
`;
}
