// Value helpers with cty's semantics, over the plain JS values of model.ts: type names,
// conversions (number↔string, bool↔string), equality and unknown detection. Errors without a
// source position are ValueError; evaluate() and the function table attach the position.

import { isUnknown, UnknownValue, type Value } from './model.js';

export type ValueObject = { [key: string]: Value };

/** A conversion or operation error that does not know where it happened yet. */
export class ValueError extends Error {}

export function isObject(v: Value): v is ValueObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof UnknownValue);
}

export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (isUnknown(v)) return 'unknown value';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** Sets a property without invoking setters (a key named `__proto__` stays a plain key). */
export function setKey(obj: ValueObject, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function hasKey(obj: ValueObject, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** Keys in cty's order (lexical). */
export function sortedKeys(obj: ValueObject): string[] {
  return Object.keys(obj).sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A new object with the keys of `entries` in lexical order. */
export function objectFrom(entries: Array<[string, Value]>): ValueObject {
  const out: ValueObject = {};
  for (const [k, v] of [...entries].sort((a, b) => compareStrings(a[0], b[0]))) setKey(out, k, v);
  return out;
}

/** Numbers as cty prints them: no exponent, shortest exact decimal. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mant = '', expPart = '0'] = s.split(/e/i);
  const exp = Number(expPart);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const point = (mant.replace('-', '').indexOf('.') + 1 || mant.replace('-', '').length + 1) - 1 + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? '-' : '') + out;
}

/** The first unknown value found in `v` (depth first), if any. */
export function findUnknown(v: Value): UnknownValue | undefined {
  if (isUnknown(v)) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = findUnknown(x);
      if (u) return u;
    }
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const u = findUnknown(v[k] as Value);
      if (u) return u;
    }
  }
  return undefined;
}

export function toStr(v: Value, what = 'value'): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) throw new ValueError(`${what} is null; a string is required`);
  throw new ValueError(`${what} is a ${typeName(v)}; a string is required`);
}

const NUMBER_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

export function toNum(v: Value, what = 'value'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (NUMBER_RE.test(v)) return Number(v);
    throw new ValueError(`${what} is the string ${JSON.stringify(v)}, which is not a number`);
  }
  if (v === null) throw new ValueError(`${what} is null; a number is required`);
  throw new ValueError(`${what} is a ${typeName(v)}; a number is required`);
}

export function toBool(v: Value, what = 'value'): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === null) throw new ValueError(`${what} is null; a bool is required`);
  throw new ValueError(`${what} is ${typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `a ${typeName(v)}`}; a bool (true or false) is required`);
}

export function toList(v: Value, what = 'value'): Value[] {
  if (Array.isArray(v)) return v;
  if (v === null) throw new ValueError(`${what} is null; a list is required`);
  throw new ValueError(`${what} is a ${typeName(v)}; a list is required`);
}

export function toObject(v: Value, what = 'value'): ValueObject {
  if (isObject(v)) return v;
  if (v === null) throw new ValueError(`${what} is null; a map or object is required`);
  throw new ValueError(`${what} is a ${typeName(v)}; a map or object is required`);
}

/** cty equality: same type and same content (no conversion: 1 != "1"). Unknowns are handled by callers. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i] as Value));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => hasKey(b, k) && valuesEqual(a[k] as Value, b[k] as Value));
  }
  return false;
}

/** Deduplicates primitive-or-structured values keeping the first occurrence. */
export function distinctValues(list: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of list) if (!out.some((o) => valuesEqual(o, v))) out.push(v);
  return out;
}

/** A set's canonical order: strings and numbers sorted, others in first-seen order. */
export function setOf(list: Value[]): Value[] {
  const d = distinctValues(list);
  if (d.every((v) => typeof v === 'string')) return (d as string[]).sort(compareStrings);
  if (d.every((v) => typeof v === 'number')) return (d as number[]).sort((a, b) => a - b);
  return d;
}

export function unknownFrom(v: Value): UnknownValue {
  return findUnknown(v) ?? new UnknownValue('the value is not known before the build');
}
