/**
 * A small XML 1.0 well-formedness checker for tests (no dependency can parse XML here): a
 * tokenizer that walks the text once and reports what breaks well-formedness: characters
 * XML does not allow, malformed tags or attributes, unknown or bare entity references,
 * tags that do not nest, anything but one root element.
 */

const NAME = /^[A-Za-z_:][-A-Za-z0-9._:]*/;
const REFERENCE = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Every well-formedness problem of `xml`, as "offset N: what"; empty when it is well-formed. */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const bad = NOT_XML.exec(xml);
  if (bad) problems.push(`offset ${bad.index}: character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML`);
  const stack: string[] = [];
  let roots = 0;
  let i = xml.startsWith('<?xml') ? skipTo(xml, 0, '?>', problems) : 0;
  while (i < xml.length && problems.length === 0) {
    if (xml.startsWith('<!--', i)) i = comment(xml, i, problems);
    else if (xml.startsWith('<?', i)) i = skipTo(xml, i, '?>', problems);
    else if (xml.startsWith('<![CDATA[', i)) i = inside(stack, i, problems) ? skipTo(xml, i, ']]>', problems) : xml.length;
    else if (xml.startsWith('</', i)) i = endTag(xml, i, stack, problems);
    else if (xml[i] === '<') {
      if (stack.length === 0 && ++roots > 1) problems.push(`offset ${i}: a second root element`);
      i = startTag(xml, i, stack, problems);
    } else i = text(xml, i, stack, problems);
  }
  if (problems.length === 0 && roots === 0) problems.push('no root element');
  if (problems.length === 0 && stack.length > 0) problems.push(`unclosed element <${stack.at(-1)}>`);
  return problems;
}

function skipTo(xml: string, from: number, end: string, problems: string[]): number {
  const at = xml.indexOf(end, from);
  if (at < 0) {
    problems.push(`offset ${from}: no closing ${end}`);
    return xml.length;
  }
  return at + end.length;
}

function comment(xml: string, from: number, problems: string[]): number {
  const end = skipTo(xml, from + 4, '-->', problems);
  if (xml.slice(from + 4, end - 3).includes('--')) problems.push(`offset ${from}: "--" inside a comment`);
  return end;
}

function inside(stack: string[], at: number, problems: string[]): boolean {
  if (stack.length > 0) return true;
  problems.push(`offset ${at}: content outside the root element`);
  return false;
}

function startTag(xml: string, from: number, stack: string[], problems: string[]): number {
  const name = NAME.exec(xml.slice(from + 1))?.[0];
  if (name === undefined) {
    problems.push(`offset ${from}: "<" does not start a tag`);
    return xml.length;
  }
  let i = from + 1 + name.length;
  const seen = new Set<string>();
  for (;;) {
    const space = /^\s*/.exec(xml.slice(i))![0].length;
    i += space;
    if (xml.startsWith('/>', i)) return i + 2;
    if (xml[i] === '>') {
      stack.push(name);
      return i + 1;
    }
    if (space === 0) {
      problems.push(`offset ${i}: expected whitespace, ">" or "/>" in <${name}>`);
      return xml.length;
    }
    const attribute = /^([A-Za-z_:][-A-Za-z0-9._:]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(i));
    if (attribute === null) {
      problems.push(`offset ${i}: malformed attribute in <${name}>`);
      return xml.length;
    }
    if (seen.has(attribute[1]!)) problems.push(`offset ${i}: attribute ${attribute[1]} repeated`);
    seen.add(attribute[1]!);
    const value = attribute[3] ?? attribute[4] ?? '';
    if (value.includes('<')) problems.push(`offset ${i}: "<" in the value of ${attribute[1]}`);
    checkReferences(value, i, problems);
    i += attribute[0].length;
  }
}

function endTag(xml: string, from: number, stack: string[], problems: string[]): number {
  const match = /^<\/([A-Za-z_:][-A-Za-z0-9._:]*)\s*>/.exec(xml.slice(from));
  if (match === null) {
    problems.push(`offset ${from}: malformed end tag`);
    return xml.length;
  }
  const open = stack.pop();
  if (open !== match[1]) problems.push(`offset ${from}: </${match[1]}> closes ${open === undefined ? 'nothing' : `<${open}>`}`);
  return from + match[0].length;
}

function text(xml: string, from: number, stack: string[], problems: string[]): number {
  const end = xml.indexOf('<', from) < 0 ? xml.length : xml.indexOf('<', from);
  const content = xml.slice(from, end);
  if (stack.length === 0 && content.trim() !== '') problems.push(`offset ${from}: text outside the root element`);
  if (content.includes(']]>')) problems.push(`offset ${from}: "]]>" in text`);
  checkReferences(content, from, problems);
  return end;
}

function checkReferences(content: string, offset: number, problems: string[]): void {
  for (let at = content.indexOf('&'); at >= 0; at = content.indexOf('&', at + 1)) {
    if (!REFERENCE.test(content.slice(at))) problems.push(`offset ${offset + at}: "&" that is not an entity or character reference`);
  }
}
