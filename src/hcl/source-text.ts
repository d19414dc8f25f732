// Positions in a source text: UTF-16 offsets to 1-based line/column, line boundaries and line
// endings. Everything in src/hcl that reports a place or edits whole lines goes through here.

import type { Position, SourceRange } from '../errors.js';

/** A text with its line-start table, so offset → line/column is a binary search. */
export class SourceText {
  readonly lineStarts: number[];

  constructor(
    readonly text: string,
    readonly displayPath: string,
  ) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  /** 0-based line index containing `offset`. */
  lineIndex(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): Position {
    const line = this.lineIndex(offset);
    return { line: line + 1, column: offset - (this.lineStarts[line] as number) + 1, offset };
  }

  range(start: number, end: number): SourceRange {
    return { file: this.displayPath, start: this.position(start), end: this.position(end) };
  }

  lineStart(offset: number): number {
    return this.lineStarts[this.lineIndex(offset)] as number;
  }

  /** Offset of the line break ending the line of `offset` (or the text length). `\r\n` counts from `\r`. */
  lineEnd(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    if (nl === -1) return this.text.length;
    return nl > 0 && this.text[nl - 1] === '\r' ? nl - 1 : nl;
  }

  /** Offset just after the line break of the line of `offset` (or the text length). */
  nextLineStart(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl === -1 ? this.text.length : nl + 1;
  }

  /** True when [from, to) holds only spaces and tabs. */
  isBlank(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const c = this.text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
    }
    return true;
  }

  /** The leading spaces/tabs of the line containing `offset`. */
  indentOf(offset: number): string {
    const start = this.lineStart(offset);
    let i = start;
    while (i < this.text.length && (this.text[i] === ' ' || this.text[i] === '\t')) i++;
    return this.text.slice(start, i);
  }
}

/** The dominant line ending of a text (CRLF only when most line breaks are CRLF). */
export function detectEol(text: string): '\n' | '\r\n' {
  let lf = 0;
  let crlf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text[i - 1] === '\r') crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}
