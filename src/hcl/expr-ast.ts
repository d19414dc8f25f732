// The private expression tree that evaluate() walks. Both syntaxes build it: native HCL from the
// tree-sitter CST, JSON syntax from jsonc-parser values (whose strings are parsed as templates).
// Offsets are UTF-16 offsets into the file the expression came from (`Expr.src`).

import type { Value } from './model.js';
import type { SourceText } from './source-text.js';

interface Span {
  /** Start and end offsets in `src.text`. */
  s: number;
  e: number;
}

export type Expr =
  | (Span & { t: 'literal'; value: Value })
  | (Span & { t: 'template'; parts: TemplatePart[] })
  | (Span & { t: 'variable'; name: string })
  | (Span & { t: 'attr'; target: Expr; name: string })
  | (Span & { t: 'index'; target: Expr; key: Expr })
  /** `target[*].a[0]` (full) or `target.*.a` (attribute-only); `each` applies to every element. */
  | (Span & { t: 'splat'; target: Expr; each: Accessor[] })
  | (Span & { t: 'tuple'; items: Expr[] })
  | (Span & { t: 'object'; items: ObjectItem[] })
  | (Span & { t: 'call'; name: string; args: Expr[]; expandFinal: boolean })
  | (Span & { t: 'conditional'; cond: Expr; then: Expr; else: Expr })
  | (Span & { t: 'unary'; op: '-' | '!'; operand: Expr })
  | (Span & { t: 'binary'; op: BinaryOp; left: Expr; right: Expr })
  | (Span & ForExpr)
  | (Span & { t: 'paren'; inner: Expr });

export type BinaryOp = '*' | '/' | '%' | '+' | '-' | '>' | '>=' | '<' | '<=' | '==' | '!=' | '&&' | '||';

export type Accessor = (Span & { t: 'attr'; name: string }) | (Span & { t: 'index'; key: Expr });

export interface ObjectItem {
  /** A bare identifier key is the literal string (HCL), so it arrives here as a literal. */
  key: Expr;
  value: Expr;
}

export interface ForExpr {
  t: 'for';
  keyVar: string | undefined;
  valueVar: string;
  collection: Expr;
  /** Present for object `for` expressions. */
  keyExpr: Expr | undefined;
  valueExpr: Expr;
  cond: Expr | undefined;
  group: boolean;
}

export type TemplatePart =
  | (Span & { t: 'text'; text: string })
  | (Span & { t: 'interp'; expr: Expr })
  | (Span & { t: 'if'; cond: Expr; then: TemplatePart[]; else: TemplatePart[] })
  | (Span & { t: 'for'; keyVar: string | undefined; valueVar: string; collection: Expr; body: TemplatePart[] });

/** An expression tree together with the text it was parsed from (for error locations). */
export interface ExprRoot {
  expr: Expr;
  src: SourceText;
}

/** Root names an expression refers to (with static attribute steps), minus `for`-bound names. */
export function collectTraversals(expr: Expr): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  const add = (path: string[]): void => {
    const k = path.join('\0');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(path);
    }
  };
  walkTraversals(expr, new Set(), add);
  return out;
}

function staticPath(e: Expr): { root: string; path: string[] } | undefined {
  const steps: string[] = [];
  let cur: Expr = e;
  for (;;) {
    if (cur.t === 'attr') {
      steps.unshift(cur.name);
      cur = cur.target;
    } else if (cur.t === 'index' && cur.key.t === 'literal' && (typeof cur.key.value === 'string' || typeof cur.key.value === 'number')) {
      steps.unshift(String(cur.key.value));
      cur = cur.target;
    } else if (cur.t === 'index') {
      // A dynamic index ends the static path; what came before it is still a reference.
      steps.length = 0;
      cur = cur.target;
    } else if (cur.t === 'variable') {
      return { root: cur.name, path: [cur.name, ...steps] };
    } else {
      return undefined;
    }
  }
}

function walkTraversals(e: Expr, bound: Set<string>, add: (p: string[]) => void): void {
  const rec = (x: Expr, b: Set<string> = bound): void => walkTraversals(x, b, add);
  switch (e.t) {
    case 'literal':
      return;
    case 'variable':
      if (!bound.has(e.name)) add([e.name]);
      return;
    case 'attr':
    case 'index': {
      const p = staticPath(e);
      if (p) {
        if (!bound.has(p.root)) add(p.path);
        // Dynamic keys inside the chain still refer to names.
        let cur: Expr = e;
        while (cur.t === 'attr' || cur.t === 'index') {
          if (cur.t === 'index') rec(cur.key);
          cur = cur.target;
        }
        return;
      }
      rec(e.target);
      if (e.t === 'index') rec(e.key);
      return;
    }
    case 'splat':
      rec(e.target);
      for (const a of e.each) if (a.t === 'index') rec(a.key);
      return;
    case 'template':
      walkTemplate(e.parts, bound, add);
      return;
    case 'tuple':
      e.items.forEach((x) => rec(x));
      return;
    case 'object':
      for (const it of e.items) {
        rec(it.key);
        rec(it.value);
      }
      return;
    case 'call':
      // convert()'s second argument is a type (`number`), not a reference.
      (e.name === 'convert' ? e.args.slice(0, 1) : e.args).forEach((x) => rec(x));
      return;
    case 'conditional':
      rec(e.cond);
      rec(e.then);
      rec(e.else);
      return;
    case 'unary':
      rec(e.operand);
      return;
    case 'binary':
      rec(e.left);
      rec(e.right);
      return;
    case 'paren':
      rec(e.inner);
      return;
    case 'for': {
      rec(e.collection);
      const inner = new Set(bound);
      inner.add(e.valueVar);
      if (e.keyVar) inner.add(e.keyVar);
      if (e.keyExpr) rec(e.keyExpr, inner);
      rec(e.valueExpr, inner);
      if (e.cond) rec(e.cond, inner);
      return;
    }
  }
}

function walkTemplate(parts: TemplatePart[], bound: Set<string>, add: (p: string[]) => void): void {
  for (const p of parts) {
    if (p.t === 'interp') walkTraversals(p.expr, bound, add);
    else if (p.t === 'if') {
      walkTraversals(p.cond, bound, add);
      walkTemplate(p.then, bound, add);
      walkTemplate(p.else, bound, add);
    } else if (p.t === 'for') {
      walkTraversals(p.collection, bound, add);
      const inner = new Set(bound);
      inner.add(p.valueVar);
      if (p.keyVar) inner.add(p.keyVar);
      walkTemplate(p.body, inner, add);
    }
  }
}
