// Lossless edit primitives: each returns TextEdit[] (splices of the original text) and never
// re-prints existing text. Comment ownership follows hclwrite: an item owns its lead comments
// (comment-only lines directly above it) and its same-line trailing comment, decided from rows
// rather than tree parentage. Whole lines go with their line break, and a removal that would
// leave a doubled blank line collapses it locally.

import type { Node as JsonNode } from 'jsonc-parser';
import { InternalError } from '../errors.js';
import { fileInfo } from './file-info.js';
import { JsonAttribute, JsonBlock, JsonBody } from './json-syntax.js';
import type { Attribute, Body, BodyItem, SourceFile, TextEdit, Value } from './model.js';
import { NativeBody } from './native-body.js';
import { hclKey, printJsonValue, printValue, quoteHcl } from './print.js';
import type { SourceText } from './source-text.js';

export { printValue, printJsonValue } from './print.js';

/** A new value: a literal value, or native HCL source (`var.iso_url`, `"${local.x}/y"`). */
export type NewValue = { value: Value } | { expression: string };
export type NewAttribute = { name: string } & NewValue;
export type Anchor = { after: BodyItem } | { before: BodyItem } | 'start' | 'end';

/** A block to write: attributes first (aligned), then nested blocks. */
export interface BlockSpec {
  type: string;
  labels: string[];
  attrs: NewAttribute[];
  blocks?: BlockSpec[];
}

/** Applies edits to a text (offsets of the original). Overlapping edits are a bug. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  if (edits.length === 0) return text;
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i)
    .map((x) => x.e);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos || e.end < e.start || e.end > text.length) {
      throw new InternalError(`overlapping or invalid text edits at offset ${e.start} of ${e.file}`);
    }
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function edit(file: SourceFile, start: number, end: number, text: string): TextEdit {
  return { file: file.path, start, end, text };
}

function withEol(s: string, eol: string): string {
  return eol === '\n' ? s : s.replace(/\r?\n/g, eol);
}

// --- native helpers -------------------------------------------------------------------------------

interface Extent {
  /** Start of the first lead-comment line (or of the item when it has none / shares its line). */
  leadStart: number;
  /** End of the item or of its same-line trailing comment. */
  end: number;
  /** The item is the only thing on its lines (with its comments). */
  alone: boolean;
}

function commentAt(comments: Array<[number, number]>, offset: number): [number, number] | undefined {
  let lo = 0;
  let hi = comments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comments[mid] as [number, number];
    if (c[0] === offset) return c;
    if (c[0] < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function commentEndingAt(comments: Array<[number, number]>, src: SourceText, lineEndOffset: number): [number, number] | undefined {
  // The comment that ends the line: its end, minus trailing spaces and \r, is the line end.
  let lo = 0;
  let hi = comments.length - 1;
  let best: [number, number] | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comments[mid] as [number, number];
    if (c[0] <= lineEndOffset) {
      best = c;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!best) return undefined;
  return best[1] <= lineEndOffset + 1 && src.isBlank(best[1], lineEndOffset) ? best : undefined;
}

function firstNonBlank(src: SourceText, from: number): number {
  const t = src.text;
  let i = from;
  while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
  return i;
}

function nativeExtent(item: BodyItem): Extent {
  const info = fileInfo(item.parent.file);
  const { src, comments } = info;
  const text = src.text;
  const start = item.range.start.offset;
  let end = item.range.end.offset;
  const startsLine = src.isBlank(src.lineStart(start), start);
  // Same-line trailing comment.
  const afterWs = firstNonBlank(src, end);
  const trailing = commentAt(comments, afterWs);
  if (trailing && src.lineIndex(trailing[0]) === src.lineIndex(end)) end = trailing[1];
  // `#` and `//` comments include a trailing \r on CRLF files; it belongs to the line break.
  while (end > start && text[end - 1] === '\r') end--;
  const alone = startsLine && src.isBlank(end, src.lineEnd(end));
  let leadStart = start;
  if (startsLine) {
    for (;;) {
      const ls = src.lineStart(leadStart);
      if (ls === 0) break;
      const prevLineEnd = src.lineEnd(ls - 1);
      const c = commentEndingAt(comments, src, prevLineEnd);
      if (!c) break;
      // The comment must be the only thing on its first line (a comment-only line).
      if (!src.isBlank(src.lineStart(c[0]), c[0])) break;
      if (src.lineIndex(c[1]) !== src.lineIndex(prevLineEnd)) break;
      leadStart = c[0];
    }
  }
  return { leadStart, end, alone };
}

function isBlankLine(src: SourceText, lineStartOffset: number): boolean {
  if (lineStartOffset >= src.text.length) return false;
  return src.isBlank(lineStartOffset, src.lineEnd(lineStartOffset));
}

function lineText(src: SourceText, lineStartOffset: number): string {
  return src.text.slice(lineStartOffset, src.lineEnd(lineStartOffset)).trim();
}

function nativeRemove(item: BodyItem): TextEdit[] {
  const file = item.parent.file;
  const { src } = fileInfo(file);
  const text = src.text;
  const ext = nativeExtent(item);
  if (!ext.alone) {
    // The item shares its line (`name { a = 1 }`): remove it and the spaces around it.
    let ps = ext.leadStart;
    while (ps > 0 && (text[ps - 1] === ' ' || text[ps - 1] === '\t')) ps--;
    let ne = ext.end;
    while (ne < text.length && (text[ne] === ' ' || text[ne] === '\t')) ne++;
    if (text[ps - 1] === '{' && text[ne] === '}') return [edit(file, ps, ne, '')];
    return [edit(file, ext.leadStart, ne, '')];
  }
  let delStart = src.lineStart(ext.leadStart);
  let delEnd = src.nextLineStart(ext.end);
  const prevLine = delStart > 0 ? src.lineStart(delStart - 1) : -1;
  const prevBlank = prevLine >= 0 && isBlankLine(src, prevLine);
  const nextBlank = isBlankLine(src, delEnd);
  const nextIsClose = delEnd >= text.length || lineText(src, delEnd).startsWith('}');
  const prevIsOpen = prevLine < 0 || lineText(src, prevLine).endsWith('{');
  if (prevBlank && (nextBlank || nextIsClose)) delStart = prevLine;
  else if (nextBlank && prevIsOpen) delEnd = src.nextLineStart(delEnd);
  return [edit(file, delStart, delEnd, '')];
}

function indentUnitFor(src: SourceText, indent: string): string {
  return indent.includes('\t') || /^\t/m.test(src.text) ? '\t' : '  ';
}

/** The indentation of the line an item starts on. */
export function itemIndent(item: BodyItem): string {
  return fileInfo(item.parent.file).src.indentOf(item.range.start.offset);
}

function nativeBodyIndent(body: NativeBody, src: SourceText): string {
  const first = body.items.find((i) => src.isBlank(src.lineStart(i.range.start.offset), i.range.start.offset));
  if (first) return src.indentOf(first.range.start.offset);
  if (!body.owner) return '';
  const ownerIndent = src.indentOf(body.owner.range.start.offset);
  return ownerIndent + indentUnitFor(src, ownerIndent);
}

function valueText(v: NewValue, indent: string): string {
  return 'value' in v ? printValue(v.value, indent) : v.expression.trim();
}

function attributeLines(attrs: NewAttribute[], indent: string): string[] {
  const width = Math.max(0, ...attrs.map((a) => hclKey(a.name).length));
  return attrs.map((a) => `${indent}${hclKey(a.name).padEnd(width)} = ${valueText(a, indent)}`);
}

/** The source text of a block at `indent` (its first line is indented too); `\n` line breaks. */
export function blockText(spec: BlockSpec, indent = '', unit = '  '): string {
  const header = [spec.type, ...spec.labels.map(quoteHcl)].join(' ');
  const inner = indent + unit;
  const lines = attributeLines(spec.attrs, inner);
  const nested = (spec.blocks ?? []).map((b) => blockText(b, inner, unit));
  const parts = [...lines, ...(lines.length > 0 && nested.length > 0 ? [''] : []), ...nested];
  return `${indent}${header} {\n${parts.map((p) => `${p}\n`).join('')}${indent}}`;
}

/** Inserts whole lines (`lines`, already indented, no trailing break) into a native body. */
function nativeInsertLines(body: NativeBody, anchor: Anchor, lines: string[]): TextEdit[] {
  const file = body.file;
  const { src } = fileInfo(file);
  const text = src.text;
  const eol = file.eol;
  const run = lines.join('\n');
  if (anchor === 'start' || anchor === 'end' || body.items.length === 0) {
    if (body.owner) {
      const open = body.range.start.offset - 1;
      const close = body.range.end.offset;
      if (src.lineIndex(open) === src.lineIndex(close)) return [openUpOneLiner(body, src, anchor, lines)];
      const at = anchor === 'start' ? src.nextLineStart(open) : src.lineStart(close);
      return [edit(file, at, at, withEol(`${run}\n`, eol))];
    }
    if (anchor === 'start') return [edit(file, 0, 0, withEol(`${run}\n`, eol))];
    const needsBreak = text.length > 0 && !text.endsWith('\n');
    return [edit(file, text.length, text.length, withEol(`${needsBreak ? '\n' : ''}${run}\n`, eol))];
  }
  const item = 'after' in anchor ? anchor.after : anchor.before;
  if (item.parent !== body) throw new InternalError('the anchor item is not in this body');
  const ext = nativeExtent(item);
  if (!ext.alone) {
    const open = body.range.start.offset - 1;
    return [openUpOneLiner(body, src, 'after' in anchor ? 'end' : 'start', lines, open)];
  }
  if ('before' in anchor) {
    const at = src.lineStart(ext.leadStart);
    return [edit(file, at, at, withEol(`${run}\n`, eol))];
  }
  const at = src.nextLineStart(ext.end);
  const needsBreak = at === text.length && !text.endsWith('\n');
  return [edit(file, at, at, withEol(`${needsBreak ? '\n' : ''}${run}\n`, eol))];
}

/** `name {}` or `name { a = 1 }` on one line: rewrite the inside as separate lines. */
function openUpOneLiner(body: NativeBody, src: SourceText, anchor: Anchor, lines: string[], openAt?: number): TextEdit {
  const open = openAt ?? body.range.start.offset - 1;
  const close = body.range.end.offset;
  const owner = body.owner;
  const ownerIndent = owner ? src.indentOf(owner.range.start.offset) : '';
  const indent = ownerIndent + indentUnitFor(src, ownerIndent);
  const existing = body.items.map((i) => indent + src.text.slice(i.range.start.offset, nativeExtent(i).end).trim());
  const all = anchor === 'start' ? [...lines, ...existing] : [...existing, ...lines];
  return edit(body.file, open + 1, close, withEol(`\n${all.join('\n')}\n${ownerIndent}`, body.file.eol));
}

// --- JSON helpers ---------------------------------------------------------------------------------

function jsonMemberNode(item: BodyItem): JsonNode {
  if (item instanceof JsonAttribute) return item.node;
  if (item instanceof JsonBlock) return item.holders[0] as JsonNode;
  throw new InternalError('not a JSON-syntax item');
}

function nodeEnd(n: JsonNode): number {
  return n.offset + n.length;
}

function removeJsonMember(file: SourceFile, src: SourceText, node: JsonNode): TextEdit {
  const siblings = node.parent?.children ?? [];
  const idx = siblings.indexOf(node);
  const startsLine = src.isBlank(src.lineStart(node.offset), node.offset);
  if (siblings.length === 1) {
    if (startsLine && src.isBlank(nodeEnd(node), src.lineEnd(nodeEnd(node)))) {
      return edit(file, src.lineStart(node.offset), src.nextLineStart(nodeEnd(node)), '');
    }
    return edit(file, node.offset, nodeEnd(node), '');
  }
  const next = siblings[idx + 1];
  if (next) {
    const nextStartsLine = src.isBlank(src.lineStart(next.offset), next.offset);
    if (startsLine && nextStartsLine) return edit(file, src.lineStart(node.offset), src.lineStart(next.offset), '');
    return edit(file, node.offset, next.offset, '');
  }
  const prev = siblings[idx - 1] as JsonNode;
  return edit(file, nodeEnd(prev), nodeEnd(node), '');
}

function jsonRemove(item: BodyItem): TextEdit[] {
  const file = item.parent.file;
  const { src } = fileInfo(file);
  if (item instanceof JsonAttribute) return [removeJsonMember(file, src, item.node)];
  if (!(item instanceof JsonBlock)) throw new InternalError('not a JSON-syntax item');
  // Climb while the container would be left empty: `{"source": {"t": {"n": {...}}}}` goes whole.
  const holders = item.holders;
  let i = holders.length - 1;
  while (i > 0 && ((holders[i] as JsonNode).parent?.children?.length ?? 0) === 1) i--;
  return [removeJsonMember(file, src, holders[i] as JsonNode)];
}

function jsonUnit(src: SourceText): string {
  const m = /\n([ \t]+)\S/.exec(src.text);
  if (!m) return '  ';
  const ws = m[1] as string;
  return ws.startsWith('\t') ? '\t' : ws;
}

function jsonValueText(v: NewValue, indent: string, unit: string): string {
  // An expression becomes a `${...}` template string (its own `${` must not be escaped).
  return 'value' in v ? printJsonValue(v.value, indent, unit) : JSON.stringify(`\${${v.expression.trim()}}`);
}

function jsonBodyIndent(body: JsonBody, src: SourceText): { indent: string; outer: string } {
  const obj = body.node;
  const outer = src.indentOf(obj.offset);
  const first = obj.children?.[0];
  if (first && src.isBlank(src.lineStart(first.offset), first.offset)) return { indent: src.indentOf(first.offset), outer };
  return { indent: outer + jsonUnit(src), outer };
}

/** Inserts JSON members (`"key": value` texts) into an object body. */
function jsonInsertMembers(body: JsonBody, anchor: Anchor, members: string[]): TextEdit[] {
  const file = body.file;
  const { src } = fileInfo(file);
  const obj = body.node;
  const children = obj.children ?? [];
  const { indent, outer } = jsonBodyIndent(body, src);
  const eol = file.eol;
  const sep = `,${eol}${indent}`;
  const joined = members.join(sep);
  if (children.length === 0) {
    return [edit(file, obj.offset + 1, nodeEnd(obj) - 1, `${eol}${indent}${joined}${eol}${outer}`)];
  }
  const multiline = src.isBlank(src.lineStart((children[0] as JsonNode).offset), (children[0] as JsonNode).offset);
  const gap = multiline ? sep : ', ';
  const text = members.join(gap);
  let node: JsonNode;
  let before: boolean;
  if (anchor === 'start') [node, before] = [children[0] as JsonNode, true];
  else if (anchor === 'end') [node, before] = [children[children.length - 1] as JsonNode, false];
  else {
    const item = 'after' in anchor ? anchor.after : anchor.before;
    if (item.parent !== body) throw new InternalError('the anchor item is not in this body');
    [node, before] = [jsonMemberNode(item), 'before' in anchor];
  }
  return before ? [edit(file, node.offset, node.offset, text + gap)] : [edit(file, nodeEnd(node), nodeEnd(node), gap + text)];
}

/** `"type": {"label": {...body...}}` at `indent` (the first line is not indented). */
function jsonBlockMember(spec: BlockSpec, indent: string, unit: string): string {
  const body = (ind: string): string => {
    const inner = ind + unit;
    const members = [
      ...spec.attrs.map((a) => `${inner}${JSON.stringify(a.name)}: ${jsonValueText(a, inner, unit)}`),
      ...(spec.blocks ?? []).map((b) => inner + jsonBlockMember(b, inner, unit)),
    ];
    return members.length > 0 ? `{\n${members.join(',\n')}\n${ind}}` : '{}';
  };
  const wrap = (labels: string[], ind: string): string =>
    labels.length === 0 ? body(ind) : `{\n${ind + unit}${JSON.stringify(labels[0])}: ${wrap(labels.slice(1), ind + unit)}\n${ind}}`;
  return `${JSON.stringify(spec.type)}: ${wrap(spec.labels, indent)}`;
}

// --- public primitives ----------------------------------------------------------------------------

/** Removes an attribute or block with the comments it owns (native) or its property (JSON). */
export function removeItem(item: BodyItem): TextEdit[] {
  return item.parent.syntax === 'json' ? jsonRemove(item) : nativeRemove(item);
}

/** Replaces the expression of an attribute (the name, comments and layout stay). */
export function replaceExpression(attr: Attribute, replacement: NewValue): TextEdit[] {
  const file = attr.parent.file;
  const { src } = fileInfo(file);
  const indent = src.indentOf(attr.range.start.offset);
  if (attr instanceof JsonAttribute) {
    const valueNode = attr.node.children?.[1];
    if (!valueNode) throw new InternalError('JSON property without value');
    return [edit(file, valueNode.offset, nodeEnd(valueNode), withEol(jsonValueText(replacement, indent, jsonUnit(src)), file.eol))];
  }
  return [edit(file, attr.expr.range.start.offset, attr.expr.range.end.offset, withEol(valueText(replacement, indent), file.eol))];
}

/**
 * Inserts attributes at `anchor`. Native: indentation copied from the body's items (or the
 * block's + one level), `=` aligned within the inserted run only, the file's line ending.
 */
export function insertAttributes(body: Body, anchor: Anchor, attrs: NewAttribute[]): TextEdit[] {
  if (attrs.length === 0) return [];
  const { src } = fileInfo(body.file);
  if (body instanceof JsonBody) {
    const { indent } = jsonBodyIndent(body, src);
    const unit = jsonUnit(src);
    return jsonInsertMembers(
      body,
      anchor,
      attrs.map((a) => withEol(`${JSON.stringify(a.name)}: ${jsonValueText(a, indent, unit)}`, body.file.eol)),
    );
  }
  if (!(body instanceof NativeBody)) throw new InternalError('not a body produced by parseFile()');
  const indent = nativeBodyIndent(body, src);
  return nativeInsertLines(body, anchor, attributeLines(attrs, indent));
}

export interface InsertBlockOptions {
  /** Nested blocks inside the new block. */
  blocks?: BlockSpec[];
  /** Separate the new block from what precedes it by a blank line (native syntax). */
  blankLineBefore?: boolean;
}

/** Inserts a new block (used to expand `dynamic` blocks and to create `boot_iso {}`). */
export function insertBlock(
  body: Body,
  anchor: Anchor,
  type: string,
  labels: string[],
  attrs: NewAttribute[],
  options: InsertBlockOptions = {},
): TextEdit[] {
  const spec: BlockSpec = { type, labels, attrs, blocks: options.blocks ?? [] };
  const { src } = fileInfo(body.file);
  if (body instanceof JsonBody) {
    const { indent } = jsonBodyIndent(body, src);
    return jsonInsertMembers(body, anchor, [withEol(jsonBlockMember(spec, indent, jsonUnit(src)), body.file.eol)]);
  }
  if (!(body instanceof NativeBody)) throw new InternalError('not a body produced by parseFile()');
  const indent = nativeBodyIndent(body, src);
  const lines = blockText(spec, indent, indentUnitFor(src, indent)).split('\n');
  return nativeInsertLines(body, anchor, options.blankLineBefore ? ['', ...lines] : lines);
}

/** Replaces an item's own text (not its comments) with `newText` (give `\n` line breaks). */
export function replaceItem(item: BodyItem, newText: string): TextEdit[] {
  const file = item.parent.file;
  if (item.parent.syntax === 'json') {
    const node = item instanceof JsonBlock ? (item.holders[item.holders.length - 1] as JsonNode) : jsonMemberNode(item);
    return [edit(file, node.offset, nodeEnd(node), withEol(newText, file.eol))];
  }
  return [edit(file, item.range.start.offset, item.range.end.offset, withEol(newText, file.eol))];
}
