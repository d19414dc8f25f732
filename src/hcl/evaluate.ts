// The expression evaluator: HCL's expression semantics over the plain values of model.ts, with
// cty-like unknowns (a value only Packer knows at build time propagates instead of failing).
// Errors name the sub-expression (file:line:col and its text).

import { HclSyntaxError, TemplateError, type HclxError, type SourceRange } from '../errors.js';
import type { Expr, TemplatePart } from './expr-ast.js';
import { isHclExpression } from './expression.js';
import { isUnknown, UnknownValue, type Expression, type Value } from './model.js';
import type { SourceText } from './source-text.js';
import { convertValue, typeFromExpr } from './types.js';
import {
  findUnknown,
  hasKey,
  isObject,
  setKey,
  sortedKeys,
  toBool,
  toNum,
  toStr,
  typeName,
  ValueError,
  valuesEqual,
  type ValueObject,
} from './values.js';

export type FunctionTable = Record<string, (args: Value[], call: { range: SourceRange; name: string }) => Value>;

export interface EvalContext {
  /** The value of a root name (`var`, `local`, `path`, `each`, ...); undefined when it does not exist. */
  lookup(root: string): Value | undefined;
  functions: FunctionTable;
}

/** Evaluates an expression produced by parseFile()/parseExpression(). Synchronous. */
export function evaluate(expr: Expression, ctx: EvalContext): Value {
  if (!isHclExpression(expr)) throw new TypeError('evaluate() needs an expression produced by src/hcl');
  return new Evaluator(expr.src, ctx).eval(expr.ast);
}

/** Evaluates a private expression tree (templatefile() and tests of src/hcl). */
export function evaluateTree(expr: Expr, src: SourceText, ctx: EvalContext): Value {
  return new Evaluator(src, ctx).eval(expr);
}

const MAX_TEXT = 80;

class Evaluator {
  private readonly scopes: Array<Map<string, Value>> = [];

  constructor(
    private readonly src: SourceText,
    private readonly ctx: EvalContext,
  ) {}

  private range(e: { s: number; e: number }): SourceRange {
    return this.src.range(e.s, e.e);
  }

  private fail(e: { s: number; e: number }, problem: string, hint?: string): never {
    let text = this.src.text.slice(e.s, e.e).replace(/\s+/g, ' ');
    if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 3)}...`;
    throw new TemplateError(`${problem} (in \`${text}\`)`, { range: this.range(e), hint });
  }

  /** Runs a value conversion, turning its ValueError into a positioned TemplateError. */
  private conv<T>(e: { s: number; e: number }, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof ValueError) this.fail(e, err.message);
      throw err;
    }
  }

  private lookupName(e: Expr & { t: 'variable' }): Value {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, Value>;
      if (scope.has(e.name)) return scope.get(e.name) as Value;
    }
    const v = this.ctx.lookup(e.name);
    if (v === undefined) {
      this.fail(e, `unknown name "${e.name}"`, `Check the spelling, or whether "${e.name}" can be used in this part of the template.`);
    }
    return v;
  }

  private withScope<T>(vars: Map<string, Value>, f: () => T): T {
    this.scopes.push(vars);
    try {
      return f();
    } finally {
      this.scopes.pop();
    }
  }

  eval(e: Expr): Value {
    switch (e.t) {
      case 'literal':
        return e.value;
      case 'paren':
        return this.eval(e.inner);
      case 'template':
        return this.template(e);
      case 'variable':
        return this.lookupName(e);
      case 'attr':
        return this.getAttr(this.eval(e.target), e.name, e, e.target);
      case 'index':
        return this.index(this.eval(e.target), this.eval(e.key), e);
      case 'splat':
        return this.splat(e);
      case 'tuple':
        return e.items.map((x) => this.eval(x));
      case 'object': {
        const out: ValueObject = {};
        let unknown: UnknownValue | undefined;
        for (const item of e.items) {
          const k = this.eval(item.key);
          const v = this.eval(item.value);
          if (isUnknown(k)) {
            unknown ??= k;
            continue;
          }
          if (k === null) this.fail(item.key, 'an object key is null');
          setKey(out, this.conv(item.key, () => toStr(k, 'the object key')), v);
        }
        return unknown ?? out;
      }
      case 'call':
        return this.call(e);
      case 'conditional':
        return this.conditional(e);
      case 'unary': {
        const v = this.eval(e.operand);
        if (isUnknown(v)) return v;
        if (e.op === '-') return -this.conv(e.operand, () => toNum(v, 'the operand of -'));
        return !this.conv(e.operand, () => toBool(v, 'the operand of !'));
      }
      case 'binary':
        return this.binary(e);
      case 'for':
        return this.forExpr(e);
    }
  }

  private template(e: Expr & { t: 'template' }): Value {
    // "${x}" alone yields x itself, with its type (HCL's interpolation unwrapping).
    const only = e.parts[0];
    if (e.parts.length === 1 && only?.t === 'interp') return this.eval(only.expr);
    const r = this.templateParts(e.parts);
    return r;
  }

  private templateParts(parts: TemplatePart[]): string | UnknownValue {
    let out = '';
    let unknown: UnknownValue | undefined;
    for (const p of parts) {
      let piece: string | UnknownValue;
      switch (p.t) {
        case 'text':
          piece = p.text;
          break;
        case 'interp':
          piece = this.interpolate(p.expr);
          break;
        case 'if': {
          const c = this.eval(p.cond);
          if (isUnknown(c)) piece = c;
          else {
            if (c === null) this.fail(p.cond, 'the condition is null');
            piece = this.templateParts(this.conv(p.cond, () => toBool(c, 'the condition')) ? p.then : p.else);
          }
          break;
        }
        case 'for':
          piece = this.templateFor(p);
          break;
      }
      if (isUnknown(piece)) unknown ??= piece;
      else out += piece;
    }
    return unknown ?? out;
  }

  private interpolate(expr: Expr): string | UnknownValue {
    const v = this.eval(expr);
    if (isUnknown(v)) return v;
    if (v === null) this.fail(expr, 'the value is null, which cannot be part of a string', 'Give it a value, or guard it with a conditional.');
    if (typeof v === 'object') {
      const u = findUnknown(v);
      if (u) return u;
      this.fail(expr, `a ${typeName(v)} cannot be part of a string`, 'Use join(), jsonencode() or an index to turn it into a string.');
    }
    return this.conv(expr, () => toStr(v));
  }

  private templateFor(p: TemplatePart & { t: 'for' }): string | UnknownValue {
    const coll = this.eval(p.collection);
    if (isUnknown(coll)) return coll;
    const pairs = this.iterate(coll, p.collection);
    let out = '';
    let unknown: UnknownValue | undefined;
    for (const [k, v] of pairs) {
      const scope = new Map<string, Value>([[p.valueVar, v]]);
      if (p.keyVar) scope.set(p.keyVar, k);
      const piece = this.withScope(scope, () => this.templateParts(p.body));
      if (isUnknown(piece)) unknown ??= piece;
      else out += piece;
    }
    return unknown ?? out;
  }

  /** [key, value] pairs of a collection, in cty's order (lists by index, maps by sorted key). */
  private iterate(coll: Value, at: Expr): Array<[Value, Value]> {
    if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
    if (isObject(coll)) return sortedKeys(coll).map((k) => [k, coll[k] as Value]);
    if (coll === null) this.fail(at, 'cannot iterate over a null value');
    return this.fail(at, `cannot iterate over a ${typeName(coll)}; a list, set, map or object is required`);
  }

  private getAttr(target: Value, name: string, e: { s: number; e: number }, targetExpr: Expr): Value {
    if (isUnknown(target)) return target;
    if (target === null) this.fail(e, `cannot read attribute "${name}" of a null value`);
    if (isObject(target)) {
      if (hasKey(target, name)) return target[name] as Value;
      if (targetExpr.t === 'variable' && targetExpr.name === 'var') {
        this.fail(e, `there is no variable named "${name}"`, `Declare it with a variable "${name}" block.`);
      }
      if (targetExpr.t === 'variable' && targetExpr.name === 'local') {
        this.fail(e, `there is no local value named "${name}"`, `Define it in a locals block.`);
      }
      this.fail(e, `the object has no attribute "${name}"`);
    }
    if (Array.isArray(target)) {
      this.fail(e, `cannot read attribute "${name}" of a list`, `Use an index such as [0], or a splat such as [*].${name}.`);
    }
    return this.fail(e, `cannot read attribute "${name}" of a ${typeName(target)}`);
  }

  private index(target: Value, key: Value, e: Expr & { t: 'index' }): Value {
    if (isUnknown(target)) return target;
    if (isUnknown(key)) return key;
    if (target === null) this.fail(e, 'cannot index a null value');
    if (key === null) this.fail(e.key, 'the index is null');
    if (Array.isArray(target)) {
      const n = this.conv(e.key, () => toNum(key, 'the index'));
      if (!Number.isInteger(n)) this.fail(e.key, `the index ${n} is not a whole number`);
      if (n < 0 || n >= target.length) {
        this.fail(e, `the index ${n} is out of range for a list of ${target.length} element${target.length === 1 ? '' : 's'}`);
      }
      return target[n] as Value;
    }
    if (isObject(target)) {
      const k = this.conv(e.key, () => toStr(key, 'the key'));
      if (!hasKey(target, k)) {
        const keys = sortedKeys(target);
        const known = keys.length > 0 && keys.length <= 12 ? ` Known keys: ${keys.map((x) => JSON.stringify(x)).join(', ')}.` : '';
        this.fail(e, `the map has no element "${k}"`, `Use a key that exists, or lookup(map, key, default).${known}`);
      }
      return target[k] as Value;
    }
    return this.fail(e, `cannot index a ${typeName(target)}`);
  }

  private splat(e: Expr & { t: 'splat' }): Value {
    const target = this.eval(e.target);
    if (isUnknown(target)) return target;
    if (target === null) return [];
    const apply = (el: Value): Value => {
      let cur = el;
      for (const a of e.each) {
        if (a.t === 'attr') cur = this.getAttr(cur, a.name, a, e.target);
        else cur = this.index(cur, this.eval(a.key), { t: 'index', s: a.s, e: a.e, target: e.target, key: a.key });
      }
      return cur;
    };
    // A splat over a single (non-list) value treats it as a one-element list.
    return Array.isArray(target) ? target.map(apply) : [apply(target)];
  }

  private call(e: Expr & { t: 'call' }): Value {
    switch (e.name) {
      case 'try':
        return this.tryCall(e);
      case 'can':
        return this.canCall(e);
      case 'convert':
        if (e.args.length === 2) {
          const v = this.eval(e.args[0] as Expr);
          const type = typeFromExpr(e.args[1] as Expr, this.src);
          if (isUnknown(v)) return v;
          return convertValue(v, type, this.range(e), 'the value given to convert()');
        }
        break;
    }
    let args = e.args.map((a) => this.eval(a));
    if (e.expandFinal) {
      const last = args[args.length - 1] as Value;
      if (isUnknown(last)) return last;
      if (!Array.isArray(last)) this.fail(e.args[e.args.length - 1] as Expr, 'the argument before ... must be a list');
      args = [...args.slice(0, -1), ...last];
    }
    const fn = Object.hasOwn(this.ctx.functions, e.name) ? this.ctx.functions[e.name] : undefined;
    const range = this.range(e);
    if (!fn) {
      return new UnknownValue(`${e.name}() is not a function hclx evaluates; Packer evaluates it at build time`, range);
    }
    try {
      const v = fn(args, { range, name: e.name });
      return isUnknown(v) && !v.range ? new UnknownValue(v.reason, range) : v;
    } catch (err) {
      if (err instanceof ValueError) this.fail(e, `${e.name}(): ${err.message}`);
      throw err;
    }
  }

  private tryCall(e: Expr & { t: 'call' }): Value {
    const errors: HclxError[] = [];
    for (const a of e.args) {
      try {
        const v = this.eval(a);
        const u = findUnknown(v);
        // An unknown might still fail at build time, so try() cannot pick yet.
        if (u) return u;
        return v;
      } catch (err) {
        if (err instanceof TemplateError || err instanceof HclSyntaxError) errors.push(err);
        else throw err;
      }
    }
    const first = errors[0];
    return this.fail(e, `no expression given to try() succeeded${first ? `; the first one failed with: ${first.describe()}` : ''}`);
  }

  private canCall(e: Expr & { t: 'call' }): Value {
    if (e.args.length !== 1) this.fail(e, 'can() takes exactly one argument');
    try {
      const v = this.eval(e.args[0] as Expr);
      return findUnknown(v) ?? true;
    } catch (err) {
      if (err instanceof TemplateError || err instanceof HclSyntaxError) return false;
      throw err;
    }
  }

  private conditional(e: Expr & { t: 'conditional' }): Value {
    const c = this.eval(e.cond);
    if (isUnknown(c)) return c;
    if (c === null) this.fail(e.cond, 'the condition is null', 'A condition must be true or false.');
    const pick = this.conv(e.cond, () => toBool(c, 'the condition'));
    const chosen = this.eval(pick ? e.then : e.else);
    // HCL unifies both result types; a number or bool next to a string becomes a string.
    if (typeof chosen === 'number' || typeof chosen === 'boolean') {
      const other = pick ? e.else : e.then;
      if (this.isStringTyped(other)) return toStr(chosen);
    }
    return chosen;
  }

  /** Whether an expression is statically a string (a literal or a template with text). */
  private isStringTyped(e: Expr): boolean {
    if (e.t === 'literal') return typeof e.value === 'string';
    if (e.t === 'template') return !(e.parts.length === 1 && e.parts[0]?.t === 'interp');
    return false;
  }

  private binary(e: Expr & { t: 'binary' }): Value {
    const l = this.eval(e.left);
    const r = this.eval(e.right);
    switch (e.op) {
      case '&&':
      case '||': {
        const lb = isUnknown(l) ? l : this.conv(e.left, () => toBool(l, `the left operand of ${e.op}`));
        const rb = isUnknown(r) ? r : this.conv(e.right, () => toBool(r, `the right operand of ${e.op}`));
        const decisive = e.op === '||';
        if (lb === decisive || rb === decisive) return decisive;
        if (isUnknown(lb)) return lb;
        if (isUnknown(rb)) return rb;
        return e.op === '&&' ? lb && rb : lb || rb;
      }
      case '==':
      case '!=': {
        const u = (isUnknown(l) ? l : undefined) ?? (isUnknown(r) ? r : undefined) ?? findUnknown(l) ?? findUnknown(r);
        if (u) return u;
        const eq = valuesEqual(l, r);
        return e.op === '==' ? eq : !eq;
      }
    }
    if (isUnknown(l)) return l;
    if (isUnknown(r)) return r;
    const a = this.conv(e.left, () => toNum(l, `the left operand of ${e.op}`));
    const b = this.conv(e.right, () => toNum(r, `the right operand of ${e.op}`));
    switch (e.op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        if (b === 0) this.fail(e, 'division by zero');
        return a / b;
      case '%':
        if (b === 0) this.fail(e, 'modulo by zero');
        return a % b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  }

  private forExpr(e: Expr & { t: 'for' }): Value {
    const coll = this.eval(e.collection);
    if (isUnknown(coll)) return coll;
    const pairs = this.iterate(coll, e.collection);
    const isObjectFor = e.keyExpr !== undefined;
    const tuple: Value[] = [];
    const obj: ValueObject = {};
    let unknown: UnknownValue | undefined;
    for (const [k, v] of pairs) {
      const scope = new Map<string, Value>([[e.valueVar, v]]);
      if (e.keyVar) scope.set(e.keyVar, k);
      this.withScope(scope, () => {
        if (e.cond) {
          const c = this.eval(e.cond);
          if (isUnknown(c)) {
            unknown ??= c;
            return;
          }
          if (c === null) this.fail(e.cond, 'the condition is null');
          if (!this.conv(e.cond, () => toBool(c, 'the condition'))) return;
        }
        if (!isObjectFor) {
          tuple.push(this.eval(e.valueExpr));
          return;
        }
        const keyExpr = e.keyExpr as Expr;
        const key = this.eval(keyExpr);
        const value = this.eval(e.valueExpr);
        if (isUnknown(key)) {
          unknown ??= key;
          return;
        }
        if (key === null) this.fail(keyExpr, 'the key is null');
        const ks = this.conv(keyExpr, () => toStr(key, 'the key'));
        if (e.group) {
          const prev = hasKey(obj, ks) ? (obj[ks] as Value[]) : [];
          prev.push(value);
          setKey(obj, ks, prev);
        } else {
          if (hasKey(obj, ks)) {
            this.fail(keyExpr, `two elements produce the key "${ks}"`, 'Add ... after the value expression to group values by key.');
          }
          setKey(obj, ks, value);
        }
      });
    }
    if (unknown) return unknown;
    if (!isObjectFor) return tuple;
    const sorted: ValueObject = {};
    for (const k of sortedKeys(obj)) setKey(sorted, k, obj[k] as Value);
    return sorted;
  }
}
