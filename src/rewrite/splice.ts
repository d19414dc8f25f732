// Text-level edits of one file, expressed as splices of the original text (magic-string style) so
// every byte that is not rewritten stays as it was. Native HCL follows hclwrite's ownership rules:
// an attribute or block owns its lead comments (comment-only lines directly above it, no blank line
// between) and its same-line comment; a removal takes whole lines, newline included, and collapses
// a double blank line it leaves behind. JSON syntax removes a property with its separating comma.

import { InternalError } from '../errors.js';
import type { Attribute, BodyItem, SourceFile, TextEdit } from '../hcl/model.js';

/** A new attribute as text: `name` and the HCL (or JSON) text of its value. */
export interface NewAttribute {
  name: string;
  value: string;
}

interface Span {
  start: number;
  end: number;
  text: string;
}

export class FileEdits {
  private readonly spans: Span[] = [];
  private readonly lineStarts: number[];

  constructor(readonly file: SourceFile) {
    const starts = [0];
    for (let i = 0; i < file.text.length; i++) if (file.text.charCodeAt(i) === 10) starts.push(i + 1);
    this.lineStarts = starts;
  }

  get isEmpty(): boolean {
    return this.spans.length === 0;
  }

  /** Removes an attribute or block with what it owns. */
  remove(item: BodyItem): void {
    if (this.file.syntax === 'json') this.spans.push({ ...this.jsonPropertySpan(item), text: '' });
    else this.spans.push({ ...this.ownedSpan(item), text: '' });
  }

  /**
   * Replaces an item (with what it owns) by new attributes, written where the item was, at its
   * indentation; `=` is aligned to the column the item's own `=` had when there is room.
   */
  replaceWithAttributes(item: BodyItem, attrs: readonly NewAttribute[]): void {
    if (attrs.length === 0) return this.remove(item);
    if (this.file.syntax === 'json') {
      const text = attrs.map((a) => `${JSON.stringify(a.name)}: ${a.value}`).join(', ');
      this.spans.push({ start: item.range.start.offset, end: item.range.end.offset, text });
      return;
    }
    const span = this.ownedSpan(item, true);
    const indent = this.indentOf(item.range.start.offset);
    // Keep the column of the replaced `=`; within the inserted run, align `=` (hclwrite style).
    const width = Math.max(this.nameWidth(item), ...attrs.map((a) => a.name.length + 1));
    const lines = attrs.map((a) => `${a.name.padEnd(width)}= ${a.value}`);
    this.spans.push(this.lineReplacement(span, item, lines.map((l) => indent + l)));
  }

  /** Replaces an item (with what it owns) by whole lines of text; `lines` are relative to the item's indentation. */
  replaceWithLines(item: BodyItem, lines: readonly string[]): void {
    if (this.file.syntax === 'json') throw new InternalError('replaceWithLines is native HCL only');
    const span = this.ownedSpan(item, true);
    const indent = this.indentOf(item.range.start.offset);
    this.spans.push(this.lineReplacement(span, item, lines.map((l) => (l === '' ? '' : indent + l))));
  }

  /** Text edits in original offsets, sorted, merged where they touch. */
  toTextEdits(): TextEdit[] {
    const sorted = [...this.spans].sort((a, b) => a.start - b.start || a.end - b.end);
    const merged: Span[] = [];
    for (const s of sorted) {
      const last = merged.at(-1);
      if (last && s.start < last.end) {
        if (s.end <= last.end && s.text === '') continue; // inside a removal already made
        if (s.start === last.start && s.end === last.end && s.text === last.text) continue; // the same edit twice
        throw new InternalError(`overlapping edits in ${this.file.displayPath} at offset ${s.start}`);
      }
      if (last && s.start === last.end) {
        last.end = s.end;
        last.text += s.text;
      } else merged.push({ ...s });
    }
    if (this.file.syntax === 'hcl') for (const s of merged) this.collapseBlankLines(s);
    return merged.map((s) => ({ file: this.file.path, start: s.start, end: s.end, text: s.text }));
  }

  // --- Internal ---

  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private lineText(line: number): string {
    const start = this.lineStarts[line]!;
    const end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! : this.file.text.length;
    return this.file.text.slice(start, end).replace(/\r?\n$/, '');
  }

  private lineEnd(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! : this.file.text.length;
  }

  private indentOf(offset: number): string {
    const line = this.lineOf(offset);
    return /^[ \t]*/.exec(this.lineText(line))![0];
  }

  /** Columns from the item's start to its `=` (for alignment), or 0 when there is no `=` on that line. */
  private nameWidth(item: BodyItem): number {
    if (item.kind !== 'attribute') return 0;
    const a = item as Attribute;
    const after = this.file.text.slice(a.nameRange.end.offset, a.expr.range.start.offset);
    const eq = after.indexOf('=');
    if (eq < 0 || after.slice(0, eq).includes('\n')) return 0;
    return a.nameRange.end.offset - a.nameRange.start.offset + eq;
  }

  /**
   * Whole lines of the item plus its lead comments, or just its text when it shares a line. A block
   * that is replaced (written in another form) keeps its lead comments: they describe what is
   * still there; an attribute's go with it.
   */
  private ownedSpan(item: BodyItem, replacing = false): { start: number; end: number; wholeLines: boolean } {
    const startLine = this.lineOf(item.range.start.offset);
    const endOffset = Math.max(item.range.start.offset, item.range.end.offset - 1);
    const endLine = this.lineOf(endOffset);
    const before = this.file.text.slice(this.lineStarts[startLine]!, item.range.start.offset);
    const after = this.file.text.slice(item.range.end.offset, this.lineEnd(endLine)).replace(/\r?\n$/, '');
    if (/^[ \t]*$/.test(before) && isBlankOrComment(after)) {
      let first = startLine;
      const keepLeadComments = replacing && item.kind === 'block';
      while (!keepLeadComments && first > 0 && isCommentLine(this.lineText(first - 1))) first--;
      return { start: this.lineStarts[first]!, end: this.lineEnd(endLine), wholeLines: true };
    }
    const trailing = /^[ \t]*/.exec(this.file.text.slice(item.range.end.offset))![0].length;
    return { start: item.range.start.offset, end: item.range.end.offset + trailing, wholeLines: false };
  }

  private lineReplacement(span: { start: number; end: number; wholeLines: boolean }, item: BodyItem, lines: string[]): Span {
    const eol = this.file.eol;
    if (span.wholeLines) {
      const endsWithNewline = this.file.text.slice(span.start, span.end).endsWith('\n');
      return { start: span.start, end: span.end, text: lines.join(eol) + (endsWithNewline ? eol : '') };
    }
    // The item shares its line: keep the rest of the line, put the new text in its place.
    const indent = this.indentOf(item.range.start.offset);
    return { start: span.start, end: span.end, text: lines.map((l, i) => (i === 0 ? l.slice(indent.length) : l)).join(eol) + ' ' };
  }

  /** A removed run of whole lines between two blank lines would leave two blank lines: take one. */
  private collapseBlankLines(s: Span): void {
    if (s.text !== '') return;
    const startLine = this.lineOf(s.start);
    if (this.lineStarts[startLine] !== s.start || s.end >= this.file.text.length) return;
    const nextLine = this.lineOf(s.end);
    if (this.lineStarts[nextLine] !== s.end) return;
    const prevBlank = startLine > 0 && this.lineText(startLine - 1).trim() === '';
    const nextBlank = this.lineText(nextLine).trim() === '';
    if (prevBlank && nextBlank) s.end = this.lineEnd(nextLine);
  }

  /** A JSON property with one separating comma (the following one, else the preceding one). */
  private jsonPropertySpan(item: BodyItem): { start: number; end: number } {
    const text = this.file.text;
    const ps = item.range.start.offset;
    const pe = item.range.end.offset;
    let i = pe;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === ',') {
      let end = i + 1;
      const lineStart = this.lineStarts[this.lineOf(ps)]!;
      const wholeLine = /^[ \t]*$/.test(text.slice(lineStart, ps));
      const rest = /^[ \t]*\r?\n/.exec(text.slice(end));
      if (wholeLine && rest) return { start: lineStart, end: end + rest[0].length };
      while (end < text.length && /[ \t]/.test(text[end]!)) end++;
      return { start: ps, end };
    }
    let j = ps - 1;
    while (j >= 0 && /\s/.test(text[j]!)) j--;
    if (text[j] === ',') return { start: j, end: pe };
    return { start: ps, end: pe };
  }
}

function isCommentLine(line: string): boolean {
  const t = line.trim();
  return t.startsWith('#') || t.startsWith('//') || (t.startsWith('/*') && t.endsWith('*/'));
}

function isBlankOrComment(rest: string): boolean {
  const t = rest.trim();
  return t === '' || t.startsWith('#') || t.startsWith('//') || (t.startsWith('/*') && t.endsWith('*/') && !t.slice(2, -2).includes('*/'));
}

/** Applies non-overlapping edits (original offsets) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start < at) throw new InternalError('overlapping text edits');
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

