/** Test helpers: pull figures out of a report and count the data marks of vega's SVG output. */
import { XMLParser } from 'fast-xml-parser';

export interface FigureHtml {
  readonly id: string;
  readonly svg: string;
  readonly specJson: string;
  readonly caption: string;
}

/** The <figure class="figure"> elements of a report: id, inline SVG, embedded spec JSON, caption text. */
export function figuresOf(html: string): FigureHtml[] {
  const out: FigureHtml[] = [];
  for (const m of html.matchAll(/<figure class="figure" id="fig-([^"]+)"[^>]*>([\s\S]*?)<\/figure>/g)) {
    const body = m[2];
    const svg = /<svg[\s\S]*<\/svg>/.exec(body)?.[0] ?? '';
    const specJson =
      /<script type="application\/json" class="vega-lite-spec"[^>]*>([\s\S]*?)<\/script>/.exec(body)?.[1] ??
      '';
    const caption = /<figcaption>([\s\S]*?)<\/figcaption>/.exec(body)?.[1] ?? '';
    out.push({ id: m[1], svg, specJson, caption });
  }
  return out;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', preserveOrder: true });

/** Data marks by vega mark type ('line', 'symbol', 'rect', 'area', 'text', 'rule'): count of drawn elements. */
export function dataMarks(svg: string): Record<string, number> {
  const tree = parser.parse(svg) as Node[];
  const counts: Record<string, number> = {};
  const visit = (nodes: Node[], markType: string | undefined) => {
    for (const node of nodes) {
      const attrs = (node[':@'] ?? {}) as Record<string, string>;
      for (const [tag, children] of Object.entries(node)) {
        if (tag === ':@' || !Array.isArray(children)) continue;
        let type = markType;
        const cls = attrs['@class'] ?? '';
        if (tag === 'g' && /\brole-mark\b/.test(cls)) type = /\bmark-(\w+)/.exec(cls)?.[1];
        else if (tag === 'g' && /\brole-(axis|legend|title)/.test(cls)) type = undefined;
        if (type && tag === 'path' && (attrs['@d'] ?? '').trim().length > 0)
          counts[type] = (counts[type] ?? 0) + 1;
        if (type && (tag === 'text' || tag === 'line')) counts[type] = (counts[type] ?? 0) + 1;
        visit(children as Node[], type);
      }
    }
  };
  visit(tree, undefined);
  return counts;
}

/** Every <text> content of an SVG (axis tick labels, legends, labels). */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}
