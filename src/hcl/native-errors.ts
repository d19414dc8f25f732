// Syntax checks for native HCL. tree-sitter-hcl is error-tolerant and more permissive than HCL
// itself (it ignores line breaks, accepts `a = 1 b = 2` on one line, hex numbers and a top-level
// object), so besides turning ERROR/MISSING nodes into readable messages this module enforces the
// line rules of hclsyntax. Only the first problem (in text order) is reported, like a compiler.

import { HclSyntaxError, type SourceRange } from '../errors.js';
import type { CstNode } from './cst.js';
import type { SourceText } from './source-text.js';

interface Problem {
  at: number;
  message: string;
  hint?: string;
}

/** `file`: a whole configuration file; `expression`/`template`: newlines are not significant. */
export type CheckMode = 'file' | 'expression' | 'template';

/**
 * `src` wraps the text that was parsed (offsets of `root`); `locate` turns such an offset into the
 * place shown to the user (they differ for snippets wrapped before parsing).
 */
export function checkNativeSyntax(
  root: CstNode,
  src: SourceText,
  mode: CheckMode,
  hasError: boolean,
  locate: (offset: number) => SourceRange = (o) => src.range(o, o),
): void {
  const problems: Problem[] = [];
  if (hasError) collectTreeErrors(root, src, [], problems);
  collectTokenProblems(root, src, problems);
  if (problems.length === 0 && mode === 'file') collectLineProblems(root, src, problems);
  if (problems.length === 0) return;
  problems.sort((a, b) => a.at - b.at);
  const first = problems[0] as Problem;
  throw new HclSyntaxError(first.message, {
    range: locate(first.at),
    hint: first.hint,
  });
}

// --- tree-sitter errors ---------------------------------------------------------------------------

function collectTreeErrors(node: CstNode, src: SourceText, parents: CstNode[], out: Problem[]): void {
  if (node.missing) {
    out.push(missingProblem(node, src, parents));
    return;
  }
  if (node.type === 'ERROR') {
    out.push(errorProblem(node, src, parents));
    // Errors nested inside an ERROR add nothing a user can act on.
    return;
  }
  parents.push(node);
  for (const c of node.children) collectTreeErrors(c, src, parents, out);
  parents.pop();
}

function nearest(parents: CstNode[], types: string[]): CstNode | undefined {
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i] as CstNode;
    if (types.includes(p.type)) return p;
  }
  return undefined;
}

function describeBlock(block: CstNode, src: SourceText): string {
  const parts = block.children
    .filter((c) => c.type === 'identifier' || c.type === 'string_lit')
    .map((c) => src.text.slice(c.start, c.end));
  return parts.join(' ');
}

function missingProblem(node: CstNode, src: SourceText, parents: CstNode[]): Problem {
  const line = (n: CstNode): number => src.position(n.start).line;
  switch (node.type) {
    case 'quoted_template_end':
    case '"': {
      const str = nearest(parents, ['string_lit', 'quoted_template']);
      return {
        at: str?.start ?? node.start,
        message: 'unterminated string',
        hint: 'Close the string with " on the same line; a quoted string cannot span lines (use a heredoc <<EOT for text with line breaks).',
      };
    }
    case '}':
    case 'block_end':
    case 'object_end': {
      const owner = nearest(parents, ['block', 'object', 'for_object_expr']);
      if (owner?.type === 'block') {
        return {
          at: node.start,
          message: `missing closing brace for block ${describeBlock(owner, src)} opened at line ${line(owner)}`,
          hint: 'Add the missing } (each { needs a matching }).',
        };
      }
      return {
        at: node.start,
        message: `missing closing brace for the object opened at line ${owner ? line(owner) : '?'}`,
        hint: 'Add the missing }.',
      };
    }
    case ']':
    case 'tuple_end': {
      const owner = nearest(parents, ['tuple', 'for_tuple_expr', 'new_index']);
      return {
        at: node.start,
        message: `missing ']' for the list opened at line ${owner ? line(owner) : '?'}`,
        hint: 'Add the missing ] (and check for a missing comma between elements).',
      };
    }
    case ')': {
      const owner = nearest(parents, ['function_call', 'expression']);
      return { at: node.start, message: `missing ')' for the '(' at line ${owner ? line(owner) : '?'}`, hint: 'Add the missing ).' };
    }
    case 'template_interpolation_end':
      return { at: nearest(parents, ['template_interpolation'])?.start ?? node.start, message: "unterminated interpolation '${'", hint: 'Close it with }.' };
    case 'template_directive_end':
      return { at: node.start, message: "unterminated template directive '%{'", hint: 'Close it with }.' };
    case 'heredoc_identifier': {
      const h = nearest(parents, ['heredoc_template']);
      const marker = h ? (h.children.find((c) => c.type === 'heredoc_identifier' && !c.missing) ?? h) : node;
      const name = src.text.slice(marker.start, marker.end);
      return {
        at: h?.start ?? node.start,
        message: `unterminated heredoc: no closing "${name}" line`,
        hint: `End the heredoc with a line containing only ${name}.`,
      };
    }
    case '=':
      return { at: node.start, message: "missing '='", hint: 'Write the argument as name = value.' };
    default:
      return { at: node.start, message: 'missing expression', hint: 'Give a value after the =.' };
  }
}

function firstLeaf(node: CstNode): CstNode | undefined {
  for (const c of node.children) {
    if (c.type === 'comment') continue;
    if (c.children.length === 0) return c;
    const l = firstLeaf(c);
    if (l) return l;
  }
  return node.children.length === 0 ? node : undefined;
}

function leaves(node: CstNode, out: CstNode[] = []): CstNode[] {
  if (node.children.length === 0) {
    if (node.type !== 'comment' && node.end > node.start) out.push(node);
  } else for (const c of node.children) leaves(c, out);
  return out;
}

function tokenAt(src: SourceText, at: number): string {
  const rest = src.text.slice(at, at + 40);
  const m = /^(\$\{|%\{|<<-?|[A-Za-z_][\w-]*|[0-9.]+|"[^"\n]*"?|\S)/u.exec(rest);
  return m ? (m[0] as string) : String.fromCodePoint(rest.codePointAt(0) ?? 0x20);
}

const NAMED_SPACES: Record<number, string> = { 0xa0: 'a no-break space', 0x2009: 'a thin space', 0x200b: 'a zero-width space', 0x3000: 'an ideographic space', 0xfeff: 'a zero-width no-break space (BOM)' };

/**
 * The token at `at` as a message shows it: quoted, or, for a character nobody can see in a
 * terminal (a control character, an unusual space), spelt out as `\x01` or `U+00A0`.
 */
function shownToken(src: SourceText, at: number): string {
  const tok = tokenAt(src, at);
  if (at >= src.text.length) return 'the end of the file';
  const cp = tok.codePointAt(0) as number;
  if ([...tok].length === 1) {
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `\\x${cp.toString(16).padStart(2, '0')} (a control character)`;
    if (cp > 0x7f && /^[\s\p{Cf}\p{Zs}]$/u.test(tok)) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} (${NAMED_SPACES[cp] ?? 'an invisible character'})`;
  }
  return `'${tok}'`;
}

/** Children of an ERROR node that are well-formed on their own. */
const WELL_FORMED = new Set(['identifier', 'block_start', 'body', 'attribute', 'block', 'expression', 'string_lit', 'literal_value', '=']);

function errorProblem(node: CstNode, src: SourceText, parents: CstNode[]): Problem {
  // The first child that does not fit is what the user needs to look at.
  let prev: CstNode | undefined;
  for (const c of node.children) {
    if (c.type === 'comment') continue;
    if (WELL_FORMED.has(c.type) && !(c.type === '=' && prev?.type === '=')) {
      prev = c;
      continue;
    }
    if (prev?.type === '=') return badExpressionStart(src, c.start, `expected a value after '=' but found ${shownToken(src, c.start)}`);
    if (c.type === ',') {
      return { at: c.start, message: "unexpected ','", hint: 'Arguments are separated by line breaks, not commas (a single-line block holds one argument).' };
    }
    if (c.type !== '}' && c.type !== 'block_end') return badExpressionStart(src, c.start, `unexpected ${shownToken(src, c.start)}`);
    break;
  }
  const toks = leaves(node);
  const first = toks[0] ?? firstLeaf(node) ?? node;
  const at = first.start;
  // `name = <something that is not an expression>`: point at the something.
  if (first.type === '=' && toks.length > 1) {
    const next = toks[1] as CstNode;
    return badExpressionStart(src, next.start, `expected a value after '=' but found ${shownToken(src, next.start)}`);
  }
  if (first.type === 'identifier' && toks[1]?.type === '=' && toks.length === 2) {
    return { at: toks[1].end, message: `missing value for "${src.text.slice(first.start, first.end)}"`, hint: 'Give a value after the =.' };
  }
  if (first.type === '}' || first.type === 'block_end') {
    const inBlock = nearest(parents, ['block']);
    return {
      at,
      message: "unexpected '}'",
      hint: inBlock ? 'There is one closing brace too many, or an opening { is missing above.' : 'There is no block open here; remove the extra } or add the missing {.',
    };
  }
  return badExpressionStart(src, at, `unexpected ${shownToken(src, at)}`);
}

function badExpressionStart(src: SourceText, at: number, message: string): Problem {
  const tok = tokenAt(src, at);
  if (tok === '${') {
    return {
      at,
      message: "unexpected '${': interpolation is only allowed inside a quoted string",
      hint: 'Write the reference without ${ } (e.g. local.x) or quote it ("${local.x}").',
    };
  }
  if (tok === '<' && /^<[\w-]+>/.test(src.text.slice(at, at + 80))) {
    return { at, message: `${message}: this looks like a placeholder`, hint: 'Replace the placeholder with a real value in quotes, e.g. "..." .' };
  }
  return { at, message, hint: 'Check the syntax around this point (quotes, commas, brackets).' };
}

// --- token-level problems tree-sitter accepts ------------------------------------------------------

function collectTokenProblems(node: CstNode, src: SourceText, out: Problem[]): void {
  switch (node.type) {
    case 'numeric_lit':
      if (/^0[xX]/.test(src.text.slice(node.start, node.end))) {
        out.push({ at: node.start, message: 'hexadecimal numbers are not supported in HCL', hint: 'Write the number in decimal.' });
      }
      return;
    case 'template_interpolation':
      if (!node.children.some((c) => c.type === 'expression')) {
        out.push({ at: node.start, message: "empty interpolation '${}'", hint: 'Put an expression inside ${ } or remove it (write $${ for a literal ${).' });
      }
      break;
    case 'string_lit':
    case 'quoted_template': {
      // A line break in the literal part of a quoted string: HCL says "unterminated string".
      let from = node.children[0]?.end ?? node.start;
      for (const c of node.children) {
        if (c.type === 'template_interpolation' || c.type === 'template_directive' || c.type === 'quoted_template_end') {
          const nl = src.text.slice(from, c.start).search(/\r?\n/);
          if (nl !== -1) {
            out.push({
              at: node.start,
              message: 'unterminated string',
              hint: 'Close the string with " on the same line; a quoted string cannot span lines (use a heredoc <<EOT for text with line breaks).',
            });
            return;
          }
          from = c.end;
        }
      }
      break;
    }
    case 'config_file':
      if (node.children.some((c) => c.type === 'object')) {
        out.push({ at: node.start, message: 'a configuration file must contain arguments and blocks, not a bare object', hint: 'Remove the outer { }; for JSON syntax name the file *.pkr.json.' });
        return;
      }
      break;
  }
  for (const c of node.children) collectTokenProblems(c, src, out);
}

// --- line rules (native files only) ---------------------------------------------------------------

const BRACKETED = new Set(['collection_value', 'for_expr', 'template_expr', 'function_call', 'new_index', 'string_lit', 'tuple', 'object']);

function collectLineProblems(root: CstNode, src: SourceText, out: Problem[]): void {
  const body = root.children.find((c) => c.type === 'body');
  if (body) checkBody(body, undefined, src, out);
}

function row(src: SourceText, offset: number): number {
  return src.lineIndex(offset);
}

function checkBody(body: CstNode, block: CstNode | undefined, src: SourceText, out: Problem[]): void {
  const items = body.children.filter((c) => c.type === 'attribute' || c.type === 'block');
  const open = block?.children.find((c) => c.type === 'block_start');
  const close = block?.children.find((c) => c.type === 'block_end');
  const singleLine = open !== undefined && items.length > 0 && row(src, (items[0] as CstNode).start) === row(src, open.end);
  if (singleLine) {
    const only = items[0] as CstNode;
    if (only.type === 'block') {
      out.push({ at: only.start, message: 'a single-line block cannot contain another block', hint: 'Put the nested block on its own line inside its parent block.' });
      return;
    }
    if (items.length > 1 || (close && row(src, close.start) !== row(src, only.end))) {
      const next = (items[1] ?? close) as CstNode;
      out.push({ at: next.start, message: 'a single-line block can contain only one argument', hint: 'Put each argument on its own line, with the { and } on lines of their own.' });
      return;
    }
  }
  items.forEach((item, i) => {
    if (item.type === 'attribute') checkAttribute(item, src, out);
    else checkBlock(item, src, out);
    const next = items[i + 1] ?? (singleLine ? undefined : close);
    if (next && row(src, next.start) === row(src, item.end)) {
      const what = item.type === 'attribute' ? 'argument' : 'block';
      out.push({
        at: next.start,
        message: `missing line break after the ${what} "${src.text.slice(item.children[0]?.start ?? item.start, item.children[0]?.end ?? item.end)}"`,
        hint: 'Each argument and block must end with a line break (arguments are separated by new lines, not commas or spaces).',
      });
    }
  });
}

function checkAttribute(attr: CstNode, src: SourceText, out: Problem[]): void {
  const name = attr.children.find((c) => c.type === 'identifier');
  const eq = attr.children.find((c) => c.type === '=');
  const expr = attr.children.find((c) => c.type === 'expression');
  if (!name || !eq || !expr) return;
  if (row(src, eq.start) !== row(src, name.start) || row(src, expr.start) !== row(src, eq.start)) {
    out.push({
      at: row(src, eq.start) !== row(src, name.start) ? eq.start : expr.start,
      message: `the value of "${src.text.slice(name.start, name.end)}" must start on the same line as its name`,
      hint: 'Write name = value on one line (a value may continue over several lines inside brackets or parentheses).',
    });
    return;
  }
  checkExpressionLines(expr, src, out);
}

function checkBlock(block: CstNode, src: SourceText, out: Problem[]): void {
  const open = block.children.find((c) => c.type === 'block_start');
  if (!open) return;
  for (const c of block.children) {
    if (c === open) break;
    if ((c.type === 'identifier' || c.type === 'string_lit') && row(src, c.start) !== row(src, open.start)) {
      out.push({ at: open.start, message: `the opening brace of block ${describeBlock(block, src)} must be on the same line as its type and labels`, hint: 'Move the { up to the line of the block type.' });
      return;
    }
  }
  const body = block.children.find((c) => c.type === 'body');
  if (body) checkBody(body, block, src, out);
}

/** Line breaks inside an attribute's expression are only allowed within brackets and parentheses. */
function checkExpressionLines(expr: CstNode, src: SourceText, out: Problem[]): void {
  const atoms: Array<{ start: number; end: number }> = [];
  collectAtoms(expr, atoms, src, out);
  for (let i = 1; i < atoms.length; i++) {
    const a = atoms[i - 1] as { start: number; end: number };
    const b = atoms[i] as { start: number; end: number };
    if (row(src, b.start) !== row(src, a.end)) {
      out.push({
        at: b.start,
        message: `unexpected line break before ${shownToken(src, b.start)}`,
        hint: 'An expression that continues on the next line must be wrapped in parentheses ( ).',
      });
      return;
    }
  }
}

function collectAtoms(node: CstNode, atoms: Array<{ start: number; end: number }>, src: SourceText, out: Problem[]): void {
  const kids = node.children;
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i] as CstNode;
    if (c.type === 'comment') continue;
    if (c.type === '(') {
      let j = i + 1;
      while (j < kids.length && (kids[j] as CstNode).type !== ')') j++;
      const close = kids[j];
      atoms.push({ start: c.start, end: close ? close.end : c.end });
      // Inside the parentheses line breaks are free, but objects still need separators.
      for (let k = i + 1; k < j; k++) checkNested(kids[k] as CstNode, src, out);
      i = j;
      continue;
    }
    if (BRACKETED.has(c.type)) {
      atoms.push({ start: c.start, end: c.end });
      checkNested(c, src, out);
    } else if (c.children.length === 0) atoms.push({ start: c.start, end: c.end });
    else collectAtoms(c, atoms, src, out);
  }
}

/** Inside brackets: object elements still need a comma or a line break between them. */
function checkNested(node: CstNode, src: SourceText, out: Problem[]): void {
  if (node.type === 'object') {
    let prev: CstNode | undefined;
    for (const c of node.children) {
      if (c.type === 'object_elem') {
        if (prev && prev.type === 'object_elem' && row(src, prev.end) === row(src, c.start)) {
          out.push({ at: c.start, message: 'missing comma or line break between object elements', hint: 'Separate the elements with a comma or put each on its own line.' });
          return;
        }
      }
      if (c.type !== 'comment') prev = c;
    }
  }
  for (const c of node.children) checkNested(c, src, out);
}
