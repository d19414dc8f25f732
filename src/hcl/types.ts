// Packer's type constraints (`type = map(string)`, `object({ a = optional(string, "x") })`) and
// cty's conversion rules between values and those types.

import { HclSyntaxError, TemplateError, type SourceRange } from '../errors.js';
import type { Expr } from './expr-ast.js';
import { isHclExpression } from './expression.js';
import { isUnknown, type Expression, type TypeConstraint, type Value } from './model.js';
import { parseExpressionFragment } from './native-snippet.js';
import type { SourceText } from './source-text.js';
import { formatNumber, hasKey, isObject, setKey, setOf, sortedKeys, typeName, type ValueObject } from './values.js';

/** An object type whose optional attributes may carry defaults (`optional(T, default)`, Packer ≥ 1.16). */
export type ObjectConstraint = Extract<TypeConstraint, { kind: 'object' }> & { defaults?: Record<string, Value> };

/** Reads a `type = ...` expression. JSON syntax gives it as a string such as "list(string)". */
export function parseTypeConstraint(expr: Expression): TypeConstraint {
  if (!isHclExpression(expr)) throw new TypeError('parseTypeConstraint() needs an expression produced by src/hcl');
  const ast = expr.ast;
  if (expr.syntax === 'json' && ast.t === 'literal' && typeof ast.value === 'string') {
    const start = ast.s + 1;
    const inner = parseExpressionFragment(ast.value, { src: expr.src, map: (o) => start + o });
    return typeFromExpr(inner, expr.src);
  }
  // Native syntax, or hcl2json-style "${list(string)}" in JSON (a template wrapping the type).
  return typeFromExpr(ast, expr.src);
}

const PRIMITIVES = new Set(['string', 'number', 'bool', 'any']);

/** A type constraint from an expression tree (keywords are bare names and calls). */
export function typeFromExpr(e: Expr, src: SourceText): TypeConstraint {
  const fail = (what: string): never => {
    throw new HclSyntaxError(`invalid type: ${what}`, {
      range: src.range(e.s, e.e),
      hint: 'Use string, number, bool, any, list(T), set(T), map(T), tuple([T, ...]) or object({ name = T, ... }).',
    });
  };
  if (e.t === 'paren') return typeFromExpr(e.inner, src);
  if (e.t === 'variable') {
    if (PRIMITIVES.has(e.name)) return { kind: e.name as 'string' | 'number' | 'bool' | 'any' };
    return fail(`"${e.name}" is not a type`);
  }
  if (e.t === 'template' && e.parts.length === 1 && e.parts[0]?.t === 'interp') return typeFromExpr(e.parts[0].expr, src);
  if (e.t !== 'call') return fail(`\`${src.text.slice(e.s, e.e)}\` is not a type`);
  const arg = e.args[0];
  switch (e.name) {
    case 'list':
    case 'set':
    case 'map':
      if (e.args.length !== 1 || !arg) return fail(`${e.name}() takes one element type`);
      return { kind: e.name, element: typeFromExpr(arg, src) };
    case 'tuple':
      if (e.args.length !== 1 || arg?.t !== 'tuple') return fail('tuple() takes a list of element types, e.g. tuple([string, number])');
      return { kind: 'tuple', elements: arg.items.map((x) => typeFromExpr(x, src)) };
    case 'object': {
      if (e.args.length !== 1 || arg?.t !== 'object') return fail('object() takes an object of attribute types, e.g. object({ name = string })');
      const attributes: Record<string, TypeConstraint> = {};
      const optional: string[] = [];
      const defaults: Record<string, Value> = {};
      for (const item of arg.items) {
        if (item.key.t !== 'literal' || typeof item.key.value !== 'string') return fail('object attribute names must be plain names');
        const name = item.key.value;
        const v = item.value;
        if (v.t === 'call' && v.name === 'optional') {
          if (v.args.length < 1 || v.args.length > 2) return fail('optional() takes a type and an optional default');
          attributes[name] = typeFromExpr(v.args[0] as Expr, src);
          optional.push(name);
          if (v.args[1]) defaults[name] = constantValue(v.args[1], src);
        } else attributes[name] = typeFromExpr(v, src);
      }
      const t: ObjectConstraint = { kind: 'object', attributes, optional };
      if (Object.keys(defaults).length > 0) t.defaults = defaults;
      return t;
    }
    default:
      return fail(`${e.name}() is not a type constructor`);
  }
}

/** The value of a constant expression (defaults inside optional()). */
function constantValue(e: Expr, src: SourceText): Value {
  switch (e.t) {
    case 'literal':
      return e.value;
    case 'paren':
      return constantValue(e.inner, src);
    case 'template':
      if (e.parts.every((p) => p.t === 'text')) return e.parts.map((p) => (p.t === 'text' ? p.text : '')).join('');
      break;
    case 'tuple':
      return e.items.map((x) => constantValue(x, src));
    case 'object': {
      const out: ValueObject = {};
      for (const it of e.items) setKey(out, String(constantValue(it.key, src)), constantValue(it.value, src));
      return out;
    }
    case 'unary':
      if (e.op === '-' && e.operand.t === 'literal' && typeof e.operand.value === 'number') return -e.operand.value;
      break;
  }
  throw new HclSyntaxError('the default of optional() must be a constant value', { range: src.range(e.s, e.e) });
}

export function typeString(t: TypeConstraint): string {
  switch (t.kind) {
    case 'any':
    case 'string':
    case 'number':
    case 'bool':
      return t.kind;
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind}(${typeString(t.element)})`;
    case 'tuple':
      return `tuple([${t.elements.map(typeString).join(', ')}])`;
    case 'object':
      return `object({${Object.keys(t.attributes)
        .map((k) => `${k} = ${t.optional.includes(k) ? `optional(${typeString(t.attributes[k] as TypeConstraint)})` : typeString(t.attributes[k] as TypeConstraint)}`)
        .join(', ')}})`;
  }
}

class ConversionProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Converts a value to a type with cty's rules (number↔string, bool↔string, tuple→list/set,
 * object→map, missing optional attributes → default or null). Unknowns pass through.
 */
export function convertValue(value: Value, type: TypeConstraint, range: SourceRange, what: string): Value {
  try {
    return convert(value, type, '');
  } catch (err) {
    if (!(err instanceof ConversionProblem)) throw err;
    const at = err.path ? ` at ${err.path}` : '';
    throw new TemplateError(`${what}: ${err.message}${at} (the type is ${typeString(type)})`, {
      range,
      hint: 'Give a value of the declared type.',
    });
  }
}

function describe(v: Value): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `a ${typeName(v)}`;
}

function convert(v: Value, t: TypeConstraint, path: string): Value {
  if (t.kind === 'any' || v === null || isUnknown(v)) return v;
  switch (t.kind) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number') return formatNumber(v);
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      throw new ConversionProblem(path, `a string is required, got ${describe(v)}`);
    case 'number':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(v.trim())) return Number(v);
      throw new ConversionProblem(path, `a number is required, got ${describe(v)}`);
    case 'bool':
      if (typeof v === 'boolean') return v;
      // cty's string → bool conversion: exactly "true"/"1" and "false"/"0".
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) throw new ConversionProblem(path, `a bool is required; to convert from string, use lowercase "${v.toLowerCase()}"`);
      throw new ConversionProblem(path, `a bool is required, got ${describe(v)}`);
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) throw new ConversionProblem(path, `a ${t.kind} is required, got ${describe(v)}`);
      const out = v.map((x, i) => convert(x, t.element, `${path}[${i}]`));
      return t.kind === 'set' && !out.some(isUnknown) ? setOf(out) : out;
    }
    case 'map': {
      if (!isObject(v)) throw new ConversionProblem(path, `a map is required, got ${describe(v)}`);
      const out: ValueObject = {};
      for (const k of sortedKeys(v)) setKey(out, k, convert(v[k] as Value, t.element, `${path}[${JSON.stringify(k)}]`));
      return out;
    }
    case 'tuple': {
      if (!Array.isArray(v)) throw new ConversionProblem(path, `a tuple is required, got ${describe(v)}`);
      if (v.length !== t.elements.length) {
        throw new ConversionProblem(path, `a tuple of ${t.elements.length} elements is required, got ${v.length}`);
      }
      return v.map((x, i) => convert(x, t.elements[i] as TypeConstraint, `${path}[${i}]`));
    }
    case 'object': {
      if (!isObject(v)) throw new ConversionProblem(path, `an object is required, got ${describe(v)}`);
      const defaults = (t as ObjectConstraint).defaults ?? {};
      const out: ValueObject = {};
      for (const k of Object.keys(t.attributes).sort()) {
        const at = t.attributes[k] as TypeConstraint;
        if (hasKey(v, k) && !(v[k] === null && hasKey(defaults, k))) setKey(out, k, convert(v[k] as Value, at, `${path}.${k}`));
        else if (t.optional.includes(k)) setKey(out, k, hasKey(defaults, k) ? convert(defaults[k] as Value, at, `${path}.${k}`) : null);
        else throw new ConversionProblem(path, `attribute "${k}" is required`);
      }
      return out;
    }
  }
}

/** The type cty gives a value (tuples and objects keep their shape, as Packer infers from defaults). */
export function inferType(value: Value): TypeConstraint {
  if (value === null || isUnknown(value)) return { kind: 'any' };
  if (typeof value === 'string') return { kind: 'string' };
  if (typeof value === 'number') return { kind: 'number' };
  if (typeof value === 'boolean') return { kind: 'bool' };
  if (Array.isArray(value)) return { kind: 'tuple', elements: value.map(inferType) };
  const attributes: Record<string, TypeConstraint> = {};
  for (const k of sortedKeys(value)) attributes[k] = inferType(value[k] as Value);
  return { kind: 'object', attributes, optional: [] };
}
