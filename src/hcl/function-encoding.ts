// jsonencode/jsondecode/yamlencode/yamldecode with cty's conventions: JSON is compact with keys in
// lexical order and Go's HTML-safe escapes; YAML maps become objects and sequences tuples.

import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { isUnknown, type Value } from './model.js';
import { formatNumber, isObject, setKey, sortedKeys, ValueError, type ValueObject } from './values.js';

// yaml (~30 ms to load) is needed only by yamldecode()/yamlencode(), which few templates call and
// which are synchronous: required on first use (its Node entry is CommonJS).
let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

export function jsonEncode(v: Value): string {
  if (v === null) return 'null';
  if (isUnknown(v)) throw new ValueError('cannot encode an unknown value');
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(jsonEncode).join(',')}]`;
  return `{${sortedKeys(v)
    .map((k) => `${jsonString(k)}:${jsonEncode(v[k] as Value)}`)
    .join(',')}}`;
}

function fromPlain(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x instanceof Date) return x.toISOString();
  if (Array.isArray(x)) return x.map(fromPlain);
  if (x instanceof Map) {
    const out: ValueObject = {};
    for (const [k, val] of x) setKey(out, String(k), fromPlain(val));
    return out;
  }
  if (x instanceof Set) return [...x].map(fromPlain);
  if (typeof x === 'object') {
    const out: ValueObject = {};
    for (const k of Object.keys(x)) setKey(out, k, fromPlain((x as Record<string, unknown>)[k]));
    return out;
  }
  throw new ValueError(`unsupported value of type ${typeof x}`);
}

export function jsonDecode(s: string): Value {
  try {
    return fromPlain(JSON.parse(s));
  } catch (err) {
    if (err instanceof ValueError) throw err;
    throw new ValueError(`the string is not valid JSON: ${(err as Error).message}`);
  }
}

export function yamlDecode(s: string): Value {
  const docs = yaml().parseAllDocuments(s, { uniqueKeys: true });
  if (!Array.isArray(docs)) return null;
  const [first, ...rest] = docs;
  if (rest.length > 0) throw new ValueError('the YAML text holds several documents; yamldecode() takes exactly one');
  if (!first) return null;
  const err = first.errors[0];
  if (err) throw new ValueError(`the string is not valid YAML: ${err.message.split('\n')[0]}`);
  return fromPlain(first.toJS({ mapAsMap: false, maxAliasCount: 1000 }));
}

function toPlain(v: Value): unknown {
  if (isUnknown(v)) throw new ValueError('cannot encode an unknown value');
  if (Array.isArray(v)) return v.map(toPlain);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(v)) Object.defineProperty(out, k, { value: toPlain(v[k] as Value), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** YAML in the block style go-yaml writes (sequences not indented under their key). */
export function yamlEncode(v: Value): string {
  const text = yaml().stringify(toPlain(v), { indentSeq: false, lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN', nullStr: 'null' });
  return text;
}
