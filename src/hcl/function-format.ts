// format() and formatlist(): Go fmt verbs as cty implements them (%v %#v %s %q %d %f %e %g %t %b
// %o %x %X %%, flags + - # 0 space, width, precision and explicit argument indexes %[n]d).

import { isUnknown, type Value } from './model.js';
import { jsonEncode } from './function-encoding.js';
import { findUnknown, formatNumber, toBool, toNum, toStr, typeName, ValueError } from './values.js';

interface Verb {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
  argIndex: number | undefined;
}

export function formatValues(spec: string, args: Value[]): string {
  let out = '';
  let next = 0;
  let used = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^%([-+# 0]*)(?:\[(\d+)\])?(\d+)?(?:\.(\d*))?(?:\[(\d+)\])?([a-zA-Z%])/.exec(spec.slice(i));
    if (!m) throw new ValueError(`invalid format verb at offset ${i} of ${JSON.stringify(spec)}`);
    i += m[0].length - 1;
    const v: Verb = {
      flags: m[1] ?? '',
      argIndex: m[2] !== undefined ? Number(m[2]) : m[5] !== undefined ? Number(m[5]) : undefined,
      width: m[3] !== undefined ? Number(m[3]) : undefined,
      precision: m[4] !== undefined ? Number(m[4] || '0') : undefined,
      verb: m[6] as string,
    };
    if (v.verb === '%') {
      out += '%';
      continue;
    }
    const idx = v.argIndex !== undefined ? v.argIndex - 1 : next;
    if (idx < 0 || idx >= args.length) {
      throw new ValueError(`not enough arguments for the format ${JSON.stringify(spec)} (verb %${v.verb} needs argument ${idx + 1})`);
    }
    next = idx + 1;
    used = Math.max(used, next);
    out += formatOne(v, args[idx] as Value);
  }
  if (used < args.length && args.length > 0) {
    throw new ValueError(`too many arguments for the format ${JSON.stringify(spec)}: ${args.length} given, ${used} used`);
  }
  return out;
}

function pad(s: string, v: Verb, numeric: boolean): string {
  if (v.width === undefined || s.length >= v.width) return s;
  const fill = v.width - s.length;
  if (v.flags.includes('-')) return s + ' '.repeat(fill);
  if (numeric && v.flags.includes('0')) {
    const lead = /^[-+ ]/.test(s) ? s.slice(0, 1) : '';
    return lead + '0'.repeat(fill) + s.slice(lead.length);
  }
  return ' '.repeat(fill) + s;
}

function sign(n: number, s: string, v: Verb): string {
  if (n >= 0 && v.flags.includes('+')) return `+${s}`;
  if (n >= 0 && v.flags.includes(' ')) return ` ${s}`;
  return s;
}

function formatOne(v: Verb, arg: Value): string {
  if (isUnknown(arg)) throw new ValueError('an argument is unknown');
  switch (v.verb) {
    case 'v': {
      if (v.flags.includes('#')) return pad(jsonEncode(arg), v, false);
      if (arg === null) return pad('null', v, false);
      if (typeof arg === 'object') return pad(jsonEncode(arg), v, false);
      if (typeof arg === 'number') return pad(sign(arg, formatNumber(arg), v), v, true);
      return pad(toStr(arg), v, false);
    }
    case 's': {
      if (arg === null || typeof arg === 'object') throw new ValueError(`%s needs a string, got a ${typeName(arg)}`);
      let s = toStr(arg);
      if (v.precision !== undefined) s = [...s].slice(0, v.precision).join('');
      return pad(s, v, false);
    }
    case 'q': {
      if (arg === null || typeof arg === 'object') throw new ValueError(`%q needs a string, got a ${typeName(arg)}`);
      return pad(JSON.stringify(toStr(arg)), v, false);
    }
    case 't':
      return pad(String(toBool(arg, 'the argument of %t')), v, false);
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const n = toNum(arg, `the argument of %${v.verb}`);
      if (!Number.isInteger(n)) throw new ValueError(`%${v.verb} needs a whole number, got ${formatNumber(n)}`);
      const base = { d: 10, b: 2, o: 8, x: 16, X: 16 }[v.verb] as number;
      let s = Math.abs(n).toString(base);
      if (v.verb === 'X') s = s.toUpperCase();
      if (v.flags.includes('#') && v.verb !== 'd') s = (v.verb === 'o' ? '0' : v.verb === 'b' ? '0b' : v.verb === 'x' ? '0x' : '0X') + s;
      if (n < 0) s = `-${s}`;
      return pad(sign(n, s, v), v, true);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      const n = toNum(arg, `the argument of %${v.verb}`);
      let s: string;
      if (v.verb === 'f' || v.verb === 'F') s = n.toFixed(v.precision ?? 6);
      else if (v.verb === 'e' || v.verb === 'E') s = goExp(n.toExponential(v.precision ?? 6));
      else s = v.precision !== undefined ? String(Number(n.toPrecision(Math.max(v.precision, 1)))) : formatNumber(n);
      if (v.verb === 'E' || v.verb === 'G') s = s.toUpperCase();
      return pad(sign(n, s, v), v, true);
    }
    default:
      throw new ValueError(`unsupported format verb %${v.verb}`);
  }
}

/** Go prints exponents with at least two digits (1.5e+06). */
function goExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

export function formatList(spec: string, args: Value[]): Value {
  let n: number | undefined;
  for (const a of args) {
    if (Array.isArray(a)) {
      if (n !== undefined && n !== a.length) throw new ValueError(`all list arguments must have the same length (${n} and ${a.length})`);
      n = a.length;
    }
  }
  const count = n ?? 1;
  const out: Value[] = [];
  for (let i = 0; i < count; i++) {
    const row = args.map((a) => (Array.isArray(a) ? (a[i] as Value) : a));
    const u = row.map(findUnknown).find((x) => x !== undefined);
    out.push(u ?? formatValues(spec, row));
  }
  return out;
}
