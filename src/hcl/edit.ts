// Lossless edit primitives: each returns TextEdit[] (splices of the original text) and never
// re-prints existing text. Comment ownership follows hclwrite: an item owns its lead comments
// (comment-only lines directly above it) and its same-line trailing comment, decided from rows
// rather than tree parentage. Whole lines go with their line break, and a removal that would
// leave a doubled blank line collapses it locally. New text takes the file's line ending and the
// indentation of the body it goes into. This is the one edit layer: render's rewrite and migrate
// both express their changes with these primitives.

import type { Node as JsonNode } from 'jsonc-parser';
import { InternalError } from '../errors.js';
import { fileInfo } from './file-info.js';
import { JsonAttribute, JsonBlock, JsonBody } from './json-syntax.js';
import type { Attribute, Body, BodyItem, Expression, SourceFile, TextEdit, Value } from './model.js';
import { NativeBody } from './native-body.js';
import { parseExpressionSync } from './parse.js';
import { hclKey, jsonTemplateString, printJsonValue, printValue, quoteHcl } from './print.js';
import type { SourceText } from './source-text.js';
import type { Expr } from './expr-ast.js';
import { isHclExpression } from './expression.js';

export { printValue, printJsonValue, quoteHcl } from './print.js';

/**
 * A new value: a literal value, native HCL source (`var.iso_url`, `"${local.x}/y"`; in a JSON body
 * it is written as the equivalent JSON value), or an existing expression copied as written.
 */
export type NewValue = { value: Value } | { expression: string } | { source: Expression };
export type NewAttribute = {
  name: string;
  /**
   * Write this existing attribute's comments (its lead comment lines and its same-line comment)
   * with the new one: removing that attribute takes them away, so together this moves them.
   */
  commentsFrom?: Attribute;
  /** With `commentsFrom`: leave its same-line comment behind (it goes with the line it described). */
  withoutTrailingComment?: boolean;
} & NewValue;
export type Anchor = { after: BodyItem } | { before: BodyItem } | 'start' | 'end';

/** How the `=` of new attribute lines is placed (native syntax). */
export interface AlignOptions {
  /**
   * Line `=` up with the attributes around this one, as packer fmt aligns a run of single-line
   * attributes on consecutive lines: when that run is written aligned (some name is padded before
   * `=`), the new lines take its `=` column (or a wider one their own names need).
   */
  alignWith?: Attribute;
  /** Outside an aligned run: 'run' (default) aligns the new lines among themselves, 'none' writes `name = value`. */
  unaligned?: 'run' | 'none';
}

/** A block to write: attributes first (aligned), then nested blocks. */
export interface BlockSpec {
  type: string;
  labels: string[];
  attrs: NewAttribute[];
  blocks?: BlockSpec[];
}

/** Applies edits to a text (offsets of the original). Overlapping edits are a bug. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
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

/** What removing a native item takes: whole lines (to be collapsed) or a span inside a line. */
type NativeRemoval = { lines: true; start: number; end: number } | { lines: false; edit: TextEdit };

function nativeRemoval(item: BodyItem, keepComments = false): NativeRemoval {
  const file = item.parent.file;
  const { src } = fileInfo(file);
  const text = src.text;
  const ext = nativeExtent(item);
  if (keepComments && ext.alone) {
    // The lead comment lines stay; a same-line comment stays as a line of its own, where it was.
    const start = item.range.start.offset;
    const comment = firstNonBlank(src, item.range.end.offset);
    if (comment < ext.end) return { lines: false, edit: edit(file, start, comment, '') };
    return { lines: true, start: src.lineStart(start), end: src.nextLineStart(ext.end) };
  }
  if (!ext.alone) {
    // The item shares its line (`name { a = 1 }`): remove it and the spaces around it.
    let ps = ext.leadStart;
    while (ps > 0 && (text[ps - 1] === ' ' || text[ps - 1] === '\t')) ps--;
    let ne = ext.end;
    while (ne < text.length && (text[ne] === ' ' || text[ne] === '\t')) ne++;
    if (text[ps - 1] === '{' && text[ne] === '}') return { lines: false, edit: edit(file, ps, ne, '') };
    return { lines: false, edit: edit(file, ext.leadStart, ne, '') };
  }
  return { lines: true, start: src.lineStart(ext.leadStart), end: src.nextLineStart(ext.end) };
}

/** Removes the whole lines [start, end); a doubled blank line (or one left against a brace) goes too. */
function removeLines(file: SourceFile, src: SourceText, start: number, end: number): TextEdit {
  const text = src.text;
  let delStart = start;
  let delEnd = end;
  const prevLine = delStart > 0 ? src.lineStart(delStart - 1) : -1;
  const prevBlank = prevLine >= 0 && isBlankLine(src, prevLine);
  const nextBlank = isBlankLine(src, delEnd);
  const nextIsClose = delEnd >= text.length || lineText(src, delEnd).startsWith('}');
  const prevIsOpen = prevLine < 0 || lineText(src, prevLine).endsWith('{');
  if (prevBlank && (nextBlank || nextIsClose)) delStart = prevLine;
  else if (nextBlank && prevIsOpen) delEnd = src.nextLineStart(delEnd);
  return edit(file, delStart, delEnd, '');
}

function nativeRemove(item: BodyItem): TextEdit[] {
  const r = nativeRemoval(item);
  if (!r.lines) return [r.edit];
  const file = item.parent.file;
  return [removeLines(file, fileInfo(file).src, r.start, r.end)];
}

/** Several removals in one native file: lines that touch go as one run, collapsed once. */
function nativeRemoveAll(file: SourceFile, items: readonly BodyItem[], keepComments = false): TextEdit[] {
  const { src } = fileInfo(file);
  const out: TextEdit[] = [];
  const runs: Array<{ start: number; end: number }> = [];
  for (const item of items) {
    const r = nativeRemoval(item, keepComments);
    if (r.lines) runs.push({ start: r.start, end: r.end });
    else out.push(r.edit);
  }
  runs.sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const r of runs) {
    const last = merged.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  // An in-line removal inside a removed run (an attribute of a removed one-line block) is already gone.
  const kept = out.filter((e) => !merged.some((m) => e.start >= m.start && e.end <= m.end));
  return [...kept, ...merged.map((m) => removeLines(file, src, m.start, m.end))];
}

function indentUnitFor(src: SourceText, indent: string): string {
  return indent.includes('\t') || /^\t/m.test(src.text) ? '\t' : '  ';
}

/**
 * One indentation step inside `body`: how far its items are indented past the block that holds
 * them (so a file indented by four spaces gets four); else tabs when the file indents with tabs,
 * else two spaces.
 */
function indentStep(body: NativeBody, src: SourceText): string {
  const ownerIndent = body.owner ? src.indentOf(body.owner.range.start.offset) : '';
  const first = body.items.find((i) => src.isBlank(src.lineStart(i.range.start.offset), i.range.start.offset));
  if (first) {
    const indent = src.indentOf(first.range.start.offset);
    if (indent.startsWith('\t')) return '\t';
    if (indent.length > ownerIndent.length && indent.startsWith(ownerIndent)) return indent.slice(ownerIndent.length);
  }
  return indentUnitFor(src, ownerIndent);
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
  if ('value' in v) return printValue(v.value, indent);
  if ('expression' in v) return v.expression.trim();
  if (v.source.syntax !== 'hcl') throw new InternalError('a JSON-syntax expression cannot be copied into native syntax');
  return copiedSource(v.source, indent);
}

/**
 * An existing expression's text for a line at `indent`: the lines after its first move with it
 * (they were indented relative to the line it started on). A heredoc's lines are its content,
 * so an expression holding one is copied as written.
 */
function copiedSource(expr: Expression, indent: string): string {
  const text = expr.text;
  if (!text.includes('\n') || /<<-?[A-Za-z_]/.test(text)) return text;
  const from = fileInfo(expr.file).src.indentOf(expr.range.start.offset);
  return text
    .split('\n')
    .map((line, i) => (i > 0 && line.startsWith(from) && line.trim() !== '' ? indent + line.slice(from.length) : line))
    .join('\n');
}

// --- comments carried by new attributes -----------------------------------------------------------

interface OwnedComments {
  /** The lead comment lines, trimmed (a block comment spanning lines keeps its inner lines as written). */
  lead: string[];
  /** The same-line comment, if any. */
  trailing: string | undefined;
}

/** The comments an attribute owns (native syntax; a JSON attribute has none). */
function ownedComments(attr: Attribute): OwnedComments {
  if (attr.parent.syntax !== 'hcl') return { lead: [], trailing: undefined };
  const { src, comments } = fileInfo(attr.parent.file);
  const ext = nativeExtent(attr);
  const lead = ext.leadStart < attr.range.start.offset ? src.text.slice(ext.leadStart, src.lineStart(attr.range.start.offset)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '') : [];
  const afterWs = firstNonBlank(src, attr.range.end.offset);
  const c = afterWs < ext.end ? commentAt(comments, afterWs) : undefined;
  return { lead, trailing: c ? src.text.slice(c[0], ext.end) : undefined };
}

/** Columns from an attribute's name to its `=` minus one (its name width as aligned), and whether it is padded. */
function equalsColumn(attr: Attribute): { width: number; padded: boolean } | undefined {
  if (attr.parent.syntax !== 'hcl') return undefined;
  const text = attr.parent.file.text;
  const between = text.slice(attr.nameRange.end.offset, attr.expr.range.start.offset);
  const eq = between.indexOf('=');
  if (eq < 0 || between.slice(0, eq).includes('\n')) return undefined;
  return { width: attr.nameRange.end.offset - attr.nameRange.start.offset + eq - 1, padded: eq > 1 };
}

/** The single-line attributes on consecutive lines around `attr` (its run, as packer fmt aligns them). */
function attributeRun(attr: Attribute): Attribute[] {
  const { src } = fileInfo(attr.parent.file);
  const items = attr.parent.content();
  const at = items.indexOf(attr);
  if (at < 0) return [attr];
  const line = (i: BodyItem) => src.lineIndex(i.range.start.offset);
  const single = (i: BodyItem | undefined): i is Attribute => i?.kind === 'attribute' && line(i) === src.lineIndex(i.range.end.offset) && startsLine(src, i.range.start.offset);
  if (!single(attr)) return [attr];
  let first = at;
  while (single(items[first - 1]) && line(items[first - 1] as BodyItem) === line(items[first] as BodyItem) - 1) first--;
  let last = at;
  while (single(items[last + 1]) && line(items[last + 1] as BodyItem) === line(items[last] as BodyItem) + 1) last++;
  return items.slice(first, last + 1) as Attribute[];
}

function attributeWidth(attrs: readonly NewAttribute[], options: AlignOptions): number | undefined {
  const names = attrs.map((a) => hclKey(a.name).length);
  if (!options.alignWith) return Math.max(0, ...names);
  // An attribute written padded gives its own column; else the padded ones of its run do (in a
  // file packer fmt wrote they are the same column; in one it did not, the nearest one wins).
  const own = equalsColumn(options.alignWith);
  const padded = own?.padded ? [own.width] : attributeRun(options.alignWith).flatMap((a) => {
    const c = equalsColumn(a);
    return c?.padded ? [c.width] : [];
  });
  if (padded.length === 0 && options.unaligned === 'none') return undefined;
  return Math.max(0, ...padded, ...names);
}

/**
 * `name = value` lines at `indent`, with the comments each one carries. `skipLeadOf`: an attribute
 * whose lead comments stay where they are (above the replaced item), so only its same-line comment moves.
 */
function attributeLines(attrs: readonly NewAttribute[], indent: string, options: AlignOptions = {}, skipLeadOf?: BodyItem): string[] {
  const width = attributeWidth(attrs, options);
  return attrs.flatMap((a) => {
    const comments = a.commentsFrom ? ownedComments(a.commentsFrom) : { lead: [], trailing: undefined };
    const lead = a.commentsFrom === skipLeadOf ? [] : comments.lead.map((l) => indent + l);
    const name = width === undefined ? hclKey(a.name) : hclKey(a.name).padEnd(width);
    const trailing = comments.trailing !== undefined && !a.withoutTrailingComment ? ` ${comments.trailing}` : '';
    return [...lead, `${indent}${name} = ${valueText(a, indent)}${trailing}`];
  });
}

/** The source text of a block at `indent` (its first line is indented too); `\n` line breaks. */
export function blockText(spec: BlockSpec, indent = '', unit = '  ', skipLeadOf?: BodyItem): string {
  const header = [spec.type, ...spec.labels.map(quoteHcl)].join(' ');
  const inner = indent + unit;
  const lines = attributeLines(spec.attrs, inner, {}, skipLeadOf);
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

/** The node a JSON item's removal takes: a block climbs while its container would be left empty. */
function jsonRemovalNode(item: BodyItem): JsonNode {
  if (item instanceof JsonAttribute) return item.node;
  if (!(item instanceof JsonBlock)) throw new InternalError('not a JSON-syntax item');
  // `{"source": {"t": {"n": {...}}}}` goes whole.
  const holders = item.holders;
  let i = holders.length - 1;
  while (i > 0 && ((holders[i] as JsonNode).parent?.children?.length ?? 0) === 1) i--;
  return holders[i] as JsonNode;
}

function startsLine(src: SourceText, offset: number): boolean {
  return src.isBlank(src.lineStart(offset), offset);
}

/** Removes consecutive members of one object (or elements of one array) with one separating comma. */
function removeJsonRun(file: SourceFile, src: SourceText, run: readonly JsonNode[]): TextEdit {
  const first = run[0] as JsonNode;
  const last = run[run.length - 1] as JsonNode;
  const siblings = first.parent?.children ?? [];
  const next = siblings[siblings.indexOf(last) + 1];
  const prev = siblings[siblings.indexOf(first) - 1];
  if (next) {
    if (startsLine(src, first.offset) && startsLine(src, next.offset)) return edit(file, src.lineStart(first.offset), src.lineStart(next.offset), '');
    return edit(file, first.offset, next.offset, '');
  }
  if (prev) return edit(file, nodeEnd(prev), nodeEnd(last), '');
  if (startsLine(src, first.offset) && src.isBlank(nodeEnd(last), src.lineEnd(nodeEnd(last)))) {
    return edit(file, src.lineStart(first.offset), src.nextLineStart(nodeEnd(last)), '');
  }
  return edit(file, first.offset, nodeEnd(last), '');
}

function jsonRemoveAll(file: SourceFile, items: readonly BodyItem[]): TextEdit[] {
  const { src } = fileInfo(file);
  const nodes = [...new Set(items.map(jsonRemovalNode))];
  // A member inside another removed member is already gone.
  const outer = nodes.filter((n) => !nodes.some((o) => o !== n && n.offset >= o.offset && nodeEnd(n) <= nodeEnd(o)));
  const byParent = new Map<JsonNode | undefined, JsonNode[]>();
  for (const n of outer) byParent.set(n.parent, [...(byParent.get(n.parent) ?? []), n]);
  const edits: TextEdit[] = [];
  for (const [parent, members] of byParent) {
    const siblings = parent?.children ?? [];
    const sorted = members.sort((a, b) => siblings.indexOf(a) - siblings.indexOf(b));
    let run: JsonNode[] = [];
    for (const n of sorted) {
      const prev = run[run.length - 1];
      if (prev && siblings.indexOf(n) !== siblings.indexOf(prev) + 1) {
        edits.push(removeJsonRun(file, src, run));
        run = [];
      }
      run.push(n);
    }
    if (run.length > 0) edits.push(removeJsonRun(file, src, run));
  }
  return edits;
}

function jsonUnit(src: SourceText): string {
  const m = /\n([ \t]+)\S/.exec(src.text);
  if (!m) return '  ';
  const ws = m[1] as string;
  return ws.startsWith('\t') ? '\t' : ws;
}

function jsonValueText(v: NewValue, indent: string, unit: string): string {
  if ('value' in v) return printJsonValue(v.value, indent, unit);
  if ('source' in v) return v.source.syntax === 'json' ? v.source.text : jsonFromNative(v.source);
  return jsonFromNative(parseExpressionSync(v.expression.trim(), 'new value'));
}

const JSON_LITERAL = /^(?:true|false|null|-?\d+(?:\.\d+)?)$/;

/**
 * The JSON-syntax value of a native expression: a literal stays a literal, a quoted template
 * becomes the JSON string of the same template (JSON strings are templates in HCL's JSON syntax),
 * anything else a `${...}` string around the expression (whose own `${` must not be escaped).
 */
function jsonFromNative(expr: Expression): string {
  const text = expr.text.trim();
  if (!isHclExpression(expr)) throw new InternalError('not an expression produced by the parser');
  const ast: Expr = expr.ast;
  if (ast.t === 'literal' && typeof ast.value !== 'string' && JSON_LITERAL.test(text)) return text;
  if (ast.t === 'literal' && typeof ast.value === 'string') return jsonTemplateString(ast.value);
  if (ast.t === 'template' && ast.parts.every((p) => p.t === 'text' || p.t === 'interp')) {
    const source = expr.src.text;
    return JSON.stringify(ast.parts.map((p) => (p.t === 'text' ? p.text.replace(/([$%])\{/g, '$1$1{') : p.t === 'interp' ? `\${${source.slice(p.expr.s, p.expr.e)}}` : '')).join(''));
  }
  return JSON.stringify(`\${${text}}`);
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
  return item.parent.syntax === 'json' ? jsonRemoveAll(item.parent.file, [item]) : nativeRemove(item);
}

/**
 * Removes several items (of any files). Removals that touch are made as one: consecutive native
 * lines go as one run, so the blank-line rule applies once to the whole run, and consecutive JSON
 * properties go with one comma. An item inside another removed item is covered by it.
 * `keepComments` (native): the comments an item owns stay (its lead comment lines where they are,
 * its same-line comment as a line of its own at its indentation) instead of going with it.
 */
export function removeItems(items: readonly BodyItem[], options: { keepComments?: boolean } = {}): TextEdit[] {
  const byFile = new Map<SourceFile, BodyItem[]>();
  for (const item of items) byFile.set(item.parent.file, [...(byFile.get(item.parent.file) ?? []), item]);
  return [...byFile].flatMap(([file, list]) => (file.syntax === 'json' ? jsonRemoveAll(file, list) : nativeRemoveAll(file, list, options.keepComments)));
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
 * block's + one level), `=` aligned within the inserted run (and with `alignWith`), the file's
 * line ending.
 */
export function insertAttributes(body: Body, anchor: Anchor, attrs: NewAttribute[], options: AlignOptions = {}): TextEdit[] {
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
  return nativeInsertLines(body, anchor, attributeLines(attrs, indent, options));
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

/** Which of an item's comments survive its replacement (by default they go with it, as in removeItem()). */
export interface ReplaceOptions {
  /** Its lead comment lines stay above the new text (they introduce what is still there). */
  keepLeadComments?: boolean;
  /** Its same-line comment stays, after the first new line. */
  keepTrailingComment?: boolean;
}

/**
 * Replaces a native item by whole lines written at its indentation (`lines` are relative to it;
 * '' stays an empty line; a line's own continuation lines, after a `\n`, are kept as given). An
 * item that shares its line with other text is replaced in place, its first new line where it was.
 */
export function replaceWithLines(item: BodyItem, lines: readonly string[], options: ReplaceOptions = {}): TextEdit[] {
  const indent = itemIndent(item);
  return replaceLines(item, lines.map((l) => (l === '' ? '' : indent + l)), options);
}

/** replaceWithLines() with lines already indented (their first line starts with the item's indentation). */
function replaceLines(item: BodyItem, lines: readonly string[], options: ReplaceOptions): TextEdit[] {
  if (item.parent.syntax !== 'hcl') throw new InternalError('replaceWithLines() takes native-syntax items');
  if (lines.length === 0) return removeItem(item);
  const file = item.parent.file;
  const { src } = fileInfo(file);
  const text = src.text;
  const start = item.range.start.offset;
  const indent = src.indentOf(start);
  const inPlace = (lines[0] as string).slice(indent.length);
  const ext = nativeExtent(item);
  if (!ext.alone) {
    let end = item.range.end.offset;
    while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
    return [edit(file, start, end, withEol(`${[inPlace, ...lines.slice(1)].join('\n')} `, file.eol))];
  }
  const from = options.keepLeadComments ? src.lineStart(start) : src.lineStart(ext.leadStart);
  if (options.keepTrailingComment) {
    const edits: TextEdit[] = [];
    if (from < src.lineStart(start)) edits.push(edit(file, from, src.lineStart(start), ''));
    edits.push(edit(file, start, item.range.end.offset, withEol(inPlace, file.eol)));
    const at = src.lineEnd(ext.end);
    if (lines.length > 1) edits.push(edit(file, at, at, withEol(lines.slice(1).map((l) => `\n${l}`).join(''), file.eol)));
    return edits;
  }
  const to = src.nextLineStart(ext.end);
  const hadBreak = to > ext.end && text[to - 1] === '\n';
  return [edit(file, from, to, withEol(lines.join('\n') + (hadBreak ? '\n' : ''), file.eol))];
}

/**
 * Replaces an item by attributes written where it was. Native: `=` is aligned within the new
 * lines and, by default, with the run of attributes the replaced one was aligned in. JSON:
 * the properties take the item's place, one per line when it had a line of its own.
 */
export function replaceWithAttributes(item: BodyItem, attrs: readonly NewAttribute[], options: ReplaceOptions & AlignOptions = {}): TextEdit[] {
  if (attrs.length === 0) return removeItem(item);
  if (item.parent.syntax === 'json') {
    const file = item.parent.file;
    const { src } = fileInfo(file);
    const node = jsonMemberNode(item);
    const indent = src.indentOf(node.offset);
    const sep = startsLine(src, node.offset) ? `,\n${indent}` : ', ';
    const members = attrs.map((a) => `${JSON.stringify(a.name)}: ${jsonValueText(a, indent, jsonUnit(src))}`);
    return [edit(file, node.offset, nodeEnd(node), withEol(members.join(sep), file.eol))];
  }
  const align: AlignOptions = { ...options, ...(options.alignWith || item.kind !== 'attribute' ? {} : { alignWith: item }) };
  return replaceLines(item, attributeLines(attrs, itemIndent(item), align, options.keepLeadComments ? item : undefined), options);
}

/**
 * Replaces an item by new blocks written where it was (a top-level ISO setting becoming
 * `boot_iso {}`, a `dynamic` block written out). Its lead comments stay above the blocks by
 * default; attributes of the blocks may carry comments of attributes that move into them
 * (`commentsFrom`). JSON syntax: one block, as a property in the item's place.
 */
export function replaceWithBlock(item: BodyItem, blocks: BlockSpec | readonly BlockSpec[], options: ReplaceOptions = { keepLeadComments: true }): TextEdit[] {
  const specs: readonly BlockSpec[] = Array.isArray(blocks) ? blocks : [blocks as BlockSpec];
  const file = item.parent.file;
  const { src } = fileInfo(file);
  if (item.parent instanceof JsonBody) {
    if (specs.length !== 1) throw new InternalError('JSON syntax: replaceWithBlock() writes one block');
    const node = jsonMemberNode(item);
    return [edit(file, node.offset, nodeEnd(node), withEol(jsonBlockMember(specs[0] as BlockSpec, src.indentOf(node.offset), jsonUnit(src)), file.eol))];
  }
  if (!(item.parent instanceof NativeBody)) throw new InternalError('not a body produced by parseFile()');
  const unit = indentStep(item.parent, src);
  const indent = src.indentOf(item.range.start.offset);
  return replaceLines(item, specs.map((spec) => blockText(spec, indent, unit, options.keepLeadComments ? item : undefined)), options);
}

