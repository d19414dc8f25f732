// Turns migration operations into text edits of the original files. Only the lines an operation
// is about change; every other byte is copied as it was. New text follows the file's own layout:
// its line ending, the indentation of the lines around it, and `=` alignment like `packer fmt`.
//
// Comment ownership follows hclwrite: comment lines directly above an attribute (no blank line in
// between) and a comment on its own line belong to it, so a moved attribute takes them along and
// a removed one takes them away.

import type { Attribute, Block, BodyItem, SourceFile, TextEdit } from '../hcl/model.js';
import { InternalError } from '../errors.js';
import type { NewAttribute, NewBlock, NewExpression, Operation } from './plan.js';
import { operationFile } from './plan.js';
import { templateParts } from './template-parts.js';

/** Text edits for all operations, grouped by file path, sorted and checked for overlaps. */
export function operationsToEdits(operations: readonly Operation[]): Map<string, { file: SourceFile; edits: TextEdit[] }> {
  const byFile = new Map<string, { file: SourceFile; edits: TextEdit[] }>();
  for (const op of operations) {
    const file = operationFile(op);
    let entry = byFile.get(file.path);
    if (!entry) byFile.set(file.path, (entry = { file, edits: [] }));
    entry.edits.push(...(file.syntax === 'json' ? jsonEdits(op) : nativeEdits(op)));
  }
  for (const entry of byFile.values()) {
    entry.edits = entry.edits.map((e, i) => ({ ...e, order: i })).sort((a, b) => a.start - b.start || a.order - b.order).map(({ order: _o, ...e }) => e);
    for (let i = 1; i < entry.edits.length; i++) {
      const prev = entry.edits[i - 1]!;
      const cur = entry.edits[i]!;
      if (cur.start < prev.end) throw new InternalError(`migrate produced overlapping edits in ${entry.file.displayPath} at offsets ${prev.start}-${prev.end} and ${cur.start}-${cur.end}`);
    }
  }
  return byFile;
}

/** Applies non-overlapping edits (offsets of the original text). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

// ---- line helpers -------------------------------------------------------------------------------

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line's end (before `\r\n` or `\n`). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** Offset just after the line's end of line (or the text's end). */
function afterEol(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function indentBefore(text: string, offset: number): string | undefined {
  const before = text.slice(lineStart(text, offset), offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** One indentation step of the file, guessed from the item's indentation and its parent's. */
function indentUnit(file: SourceFile, item: BodyItem): string {
  const own = indentBefore(file.text, item.range.start.offset) ?? '';
  if (own.startsWith('\t')) return '\t';
  const parentStart = item.parent.range.start.offset;
  const parentIndent = item.parent.range.start.line > 1 || parentStart > 0 ? (indentBefore(file.text, lineStart(file.text, parentStart - 1) + leadingWs(file.text, parentStart - 1)) ?? '') : '';
  const step = own.length - parentIndent.length;
  return step > 0 ? ' '.repeat(step) : '  ';
}

function leadingWs(text: string, offset: number): number {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0].length;
}

/** The comment after an item on its last line, e.g. `# why`, or undefined. */
function sameLineComment(text: string, item: BodyItem): string | undefined {
  const rest = text.slice(item.range.end.offset, lineEnd(text, item.range.end.offset)).trim();
  return /^(#|\/\/|\/\*)/.test(rest) ? rest : undefined;
}

/** Comment lines directly above an item (hclwrite's lead comments), as [start offset, lines]. */
function leadComments(text: string, item: BodyItem): { start: number; lines: string[] } {
  let start = lineStart(text, item.range.start.offset);
  const lines: string[] = [];
  while (start > 0) {
    const prevStart = lineStart(text, start - 1);
    const line = text.slice(prevStart, lineEnd(text, prevStart)).trim();
    if (!/^(#|\/\/)/.test(line) && !/^\/\*.*\*\/$/.test(line)) break;
    lines.unshift(line);
    start = prevStart;
  }
  return { start, lines };
}

/** `name = value` lines, `=` aligned like packer fmt. */
function attributeLines(attributes: readonly NewAttribute[], text: string, leadStaysWith?: Attribute): string[][] {
  const w = Math.max(...attributes.map((a) => a.name.length));
  return attributes.map((a) => {
    const lead = a.commentsOf && a.commentsOf !== leadStaysWith ? leadComments(text, a.commentsOf).lines : [];
    const comment = a.commentsOf ? sameLineComment(text, a.commentsOf) : undefined;
    return [...lead, `${a.name.padEnd(w)} = ${hclValue(a.value)}${comment ? ' ' + comment : ''}`];
  });
}

function hclValue(v: NewExpression): string {
  return 'hcl' in v ? v.hcl : v.source.text;
}

// ---- native HCL ---------------------------------------------------------------------------------

function nativeEdits(op: Operation): TextEdit[] {
  switch (op.kind) {
    case 'replace-text':
      return [{ file: op.file.path, start: op.start, end: op.end, text: op.text }];
    case 'remove':
      return [nativeRemove(op.item)];
    case 'replace-attribute':
      return nativeReplaceAttribute(op.attribute, op.attributes);
    case 'replace-with-block':
      return [nativeReplaceWithBlock(op.attribute, op.block)];
    case 'append-attributes':
      return [nativeAppendAttributes(op.block, op.attributes)];
    case 'append-block':
      return [nativeAppendBlock(op.file, op.block)];
  }
}

function nativeRemove(item: BodyItem): TextEdit {
  const file = item.parent.file;
  const text = file.text;
  if (indentBefore(text, item.range.start.offset) === undefined) {
    return { file: file.path, start: item.range.start.offset, end: item.range.end.offset, text: '' };
  }
  const { start } = leadComments(text, item);
  return { file: file.path, start, end: afterEol(text, item.range.end.offset), text: '' };
}

/** Name width of the attribute as written (`name   =` → position of `=`), to align new lines with it. */
function writtenWidth(attr: Attribute): number {
  const text = attr.parent.file.text;
  const between = text.slice(attr.nameRange.end.offset, attr.expr.range.start.offset);
  const eq = between.indexOf('=');
  const gap = eq < 0 ? 1 : eq;
  return gap > 1 ? attr.name.length + gap - 1 : 0;
}

function nativeReplaceAttribute(attr: Attribute, attributes: NewAttribute[]): TextEdit[] {
  const file = attr.parent.file;
  const text = file.text;
  const indent = indentBefore(text, attr.range.start.offset) ?? '';
  const aligned = Math.max(...attr.parent.content().filter((i): i is Attribute => i.kind === 'attribute').map(writtenWidth));
  const width = aligned > 0 ? Math.max(aligned, ...attributes.map((a) => a.name.length)) : undefined;
  const lines = attributes.map((a) => `${width === undefined ? a.name : a.name.padEnd(width)} = ${hclValue(a.value)}`);
  const [first, ...rest] = lines;
  const edits: TextEdit[] = [{ file: file.path, start: attr.range.start.offset, end: attr.range.end.offset, text: first! }];
  if (rest.length > 0) {
    // The rest go after the line's end, so a same-line comment stays with the first line.
    const end = lineEnd(text, attr.range.end.offset);
    edits.push({ file: file.path, start: end, end, text: rest.map((l) => file.eol + indent + l).join('') });
  }
  return edits;
}

function nativeReplaceWithBlock(attr: Attribute, block: NewBlock): TextEdit {
  const file = attr.parent.file;
  const text = file.text;
  const indent = indentBefore(text, attr.range.start.offset) ?? '';
  const inner = indent + indentUnit(file, attr);
  // The replaced attribute's lead comments stay above the block (they usually introduce the section).
  const body = attributeLines(block.attributes, text, attr)
    .flat()
    .map((l) => inner + l + file.eol)
    .join('');
  const header = [block.type, ...block.labels.map((l) => JSON.stringify(l))].join(' ');
  const replacement = `${header} {${file.eol}${body}${indent}}`;
  return { file: file.path, start: attr.range.start.offset, end: lineEnd(text, attr.range.end.offset), text: replacement };
}

function nativeAppendAttributes(block: Block, attributes: NewAttribute[]): TextEdit {
  const file = block.body.file;
  const text = file.text;
  const close = block.range.end.offset - 1;
  if (text[close] !== '}') throw new InternalError(`block ${block.type} at ${block.range.start.line} does not end with '}'`);
  const existing = block.body.content().filter((i): i is Attribute => i.kind === 'attribute');
  const last = existing.at(-1);
  const closeIndent = indentBefore(text, close);
  const indent = last ? (indentBefore(text, last.range.start.offset) ?? '  ') : (closeIndent ?? '') + '  ';
  const width = last ? writtenWidth(last) : 0;
  const lines = attributes.map((a) => `${indent}${width > 0 ? a.name.padEnd(Math.max(width, a.name.length)) : a.name} = ${hclValue(a.value)}`);
  if (closeIndent !== undefined) {
    const at = lineStart(text, close);
    return { file: file.path, start: at, end: at, text: lines.map((l) => l + file.eol).join('') };
  }
  // `additional_iso_files { iso_url = "..." }` on one line: open it up.
  return { file: file.path, start: close, end: close, text: file.eol + lines.join(file.eol) + file.eol };
}

function nativeAppendBlock(file: SourceFile, block: NewBlock): TextEdit {
  const text = file.text;
  const lines = attributeLines(block.attributes, text).flat();
  const header = [block.type, ...block.labels.map((l) => JSON.stringify(l))].join(' ');
  const needsEol = text.length > 0 && !text.endsWith('\n');
  const out = `${needsEol ? file.eol : ''}${file.eol}${header} {${file.eol}${lines.map((l) => '  ' + l + file.eol).join('')}}${file.eol}`;
  return { file: file.path, start: text.length, end: text.length, text: out };
}

// ---- JSON syntax --------------------------------------------------------------------------------

/** A JSON value for a new expression: literals stay literals, everything else becomes a `${...}` template string. */
export function jsonValue(v: NewExpression): string {
  if ('source' in v) return v.source.text;
  const hcl = v.hcl.trim();
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(hcl)) return hcl;
  const parts = templateParts({ syntax: 'hcl', text: hcl });
  if (parts) return JSON.stringify(parts.map((p) => (p.kind === 'literal' ? p.text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{') : '${' + p.expression + '}')).join(''));
  return JSON.stringify('${' + hcl + '}');
}

function jsonEdits(op: Operation): TextEdit[] {
  switch (op.kind) {
    case 'replace-text':
      return [{ file: op.file.path, start: op.start, end: op.end, text: op.text }];
    case 'remove':
      return [jsonRemove(op.item)];
    case 'replace-attribute': {
      const file = op.attribute.parent.file;
      const indent = indentBefore(file.text, op.attribute.range.start.offset) ?? '';
      const text = op.attributes.map((a) => `${JSON.stringify(a.name)}: ${jsonValue(a.value)}`).join(`,${file.eol}${indent}`);
      return [{ file: file.path, start: op.attribute.range.start.offset, end: op.attribute.range.end.offset, text }];
    }
    case 'replace-with-block': {
      const file = op.attribute.parent.file;
      const indent = indentBefore(file.text, op.attribute.range.start.offset) ?? '';
      const inner = indent + indentUnit(file, op.attribute);
      const props = op.block.attributes.map((a) => `${inner}${JSON.stringify(a.name)}: ${jsonValue(a.value)}`).join(`,${file.eol}`);
      const text = `${JSON.stringify(op.block.type)}: {${file.eol}${props}${file.eol}${indent}}`;
      return [{ file: file.path, start: op.attribute.range.start.offset, end: op.attribute.range.end.offset, text }];
    }
    case 'append-attributes': {
      const file = op.block.body.file;
      const items = op.block.body.content();
      const last = items.at(-1);
      const indent = last ? (indentBefore(file.text, last.range.start.offset) ?? '') : '';
      const props = op.attributes.map((a) => `${JSON.stringify(a.name)}: ${jsonValue(a.value)}`);
      if (!last) {
        const at = op.block.body.range.start.offset;
        return [{ file: file.path, start: at, end: at, text: ' ' + props.join(', ') + ' ' }];
      }
      const at = last.range.end.offset;
      return [{ file: file.path, start: at, end: at, text: props.map((p) => `,${file.eol}${indent}${p}`).join('') }];
    }
    case 'append-block':
      throw new InternalError('migrate does not add blocks to JSON-syntax files');
  }
}

/** Removes a JSON property together with the comma that separates it from its neighbour. */
function jsonRemove(item: BodyItem): TextEdit {
  const file = item.parent.file;
  const text = file.text;
  let start = item.range.start.offset;
  let end = item.range.end.offset;
  let back = start - 1;
  while (back >= 0 && /\s/.test(text[back]!)) back--;
  if (text[back] === ',') {
    // `..., "x": 1` → drop from the comma: the previous property keeps its own line ending.
    start = back;
  } else {
    // The first property: drop it, its comma and the whitespace up to the next property.
    let fwd = end;
    while (fwd < text.length && /\s/.test(text[fwd]!)) fwd++;
    if (text[fwd] === ',') {
      end = fwd + 1;
      while (end < text.length && /\s/.test(text[end]!)) end++;
    }
  }
  return { file: file.path, start, end, text: '' };
}
