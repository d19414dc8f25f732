// packer fmt's alignment (hclwrite's formatCells) for the lines an edit touched: in a run of
// consecutive lines that each hold a single-line attribute, every `=` stands one space after the
// longest name; in a run of consecutive lines that each end in a comment, every comment stands one
// space after the longest code. A comment line, a blank line or a line without `=` ends a run.
// Removing `iso_storage_pool` from a run must therefore pull the other `=` back, and a line
// written into a run takes its column. Only runs that hold a touched line change, and only the
// spaces before `=` and before trailing comments.

import { applyEdits } from './edit.js';
import { fileInfo } from './file-info.js';
import type { Body, SourceFile, TextEdit } from './model.js';
import { parseFileSync } from './parse.js';
import type { SourceText } from './source-text.js';

interface LineCells {
  /** Columns before the spaces that precede `=` (indentation and name). */
  lead?: number;
  /** [start, end) of the spaces before `=`. */
  assignGap?: [number, number];
  /** [start, end) of the spaces before the trailing comment. */
  commentGap?: [number, number];
}

/**
 * `edits` of a native file, plus the spaces packer fmt would change in the runs they touch, as
 * edits of the same original text. The file must have been parsed (the parser is initialised).
 */
export function withFmtAlignment(file: SourceFile, edits: readonly TextEdit[]): TextEdit[] {
  if (file.syntax !== 'hcl' || edits.length === 0) return [...edits];
  const edited = applyEdits(file.text, edits);
  const after = parseFileSync({ path: file.path, displayPath: file.displayPath, text: edited, syntax: 'hcl' });
  const touched = touchedLines(fileInfo(after).src, edits);
  const spaces = alignmentEdits(after, touched);
  if (spaces.length === 0) return [...edits];
  const final = applyEdits(edited, spaces);
  // One edit from the first to the last changed character of the original.
  const original = file.text;
  let start = 0;
  while (start < original.length && start < final.length && original[start] === final[start]) start++;
  let end = 0;
  while (end < original.length - start && end < final.length - start && original[original.length - 1 - end] === final[final.length - 1 - end]) end++;
  return [{ file: file.path, start, end: original.length - end, text: final.slice(start, final.length - end) }];
}

/** Lines (0-based, of the edited text) an edit wrote or changed, and the lines on either side (a run they are in may change). */
function touchedLines(edited: SourceText, edits: readonly TextEdit[]): Set<number> {
  const lines = new Set<number>();
  let shift = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    const start = e.start + shift;
    const end = start + e.text.length;
    for (let l = edited.lineIndex(start) - 1; l <= edited.lineIndex(end) + 1; l++) lines.add(l);
    shift += e.text.length - (e.end - e.start);
  }
  return lines;
}

function alignmentEdits(file: SourceFile, touched: ReadonlySet<number>): TextEdit[] {
  const { src, comments } = fileInfo(file);
  const text = src.text;
  const cells = new Map<number, LineCells>();
  const cell = (line: number) => cells.get(line) ?? (cells.set(line, {}), cells.get(line)!);
  const walk = (body: Body) => {
    for (const item of body.content()) {
      if (item.kind === 'block') {
        walk(item.body);
        continue;
      }
      const line = src.lineIndex(item.range.start.offset);
      if (line !== src.lineIndex(item.range.end.offset) || !src.isBlank(src.lineStart(item.range.start.offset), item.range.start.offset)) continue;
      const nameEnd = item.nameRange.end.offset;
      let eq = nameEnd;
      while (text[eq] === ' ' || text[eq] === '\t') eq++;
      if (text[eq] !== '=') continue;
      Object.assign(cell(line), { lead: nameEnd - src.lineStart(nameEnd), assignGap: [nameEnd, eq] });
    }
  };
  walk(file.body);
  for (const [start] of comments) {
    const lineStart = src.lineStart(start);
    if (src.isBlank(lineStart, start)) continue; // a comment line, not a trailing comment
    let gap = start;
    while (gap > lineStart && (text[gap - 1] === ' ' || text[gap - 1] === '\t')) gap--;
    cell(src.lineIndex(start)).commentGap = [gap, start];
  }

  const out: TextEdit[] = [];
  const newGap = new Map<number, number>(); // line → change of its code width from the `=` realignment
  for (const run of runs(cells, (c) => c.lead !== undefined)) {
    if (!run.some((l) => touched.has(l))) continue;
    const width = Math.max(...run.map((l) => cells.get(l)!.lead!));
    for (const l of run) {
      const c = cells.get(l)!;
      const [a, b] = c.assignGap!;
      const want = width - c.lead! + 1;
      if (b - a !== want) {
        out.push({ file: file.path, start: a, end: b, text: ' '.repeat(want) });
        newGap.set(l, want - (b - a));
      }
    }
  }
  for (const run of runs(cells, (c) => c.commentGap !== undefined)) {
    if (!run.some((l) => touched.has(l) || newGap.has(l))) continue;
    const code = (l: number) => {
      const [a] = cells.get(l)!.commentGap!;
      return a - src.lineStart(a) + (newGap.get(l) ?? 0);
    };
    const width = Math.max(...run.map(code));
    for (const l of run) {
      const [a, b] = cells.get(l)!.commentGap!;
      const want = width - code(l) + 1;
      if (b - a !== want) out.push({ file: file.path, start: a, end: b, text: ' '.repeat(want) });
    }
  }
  return out;
}

/** Maximal runs of consecutive lines whose cells pass `has`. */
function runs(cells: ReadonlyMap<number, LineCells>, has: (c: LineCells) => boolean): number[][] {
  const lines = [...cells.keys()].filter((l) => has(cells.get(l)!)).sort((a, b) => a - b);
  const out: number[][] = [];
  for (const l of lines) {
    const last = out.at(-1);
    if (last && last.at(-1) === l - 1) last.push(l);
    else out.push([l]);
  }
  return out;
}
