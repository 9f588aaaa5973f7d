/**
 * A minimal ordered XML element tree on top of fast-xml-parser, with source line numbers.
 *
 * fast-xml-parser (with `preserveOrder`) keeps document order, which MathML needs (the operator is the first
 * child of `<apply>`, `<piece>` holds value then condition), but reports no positions. We recover the line of
 * every element with a pre-scan of the raw text: the k-th start tag in the text (outside comments, CDATA,
 * processing instructions and the DOCTYPE) is the k-th element of a pre-order walk of the parsed tree. If the
 * two counts disagree (which would mean the scan misread the document) lines are dropped rather than guessed.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Child elements and text runs, in document order. */
  readonly content: readonly (XmlElement | string)[];
  /** Child elements only. */
  readonly elements: readonly XmlElement[];
  /** 1-based line of the start tag (0 when unknown). */
  readonly line: number;
}

/** Concatenated direct text of an element (not of its descendants). */
export function directText(e: XmlElement): string {
  let s = '';
  for (const c of e.content) if (typeof c === 'string') s += c;
  return s;
}

/** All text below an element, in order. */
export function textContent(e: XmlElement): string {
  let s = '';
  for (const c of e.content) s += typeof c === 'string' ? c : textContent(c);
  return s;
}

/** Local name (without a namespace prefix). */
export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);
/** Namespace prefix, or '' when unprefixed. */
export const prefixOf = (name: string): string =>
  name.includes(':') ? name.slice(0, name.indexOf(':')) : '';

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

/** Lines of the start tags of all elements, in document order. */
function startTagLines(xml: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  const n = xml.length;
  const advanceTo = (j: number): void => {
    for (; i < j && i < n; i++) if (xml.charCodeAt(i) === 10) line++;
  };
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    advanceTo(lt);
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      advanceTo(end < 0 ? n : end + 3);
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      advanceTo(end < 0 ? n : end + 3);
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      advanceTo(end < 0 ? n : end + 2);
    } else if (xml.startsWith('<!', i)) {
      // DOCTYPE, possibly with an internal subset in brackets.
      let depth = 0;
      let j = i + 2;
      for (; j < n; j++) {
        const ch = xml[j];
        if (ch === '[') depth++;
        else if (ch === ']') depth--;
        else if (ch === '>' && depth <= 0) break;
      }
      advanceTo(j + 1);
    } else if (xml[i + 1] === '/') {
      advanceTo(i + 2);
    } else {
      lines.push(line);
      // Skip the tag, respecting quoted attribute values (which may contain '>').
      let j = i + 1;
      let quote = '';
      for (; j < n; j++) {
        const ch = xml[j];
        if (quote) {
          if (ch === quote) quote = '';
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '>') break;
      }
      advanceTo(j + 1);
    }
  }
  return lines;
}

type Raw = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  allowBooleanAttributes: false,
});

/** Parses an XML document; returns its root element. Throws `XmlSyntaxError` (with the line) on malformed input. */
export function parseXml(xml: string, file?: string): XmlElement {
  const where = file ?? '<input>';
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    const e = valid.err;
    throw new XmlSyntaxError(`${where}:${e.line}: XML syntax error: ${e.msg}`);
  }
  const raw = parser.parse(xml) as Raw[];
  const lines = startTagLines(xml);
  let k = 0;
  const build = (node: Raw): XmlElement | string | undefined => {
    const keys = Object.keys(node).filter((x) => x !== ':@');
    const name = keys[0];
    if (name === undefined) return undefined;
    if (name === '#text') return String(node['#text']);
    if (name.startsWith('?') || name === '#comment') return undefined;
    const line = lines[k++] ?? 0;
    const attrs: Record<string, string> = {};
    const a = node[':@'] as Record<string, unknown> | undefined;
    if (a) for (const [key, v] of Object.entries(a)) attrs[key] = String(v);
    const content: (XmlElement | string)[] = [];
    for (const child of (node[name] as Raw[]) ?? []) {
      const c = build(child);
      if (c !== undefined) content.push(c);
    }
    return {
      name,
      attrs,
      content,
      elements: content.filter((c): c is XmlElement => typeof c !== 'string'),
      line,
    };
  };
  const roots: XmlElement[] = [];
  for (const node of raw) {
    const r = build(node);
    if (r && typeof r !== 'string') roots.push(r);
  }
  if (roots.length !== 1)
    throw new XmlSyntaxError(`${where}: expected one root element, found ${roots.length}`);
  if (k !== lines.length) {
    // Line recovery failed; do not report wrong lines.
    const strip = (e: XmlElement): XmlElement => {
      const content = e.content.map((c) => (typeof c === 'string' ? c : strip(c)));
      return {
        ...e,
        content,
        elements: content.filter((c): c is XmlElement => typeof c !== 'string'),
        line: 0,
      };
    };
    return strip(roots[0]);
  }
  return roots[0];
}

const escapeText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, '&quot;');
export { escapeText };

/** Serialises an element compactly (attributes in stored order); used to keep notes as markup. */
export function serializeXml(e: XmlElement): string {
  const attrs = Object.entries(e.attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  if (e.content.length === 0) return `<${e.name}${attrs}/>`;
  const inner = e.content.map((c) => (typeof c === 'string' ? escapeText(c) : serializeXml(c))).join('');
  return `<${e.name}${attrs}>${inner}</${e.name}>`;
}
