// `packer fmt` alignment for edited text: after edits are applied, the runs of `name = value` lines
// they touched get their `=` (and their trailing comments) lined up the way hclwrite's formatter
// lines them up, so a rewritten block stays `packer fmt`-clean. Lines no edit touched keep their
// bytes: a run is realigned only when one of its lines was written or is next to a change.
//
// hclwrite's rule (format.go, formatCells): a line "assigns" when its first `=` comes after some
// other token and the brackets from that `=` to the end of the line balance (a heredoc opener ends
// the count). Consecutive assigning lines form a chain whose `=` stand one space after the widest
// name; any other line (blank, comment-only, a brace, a continuation) ends the chain. Trailing
// comments chain the same way over consecutive lines that end in a comment.

import { applyEdits } from './edit.js';
import type { TextEdit } from './model.js';
import { SourceText } from './source-text.js';

interface LineCells {
  /** Content without the line break (a CRLF's `\r` excluded). */
  text: string;
  /** Index of the assigning `=`, if the line assigns. */
  assign?: number;
  /** Index where a trailing comment starts, if the line has one after other tokens. */
  comment?: number;
}

type ScanState = { kind: 'code' } | { kind: 'block-comment' } | { kind: 'heredoc'; marker: string };

/** Splits one line into hclwrite's cells, carrying heredoc and block-comment state across lines. */
function scanLine(text: string, state: ScanState): { cells: LineCells; state: ScanState } {
  const cells: LineCells = { text };
  if (state.kind === 'heredoc') {
    return { cells, state: text.trim() === state.marker ? { kind: 'code' } : state };
  }
  let i = 0;
  let tokens = 0;
  let eq: number | undefined;
  let depth = 0;
  let counting = false;
  let next: ScanState = { kind: 'code' };
  if (state.kind === 'block-comment') {
    const end = text.indexOf('*/');
    if (end < 0) return { cells, state };
    i = end + 2;
  }
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      if (tokens > 0) cells.comment = i;
      break;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        if (tokens > 0) cells.comment = i;
        next = { kind: 'block-comment' };
        break;
      }
      // A comment that ends the line is a trailing comment; one inside the line is just a token.
      if (tokens > 0 && text.slice(end + 2).trim() === '') {
        cells.comment = i;
        break;
      }
      tokens++;
      i = end + 2;
      continue;
    }
    tokens++;
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (end < 0) {
        if (counting) depth++;
        break;
      }
      i = end;
      continue;
    }
    const heredoc = /^<<-?([A-Za-z_][\w-]*)/.exec(text.slice(i));
    if (heredoc) {
      next = { kind: 'heredoc', marker: heredoc[1] as string };
      counting = false;
      i += heredoc[0].length;
      continue;
    }
    if (ch === '=' && text[i + 1] !== '=' && text[i + 1] !== '>' && !'!<>='.includes(text[i - 1] ?? '')) {
      // The first `=` after some other token (hclwrite: `i > 0 && tok.Type == TokenEqual`).
      if (eq === undefined && tokens > 1) {
        eq = i;
        counting = true;
      }
      i++;
      continue;
    }
    if (counting && '([{'.includes(ch)) depth++;
    if (counting && ')]}'.includes(ch)) depth--;
    i++;
  }
  if (eq !== undefined && depth === 0) cells.assign = eq;
  return { cells, state: next };
}

/** Index just past the `"` that closes the quoted string opening at `open`, or -1 when it does not close on the line. */
function stringEnd(text: string, open: number): number {
  let nested = 0;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if ((ch === '$' || ch === '%') && text[i + 1] === '{') {
      nested++;
      i++;
    } else if (ch === '}' && nested > 0) nested--;
    else if (ch === '"' && nested === 0) return i + 1;
    else if (ch === '"' && nested > 0) {
      // A string inside an interpolation.
      const inner = stringEnd(text, i);
      if (inner < 0) return -1;
      i = inner - 1;
    }
  }
  return -1;
}

function columns(s: string): number {
  return [...s].length;
}

/** Realigns the chains (of `=`, then of trailing comments) that contain a line in `touched`. */
function alignLines(lines: LineCells[], touched: ReadonlySet<number>): void {
  const chains = (member: (l: LineCells) => boolean): number[][] => {
    const out: number[][] = [];
    let run: number[] = [];
    lines.forEach((l, n) => {
      if (member(l)) run.push(n);
      else if (run.length > 0) {
        out.push(run);
        run = [];
      }
    });
    if (run.length > 0) out.push(run);
    return out.filter((c) => c.some((n) => touched.has(n)));
  };
  // `=` first: moving it moves the comments after it, which are aligned next.
  for (const cell of ['assign', 'comment'] as const) {
    for (const chain of chains((l) => l[cell] !== undefined)) {
      const head = (l: LineCells) => l.text.slice(0, l[cell]).trimEnd();
      const width = Math.max(...chain.map((n) => columns(head(lines[n] as LineCells))));
      for (const n of chain) {
        const l = lines[n] as LineCells;
        const aligned = head(l) + ' '.repeat(width - columns(head(l)) + 1);
        const shift = aligned.length - (l[cell] as number);
        l.text = aligned + l.text.slice(l[cell]);
        l[cell] = aligned.length;
        if (cell === 'assign' && l.comment !== undefined) l.comment += shift;
      }
    }
  }
}

/**
 * applyEdits() for native HCL text, followed by packer fmt's alignment of the `=` and trailing
 * comment runs that the edits touched (a line written by an edit, or the lines beside one).
 */
export function applyEditsAligned(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const after = applyEdits(text, edits);
  // Where each edit's text lies in the result.
  const spans: Array<[number, number]> = [];
  let delta = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const start = e.start + delta;
    spans.push([start, start + e.text.length]);
    delta += e.text.length - (e.end - e.start);
  }
  const raw = after.split('\n');
  const src = new SourceText(after, '');
  const lineOf = (o: number): number => src.lineIndex(o);
  // The lines an edit wrote, and the one on each side (a run the edit split or shortened goes on there).
  const touched = new Set<number>();
  for (const [s, e] of spans) {
    const last = e > 0 && after[e - 1] === '\n' ? lineOf(e) : lineOf(e) + 1;
    for (let n = lineOf(s) - 1; n <= last; n++) touched.add(n);
  }
  let state: ScanState = { kind: 'code' };
  const lines = raw.map((l) => {
    const cr = l.endsWith('\r');
    const scanned = scanLine(cr ? l.slice(0, -1) : l, state);
    state = scanned.state;
    return { ...scanned.cells, cr };
  });
  alignLines(lines, touched);
  return lines.map((l) => l.text + (l.cr ? '\r' : '')).join('\n');
}
