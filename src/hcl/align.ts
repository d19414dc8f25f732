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
import type { SourceFile, TextEdit } from './model.js';
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

/** A run of spaces (or tabs) to become `width` spaces: `at` and `length` index the edited text. */
interface Gap {
  at: number;
  length: number;
  width: number;
}

/**
 * The gaps to change so the chains (of `=`, then of trailing comments) that contain a line in
 * `touched` line up. `starts` are the offsets of the lines in the edited text.
 */
function alignmentGaps(lines: LineCells[], starts: readonly number[], touched: ReadonlySet<number>): Gap[] {
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
  const gaps: Gap[] = [];
  /** Per line, how far its `=` realignment moves what follows it (in columns and characters alike: spaces). */
  const shift = new Map<number, number>();
  // `=` first: moving it moves the comments after it, which are aligned next.
  for (const cell of ['assign', 'comment'] as const) {
    for (const chain of chains((l) => l[cell] !== undefined)) {
      const head = (n: number) => {
        const l = lines[n] as LineCells;
        const code = l.text.slice(0, l[cell]).trimEnd();
        return { end: code.length, width: columns(code) + (cell === 'comment' ? (shift.get(n) ?? 0) : 0) };
      };
      const width = Math.max(...chain.map((n) => head(n).width));
      for (const n of chain) {
        const l = lines[n] as LineCells;
        const h = head(n);
        const length = (l[cell] as number) - h.end;
        const wanted = width - h.width + 1;
        if (length === wanted) continue;
        gaps.push({ at: (starts[n] as number) + h.end, length, width: wanted });
        if (cell === 'assign') shift.set(n, wanted - length);
      }
    }
  }
  return gaps.sort((x, y) => x.at - y.at);
}

/** The edits applied, where each one's text lies in the result, and the gaps to realign there. */
function editedWithGaps(text: string, edits: readonly TextEdit[]): { after: string; spans: Array<{ edit: TextEdit; start: number; end: number; delta: number }>; gaps: Gap[] } {
  const after = applyEdits(text, edits);
  const spans: Array<{ edit: TextEdit; start: number; end: number; delta: number }> = [];
  let delta = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const start = edit.start + delta;
    // delta: what the edits before this one added to the offsets of the text that follows them.
    spans.push({ edit, start, end: start + edit.text.length, delta });
    delta += edit.text.length - (edit.end - edit.start);
  }
  const raw = after.split('\n');
  const src = new SourceText(after, '');
  const lineOf = (o: number): number => src.lineIndex(o);
  // The lines an edit wrote, and the one on each side (a run the edit split or shortened goes on there).
  const touched = new Set<number>();
  for (const { start, end } of spans) {
    const last = end > 0 && after[end - 1] === '\n' ? lineOf(end) : lineOf(end) + 1;
    for (let n = lineOf(start) - 1; n <= last; n++) touched.add(n);
  }
  let state: ScanState = { kind: 'code' };
  const lines = raw.map((l) => {
    const scanned = scanLine(l.endsWith('\r') ? l.slice(0, -1) : l, state);
    state = scanned.state;
    return scanned.cells;
  });
  return { after, spans, gaps: alignmentGaps(lines, src.lineStarts, touched) };
}

/**
 * applyEdits() for native HCL text, followed by packer fmt's alignment of the `=` and trailing
 * comment runs that the edits touched (a line written by an edit, or the lines beside one).
 */
export function applyEditsAligned(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const { after, gaps } = editedWithGaps(text, edits);
  let out = '';
  let from = 0;
  for (const g of gaps) {
    out += after.slice(from, g.at) + ' '.repeat(g.width);
    from = g.at + g.length;
  }
  return out + after.slice(from);
}

/**
 * `edits` of a native file with packer fmt's alignment of the runs they touch, as edits of the same
 * original text (for callers that collect edits, such as the render's rewrite). A realigned gap
 * inside an edit's text goes into that edit; one in text no edit wrote becomes an edit of its own,
 * so each edit still covers only what it changed (Packer's error lines map back through them).
 */
export function withFmtAlignment(file: SourceFile, edits: readonly TextEdit[]): TextEdit[] {
  if (file.syntax !== 'hcl' || edits.length === 0) return [...edits];
  const { spans, gaps } = editedWithGaps(file.text, edits);
  const texts = new Map(spans.map((s) => [s, s.edit.text]));
  const out: TextEdit[] = [];
  // Gaps in reverse, so splicing one into an edit's text leaves the offsets of the earlier ones valid.
  for (const g of [...gaps].reverse()) {
    const inside = spans.find((s) => g.at >= s.start && g.at + g.length <= s.end);
    if (inside) {
      const t = texts.get(inside) as string;
      texts.set(inside, t.slice(0, g.at - inside.start) + ' '.repeat(g.width) + t.slice(g.at - inside.start + g.length));
      continue;
    }
    // Spaces partly written by an edit (none of the rewrite's or migrate's edits ends inside such a
    // run): left as they are rather than split across two edits.
    if (spans.some((s) => g.at < s.end && g.at + g.length > s.start)) continue;
    // Text no edit wrote: its offset shifts back by what the edits in front of it changed.
    const before = spans.filter((s) => s.end <= g.at).at(-1);
    const start = g.at - (before ? before.delta + before.edit.text.length - (before.edit.end - before.edit.start) : 0);
    out.push({ file: file.path, start, end: start + g.length, text: ' '.repeat(g.width) });
  }
  for (const s of spans) out.push({ ...s.edit, text: texts.get(s) as string });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}
