// Parsing native HCL fragments that are not whole files: standalone expressions (-var values,
// PKR_VAR_*, JSON type strings, generated snippets) and bare templates (JSON string values,
// templatefile()). A fragment is wrapped into a one-attribute file, parsed, checked, and its
// offsets are mapped back to where the fragment came from.

import { HclSyntaxError, type SourceRange } from '../errors.js';
import { parseCst, type CstNode } from './cst.js';
import type { Expr } from './expr-ast.js';
import { checkNativeSyntax } from './native-errors.js';
import { buildExpr, heredoc } from './native-expr.js';
import { SourceText } from './source-text.js';

export interface FragmentOrigin {
  /** The text the user wrote, in which errors and expression ranges are reported. */
  src: SourceText;
  /** Fragment offset → offset in `src.text` (identity when the fragment is `src.text` itself). */
  map?: (offset: number) => number;
}

const EXPR_PREFIX = '__hclx_fragment = ';

function mapper(origin: FragmentOrigin, prefix: number, length: number): (o: number) => number {
  const map = origin.map ?? ((o: number) => o);
  return (o) => map(Math.min(Math.max(o - prefix, 0), length));
}

/** Parses one native expression (newlines are not significant, as in hclsyntax.ParseExpression). */
export function parseExpressionFragment(text: string, origin: FragmentOrigin): Expr {
  const wrapped = `${EXPR_PREFIX}${text}\n`;
  const map = mapper(origin, EXPR_PREFIX.length, text.length);
  const locate = (o: number): SourceRange => origin.src.range(map(o), map(o));
  if (text.trim() === '') {
    throw new HclSyntaxError('missing expression', { range: locate(EXPR_PREFIX.length), hint: 'Give a value.' });
  }
  const { root, hasError } = parseCst(wrapped, locate);
  const parsed = new SourceText(wrapped, origin.src.displayPath);
  checkNativeSyntax(root, parsed, 'expression', hasError, locate);
  const body = root.children.find((c) => c.type === 'body');
  const items = body ? body.children.filter((c) => c.type !== 'comment') : [];
  const first = items[0];
  const expr = first?.type === 'attribute' ? first.children.find((c) => c.type === 'expression') : undefined;
  if (!expr) throw new HclSyntaxError('missing expression', { range: locate(EXPR_PREFIX.length), hint: 'Give a value.' });
  if (items.length > 1) {
    const extra = items[1] as CstNode;
    throw new HclSyntaxError(`unexpected '${wrapped.slice(extra.start, extra.end).split(/\s/)[0]}' after the expression`, {
      range: locate(extra.start),
      hint: 'A value must be a single expression.',
    });
  }
  return buildExpr(expr, { text: wrapped, map });
}

/** Parses a bare template (no surrounding quotes, no backslash escapes). */
export function parseTemplateFragment(text: string, origin: FragmentOrigin): Expr {
  let marker = 'HCLX_TEMPLATE';
  while (text.includes(marker)) marker += '_';
  const prefix = `__hclx_fragment = <<${marker}\n`;
  const wrapped = `${prefix}${text}\n${marker}\n`;
  const map = mapper(origin, prefix.length, text.length);
  const locate = (o: number): SourceRange => origin.src.range(map(o), map(o));
  const { root, hasError } = parseCst(wrapped, locate);
  const parsed = new SourceText(wrapped, origin.src.displayPath);
  checkNativeSyntax(root, parsed, 'template', hasError, locate);
  const node = findHeredoc(root);
  if (!node) throw new HclSyntaxError('invalid template', { range: locate(prefix.length) });
  return heredoc(node, { text: wrapped, map }, true);
}

function findHeredoc(n: CstNode): CstNode | undefined {
  if (n.type === 'heredoc_template') return n;
  for (const c of n.children) {
    const f = findHeredoc(c);
    if (f) return f;
  }
  return undefined;
}
