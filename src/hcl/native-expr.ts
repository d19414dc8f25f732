// Native HCL expressions: from the tree-sitter CST to the private expression tree (expr-ast.ts).
// Template text is taken from the source between structural nodes (tree-sitter skips whitespace
// inside template literals), then escapes, strip markers and heredoc indentation are applied.

import { InternalError } from '../errors.js';
import type { CstNode } from './cst.js';
import type { Accessor, BinaryOp, Expr, ObjectItem, TemplatePart } from './expr-ast.js';

export interface BuildContext {
  /** The text that was parsed (CST offsets index into it). */
  text: string;
  /** Parsed-text offset → offset in the user's file. */
  map: (offset: number) => number;
}

const BINARY_OPS = new Set<string>(['*', '/', '%', '+', '-', '>', '>=', '<', '<=', '==', '!=', '&&', '||']);

function sig(node: CstNode): CstNode[] {
  return node.children.filter((c) => c.type !== 'comment');
}

function bug(what: string, node: CstNode): never {
  throw new InternalError(`unexpected HCL syntax tree (${what}: ${node.type} at ${node.start})`);
}

export function buildExpr(node: CstNode, ctx: BuildContext): Expr {
  if (node.type !== 'expression') return termSequence([node], ctx, node);
  const kids = sig(node);
  if (kids.length === 1 && kids[0]?.type === 'conditional') return conditional(kids[0], ctx);
  return termSequence(kids, ctx, node);
}

function span(ctx: BuildContext, start: number, end: number): { s: number; e: number } {
  return { s: ctx.map(start), e: ctx.map(end) };
}

function conditional(node: CstNode, ctx: BuildContext): Expr {
  const parts = sig(node).filter((c) => c.type === 'expression');
  if (parts.length !== 3) bug('conditional', node);
  return {
    t: 'conditional',
    ...span(ctx, node.start, node.end),
    cond: buildExpr(parts[0] as CstNode, ctx),
    then: buildExpr(parts[1] as CstNode, ctx),
    else: buildExpr(parts[2] as CstNode, ctx),
  };
}

/** A primary term followed by attribute, index and splat accessors. */
function termSequence(kids: CstNode[], ctx: BuildContext, owner: CstNode): Expr {
  if (kids.length === 0) bug('empty expression', owner);
  let i = 0;
  let cur: Expr;
  const head = kids[0] as CstNode;
  if (head.type === '(') {
    const inner = kids[1];
    const close = kids[2];
    if (!inner || close?.type !== ')') bug('parenthesis', owner);
    cur = { t: 'paren', ...span(ctx, head.start, close.end), inner: buildExpr(inner, ctx) };
    i = 3;
  } else {
    cur = primary(head, ctx);
    i = 1;
  }
  const start = head.start;
  for (; i < kids.length; i++) {
    const k = kids[i] as CstNode;
    switch (k.type) {
      case 'get_attr':
        cur = { t: 'attr', ...span(ctx, start, k.end), target: cur, name: identifierText(k, ctx) };
        break;
      case 'index':
        cur = { t: 'index', ...span(ctx, start, k.end), target: cur, key: indexKey(k, ctx) };
        break;
      case 'splat':
        cur = splat(cur, start, k, ctx);
        break;
      default:
        bug('accessor', k);
    }
  }
  return cur;
}

function identifierText(node: CstNode, ctx: BuildContext): string {
  const id = node.children.find((c) => c.type === 'identifier');
  if (!id) bug('identifier', node);
  return ctx.text.slice(id.start, id.end);
}

function indexKey(node: CstNode, ctx: BuildContext): Expr {
  const inner = node.children[0];
  if (!inner) bug('index', node);
  if (inner.type === 'new_index') {
    const e = inner.children.find((c) => c.type === 'expression');
    if (!e) bug('index expression', inner);
    return buildExpr(e, ctx);
  }
  // legacy `.0`
  const digits = ctx.text.slice(inner.start + 1, inner.end);
  return { t: 'literal', ...span(ctx, inner.start + 1, inner.end), value: Number(digits) };
}

function splat(target: Expr, start: number, node: CstNode, ctx: BuildContext): Expr {
  const kind = node.children[0];
  if (!kind) bug('splat', node);
  const full = kind.type === 'full_splat';
  const steps = sig(kind).slice(1);
  const each: Accessor[] = [];
  let rest = 0;
  for (; rest < steps.length; rest++) {
    const st = steps[rest] as CstNode;
    // `.*` applies only attribute steps to each element; an index ends the splat.
    if (st.type === 'index' && !full) break;
    if (st.type === 'get_attr') each.push({ t: 'attr', ...span(ctx, st.start, st.end), name: identifierText(st, ctx) });
    else each.push({ t: 'index', ...span(ctx, st.start, st.end), key: indexKey(st, ctx) });
  }
  let end = rest > 0 ? (steps[rest - 1] as CstNode).end : (sig(kind)[0] as CstNode).end;
  let cur: Expr = { t: 'splat', ...span(ctx, start, end), target, each };
  for (; rest < steps.length; rest++) {
    const st = steps[rest] as CstNode;
    end = st.end;
    cur =
      st.type === 'get_attr'
        ? { t: 'attr', ...span(ctx, start, end), target: cur, name: identifierText(st, ctx) }
        : { t: 'index', ...span(ctx, start, end), target: cur, key: indexKey(st, ctx) };
  }
  return cur;
}

function primary(node: CstNode, ctx: BuildContext): Expr {
  const sp = span(ctx, node.start, node.end);
  switch (node.type) {
    case 'literal_value':
      return literal(node.children[0] ?? bug('literal', node), ctx);
    case 'template_expr': {
      const t = node.children[0] ?? bug('template', node);
      return t.type === 'heredoc_template' ? heredoc(t, ctx) : quoted(t, ctx);
    }
    case 'collection_value': {
      const c = node.children[0] ?? bug('collection', node);
      if (c.type === 'tuple') {
        return { t: 'tuple', ...sp, items: sig(c).filter((x) => x.type === 'expression').map((x) => buildExpr(x, ctx)) };
      }
      return { t: 'object', ...sp, items: sig(c).filter((x) => x.type === 'object_elem').map((x) => objectItem(x, ctx)) };
    }
    case 'variable_expr':
      return { t: 'variable', ...sp, name: identifierText(node, ctx) };
    case 'function_call': {
      const args = node.children.find((c) => c.type === 'function_arguments');
      const argNodes = args ? sig(args) : [];
      return {
        t: 'call',
        ...sp,
        name: identifierText(node, ctx),
        args: argNodes.filter((c) => c.type === 'expression').map((c) => buildExpr(c, ctx)),
        expandFinal: argNodes.some((c) => c.type === 'ellipsis'),
      };
    }
    case 'for_expr':
      return forExpr(node.children[0] ?? bug('for', node), ctx);
    case 'operation': {
      const op = node.children[0] ?? bug('operation', node);
      const kids = sig(op);
      if (op.type === 'unary_operation') {
        const sym = kids[0]?.type;
        if (sym !== '-' && sym !== '!') bug('unary operator', op);
        return { t: 'unary', ...sp, op: sym, operand: termSequence(kids.slice(1), ctx, op) };
      }
      const at = kids.findIndex((k, idx) => idx > 0 && !k.named && BINARY_OPS.has(k.type));
      if (at < 0) bug('binary operator', op);
      return {
        t: 'binary',
        ...sp,
        op: (kids[at] as CstNode).type as BinaryOp,
        left: termSequence(kids.slice(0, at), ctx, op),
        right: termSequence(kids.slice(at + 1), ctx, op),
      };
    }
    case 'expression':
      return buildExpr(node, ctx);
    case 'conditional':
      return conditional(node, ctx);
    default:
      return bug('expression term', node);
  }
}

function literal(node: CstNode, ctx: BuildContext): Expr {
  const sp = span(ctx, node.start, node.end);
  const raw = ctx.text.slice(node.start, node.end);
  switch (node.type) {
    case 'numeric_lit':
      return { t: 'literal', ...sp, value: Number(raw) };
    case 'bool_lit':
      return { t: 'literal', ...sp, value: raw === 'true' };
    case 'null_lit':
      return { t: 'literal', ...sp, value: null };
    case 'string_lit': {
      const open = node.children[0] as CstNode;
      const close = node.children[node.children.length - 1] as CstNode;
      return { t: 'literal', ...sp, value: unescapeQuoted(ctx.text.slice(open.end, close.start)) };
    }
    default:
      return bug('literal', node);
  }
}

/** The string value of a quoted string literal (a block label). */
export function stringLiteralValue(node: CstNode, text: string): string {
  const open = node.children[0] as CstNode;
  const close = node.children[node.children.length - 1] as CstNode;
  return unescapeQuoted(text.slice(open.end, close.start));
}

function objectItem(node: CstNode, ctx: BuildContext): ObjectItem {
  const exprs = node.children.filter((c) => c.type === 'expression');
  const keyNode = exprs[0] ?? bug('object key', node);
  const valueNode = exprs[1] ?? bug('object value', node);
  const keyKids = sig(keyNode);
  let key: Expr;
  // A bare identifier key is the name itself (`{ a = 1 }` has key "a"), as in HCL.
  if (keyKids.length === 1 && keyKids[0]?.type === 'variable_expr') {
    key = { t: 'literal', ...span(ctx, keyNode.start, keyNode.end), value: ctx.text.slice(keyNode.start, keyNode.end) };
  } else key = buildExpr(keyNode, ctx);
  return { key, value: buildExpr(valueNode, ctx) };
}

function forIntro(node: CstNode, ctx: BuildContext): { keyVar: string | undefined; valueVar: string; collection: Expr } {
  const ids = node.children.filter((c) => c.type === 'identifier').map((c) => ctx.text.slice(c.start, c.end));
  const coll = node.children.find((c) => c.type === 'expression') ?? bug('for collection', node);
  return ids.length === 2
    ? { keyVar: ids[0], valueVar: ids[1] as string, collection: buildExpr(coll, ctx) }
    : { keyVar: undefined, valueVar: ids[0] ?? bug('for variable', node), collection: buildExpr(coll, ctx) };
}

function forExpr(node: CstNode, ctx: BuildContext): Expr {
  const kids = sig(node);
  const intro = forIntro(kids.find((c) => c.type === 'for_intro') ?? bug('for intro', node), ctx);
  const exprs = kids.filter((c) => c.type === 'expression');
  const condNode = kids.find((c) => c.type === 'for_cond');
  const condExpr = condNode?.children.find((c) => c.type === 'expression');
  const cond = condExpr ? buildExpr(condExpr, ctx) : undefined;
  const sp = span(ctx, node.start, node.end);
  if (node.type === 'for_tuple_expr') {
    return { t: 'for', ...sp, ...intro, keyExpr: undefined, valueExpr: buildExpr(exprs[0] ?? bug('for value', node), ctx), cond, group: false };
  }
  return {
    t: 'for',
    ...sp,
    ...intro,
    keyExpr: buildExpr(exprs[0] ?? bug('for key', node), ctx),
    valueExpr: buildExpr(exprs[1] ?? bug('for value', node), ctx),
    cond,
    group: kids.some((c) => c.type === 'ellipsis'),
  };
}

// --- templates ------------------------------------------------------------------------------------

interface RawPart {
  part: TemplatePart;
  stripBefore: boolean;
  stripAfter: boolean;
}

interface TemplateMode {
  quoted: boolean;
  /** Offsets (parsed text) of line indentation removed by `<<-`, as [start, end) pairs. */
  dedent?: Array<[number, number]>;
}

function quoted(node: CstNode, ctx: BuildContext): Expr {
  const open = node.children[0] as CstNode;
  const close = node.children[node.children.length - 1] as CstNode;
  const parts = templateParts(node.children.slice(1, -1), open.end, close.start, ctx, { quoted: true }, false, false);
  return { t: 'template', ...span(ctx, node.start, node.end), parts };
}

/**
 * A heredoc template. `dropFinalNewline` is for text that was wrapped in a heredoc only to be
 * parsed as a bare template (JSON strings, templatefile()): the wrapper added that line break.
 */
export function heredoc(node: CstNode, ctx: BuildContext, dropFinalNewline = false): Expr {
  const ids = node.children.filter((c) => c.type === 'heredoc_identifier');
  const openId = ids[0] ?? bug('heredoc', node);
  const closeId = ids[ids.length - 1] as CstNode;
  const flush = ctx.text.slice(node.start, openId.start).trim() === '<<-';
  const nl = ctx.text.indexOf('\n', openId.end);
  const from = nl === -1 ? openId.end : nl + 1;
  const to = Math.max(from, lineStartOf(ctx.text, closeId.start) - (dropFinalNewline ? 1 : 0));
  const inner = node.children.filter((c) => c.type === 'template_interpolation' || c.type === 'template_directive');
  const mode: TemplateMode = { quoted: false };
  if (flush) mode.dedent = heredocIndentation(ctx.text, from, to, inner);
  const parts = templateParts(inner, from, to, ctx, mode, false, false);
  return { t: 'template', ...span(ctx, node.start, node.end), parts };
}

function lineStartOf(text: string, offset: number): number {
  const nl = text.lastIndexOf('\n', offset - 1);
  return nl + 1;
}

/** `<<-`: the smallest indentation of the non-blank lines is removed from every line. */
function heredocIndentation(text: string, from: number, to: number, inner: CstNode[]): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let min = Infinity;
  for (let ls = from; ls < to; ) {
    const inside = inner.some((n) => n.start < ls && ls < n.end);
    let i = ls;
    while (i < to && (text[i] === ' ' || text[i] === '\t')) i++;
    const nl = text.indexOf('\n', ls);
    const lineEnd = nl === -1 || nl >= to ? to : nl;
    const blank = text.slice(i, lineEnd).trim() === '';
    if (!inside) {
      lines.push([ls, i]);
      if (!blank) min = Math.min(min, i - ls);
    }
    ls = nl === -1 || nl >= to ? to : nl + 1;
  }
  if (!Number.isFinite(min)) min = 0;
  return lines.map(([s, e]) => [s, Math.min(e, s + min)]);
}

function templateParts(
  nodes: CstNode[],
  from: number,
  to: number,
  ctx: BuildContext,
  mode: TemplateMode,
  stripStart: boolean,
  stripEnd: boolean,
): TemplatePart[] {
  const raw: RawPart[] = [];
  let pos = from;
  const pushText = (a: number, b: number): void => {
    if (b > a) raw.push({ part: { t: 'text', ...span(ctx, a, b), text: templateText(ctx.text, a, b, mode) }, stripBefore: false, stripAfter: false });
  };
  for (const n of nodes) {
    if (n.type === 'template_literal' || n.type === 'comment') continue;
    pushText(pos, n.start);
    if (n.type === 'template_interpolation') raw.push(interpolation(n, ctx));
    else if (n.type === 'template_directive') raw.push(directive(n, ctx, mode));
    else bug('template part', n);
    pos = n.end;
  }
  pushText(pos, to);
  // Strip markers (`~`) remove the whitespace of the neighbouring literal text.
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i] as RawPart;
    if (r.part.t !== 'text') continue;
    const prev = raw[i - 1];
    const next = raw[i + 1];
    if ((prev ? prev.stripAfter : stripStart) === true) r.part.text = r.part.text.replace(/^\s+/, '');
    if ((next ? next.stripBefore : stripEnd) === true) r.part.text = r.part.text.replace(/\s+$/, '');
  }
  return raw.map((r) => r.part).filter((p) => p.t !== 'text' || p.text !== '');
}

function markers(node: CstNode): { before: boolean; after: boolean } {
  const kids = node.children;
  const firstStrip = kids.findIndex((c) => c.type === 'strip_marker');
  if (firstStrip < 0) return { before: false, after: false };
  const before = firstStrip === 1;
  const after = kids[kids.length - 2]?.type === 'strip_marker' && (kids.length - 2 !== firstStrip || !before);
  return { before, after };
}

function interpolation(node: CstNode, ctx: BuildContext): RawPart {
  const e = node.children.find((c) => c.type === 'expression') ?? bug('interpolation', node);
  const m = markers(node);
  return { part: { t: 'interp', ...span(ctx, node.start, node.end), expr: buildExpr(e, ctx) }, stripBefore: m.before, stripAfter: m.after };
}

function directive(node: CstNode, ctx: BuildContext, mode: TemplateMode): RawPart {
  const d = node.children[0] ?? bug('directive', node);
  const kids = d.children;
  const sp = span(ctx, node.start, node.end);
  if (d.type === 'template_if') {
    const intro = kids[0] as CstNode;
    const end = kids[kids.length - 1] as CstNode;
    const elseAt = kids.findIndex((c) => c.type === 'template_else_intro');
    const mIntro = markers(intro);
    const mEnd = markers(end);
    const condNode = intro.children.find((c) => c.type === 'expression') ?? bug('if condition', intro);
    const elseNode = elseAt >= 0 ? (kids[elseAt] as CstNode) : undefined;
    const mElse = elseNode ? markers(elseNode) : undefined;
    const thenNodes = kids.slice(1, elseAt >= 0 ? elseAt : -1);
    const thenParts = templateParts(thenNodes, intro.end, (elseNode ?? end).start, ctx, mode, mIntro.after, (mElse ?? mEnd).before);
    const elseParts = elseNode ? templateParts(kids.slice(elseAt + 1, -1), elseNode.end, end.start, ctx, mode, mElse?.after ?? false, mEnd.before) : [];
    return {
      part: { t: 'if', ...sp, cond: buildExpr(condNode, ctx), then: thenParts, else: elseParts },
      stripBefore: mIntro.before,
      stripAfter: mEnd.after,
    };
  }
  const start = kids[0] as CstNode;
  const end = kids[kids.length - 1] as CstNode;
  const mStart = markers(start);
  const mEnd = markers(end);
  const ids = start.children.filter((c) => c.type === 'identifier').map((c) => ctx.text.slice(c.start, c.end));
  const coll = start.children.find((c) => c.type === 'expression') ?? bug('for collection', start);
  const body = templateParts(kids.slice(1, -1), start.end, end.start, ctx, mode, mStart.after, mEnd.before);
  return {
    part: {
      t: 'for',
      ...sp,
      keyVar: ids.length === 2 ? ids[0] : undefined,
      valueVar: (ids.length === 2 ? ids[1] : ids[0]) ?? bug('for variable', start),
      collection: buildExpr(coll, ctx),
      body,
    },
    stripBefore: mStart.before,
    stripAfter: mEnd.after,
  };
}

function templateText(text: string, from: number, to: number, mode: TemplateMode): string {
  let raw: string;
  if (mode.dedent && mode.dedent.length > 0) {
    raw = '';
    let pos = from;
    for (const [s, e] of mode.dedent) {
      if (e <= from || s >= to) continue;
      const cs = Math.max(s, from);
      raw += text.slice(pos, cs);
      pos = Math.min(e, to);
    }
    raw += text.slice(pos, to);
  } else raw = text.slice(from, to);
  return mode.quoted ? unescapeQuoted(raw) : unescapeTemplateMarkers(raw);
}

/** `$${` → `${` and `%%{` → `%{` (heredocs and JSON strings have no backslash escapes). */
export function unescapeTemplateMarkers(s: string): string {
  return s.includes('$${') || s.includes('%%{') ? s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') : s;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The escapes of a quoted HCL string: \n \r \t \" \\ \uNNNN \UNNNNNNNN, plus $${ and %%{. */
export function unescapeQuoted(s: string): string {
  if (!s.includes('\\')) return unescapeTemplateMarkers(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
        out += c + '{';
        i += 2;
      } else out += c;
      continue;
    }
    const n = s[i + 1] ?? '';
    if (n in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[n];
      i++;
    } else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + len);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === len) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + len;
      } else out += c;
    } else out += c;
  }
  return out;
}
