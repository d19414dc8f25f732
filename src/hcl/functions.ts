// Packer's function library (hcl2template/functions.go), implemented faithfully for the pure
// functions. Functions that need the network, secrets, the clock or randomness are never called:
// they return an UnknownValue saying why, and the value stays Packer's business at build time.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TemplateError, type SourceRange } from '../errors.js';
import { evaluateTree, type FunctionTable } from './evaluate.js';
import { jsonDecode, jsonEncode, yamlDecode, yamlEncode } from './function-encoding.js';
import { formatList, formatValues } from './function-format.js';
import { compileGoRegex, goReplaceAll } from './function-regex.js';
import { isUnknown, UnknownValue, type Value } from './model.js';
import { parseTemplateFragment } from './native-snippet.js';
import { SourceText } from './source-text.js';
import {
  compareStrings,
  distinctValues,
  findUnknown,
  formatNumber,
  hasKey,
  isObject,
  objectFrom,
  setKey,
  setOf,
  sortedKeys,
  toBool,
  toList,
  toNum,
  toObject,
  toStr,
  typeName,
  ValueError,
  valuesEqual,
  type ValueObject,
} from './values.js';

export type { FunctionTable } from './evaluate.js';

export interface FunctionOptions {
  /** `path.root`: file(), fileexists() and templatefile() resolve relative paths against it. */
  baseDir: string;
  /** The process working directory (abspath(), filebase64()). */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Packer allows env() only in variable defaults. */
  allowEnv?: boolean;
}

type Impl = (args: Value[], call: { range: SourceRange; name: string }) => Value;

/**
 * How a function treats unknown arguments: `deep` (default) → any unknown anywhere in the
 * arguments makes the result unknown; `shallow` → only a wholly unknown argument does (the
 * function copies nested unknowns into its result, like cty's collection functions).
 */
type UnknownPolicy = 'deep' | 'shallow';

interface Spec {
  min: number;
  /** Infinity for variadic functions. */
  max: number;
  unknown?: UnknownPolicy;
  impl: Impl;
}

const BUILD_TIME: Record<string, string> = {
  vault: 'vault() reads a secret from HashiCorp Vault when Packer runs; give the value with -var instead',
  consul_key: 'consul_key() reads Consul when Packer runs; give the value with -var instead',
  aws_secretsmanager: 'aws_secretsmanager() reads AWS Secrets Manager when Packer runs; give the value with -var instead',
  aws_secretsmanager_raw: 'aws_secretsmanager_raw() reads AWS Secrets Manager when Packer runs; give the value with -var instead',
  timestamp: 'timestamp() is the time when Packer runs; it is not known before the build',
  legacy_isotime: 'legacy_isotime() is the time when Packer runs; it is not known before the build',
  legacy_strftime: 'legacy_strftime() is the time when Packer runs; it is not known before the build',
  uuidv4: 'uuidv4() is random; its value is chosen when Packer runs',
  uuidv5: 'uuidv5() is computed by Packer at build time; give the value with -var instead',
  bcrypt: 'bcrypt() uses a random salt; its value is chosen when Packer runs',
  rsadecrypt: 'rsadecrypt() needs a private key; it is evaluated by Packer at build time',
  formatdate: 'formatdate() is evaluated by Packer at build time (it usually formats timestamp())',
  timeadd: 'timeadd() is evaluated by Packer at build time (it usually works on timestamp())',
};

function arg(args: Value[], i: number): Value {
  return args[i] as Value;
}

function str(args: Value[], i: number): string {
  return toStr(arg(args, i), `argument ${i + 1}`);
}

function num(args: Value[], i: number): number {
  return toNum(arg(args, i), `argument ${i + 1}`);
}

function int(args: Value[], i: number): number {
  const n = num(args, i);
  if (!Number.isInteger(n)) throw new ValueError(`argument ${i + 1} must be a whole number, got ${formatNumber(n)}`);
  return n;
}

function list(args: Value[], i: number): Value[] {
  return toList(arg(args, i), `argument ${i + 1}`);
}

function obj(args: Value[], i: number): ValueObject {
  return toObject(arg(args, i), `argument ${i + 1}`);
}

// Made on first use: building a segmenter loads ICU's break rules (~14 ms), and most templates never
// call length(), substr() or the other functions that count characters.
let segmenter: Intl.Segmenter | undefined;

/** Characters as cty counts them (grapheme clusters). */
function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function goBase(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

function goDir(p: string): string {
  return goClean(p.slice(0, p.lastIndexOf('/') + 1));
}

function regexResult(m: RegExpMatchArray, re: RegExp): Value {
  const groups = m.length - 1;
  if (groups === 0) return m[0];
  const named = m.groups ? Object.keys(m.groups) : [];
  if (named.length > 0) {
    if (named.length !== groups) throw new ValueError('a regular expression cannot mix named and unnamed capture groups');
    const out: ValueObject = {};
    for (const k of named.sort(compareStrings)) setKey(out, k, m.groups?.[k] ?? null);
    return out;
  }
  void re;
  return m.slice(1).map((x) => x ?? null);
}

export function createFunctions(options: FunctionOptions): FunctionTable {
  const env = options.env ?? process.env;
  const home = (): string => env.HOME ?? homedir();
  const expand = (p: string): string => (p === '~' ? home() : p.startsWith('~/') ? join(home(), p.slice(2)) : p);
  const fromBase = (p: string): string => {
    const e = expand(p);
    return isAbsolute(e) ? e : join(options.baseDir, e);
  };
  const readText = (p: string, fn: string): string => {
    const full = fromBase(p);
    let buf: Buffer;
    try {
      buf = readFileSync(full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ValueError(`no file exists at ${JSON.stringify(p)} (looked for ${full}; ${fn}() resolves relative paths against path.root)`);
      throw new ValueError(`cannot read ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(buf);
    if (text.includes('\uFFFD') && !buf.includes(Buffer.from('\uFFFD'))) {
      throw new ValueError(`the content of ${JSON.stringify(p)} is not valid UTF-8; use filebase64() for binary files`);
    }
    return text;
  };

  const specs: Record<string, Spec> = {};
  const def = (name: string, min: number, max: number, impl: Impl, unknown: UnknownPolicy = 'deep'): void => {
    specs[name] = { min, max, impl, unknown };
  };

  // --- numbers
  def('abs', 1, 1, (a) => Math.abs(num(a, 0)));
  def('ceil', 1, 1, (a) => Math.ceil(num(a, 0)));
  def('floor', 1, 1, (a) => Math.floor(num(a, 0)));
  def('signum', 1, 1, (a) => Math.sign(num(a, 0)));
  def('log', 2, 2, (a) => Math.log(num(a, 0)) / Math.log(num(a, 1)));
  def('pow', 2, 2, (a) => Math.pow(num(a, 0), num(a, 1)));
  def('max', 1, Infinity, (a) => Math.max(...a.map((_, i) => num(a, i))));
  def('min', 1, Infinity, (a) => Math.min(...a.map((_, i) => num(a, i))));
  def('parseint', 2, 2, (a) => {
    const s = str(a, 0);
    const base = int(a, 1);
    if (base < 2 || base > 62) throw new ValueError(`the base must be between 2 and 62, got ${base}`);
    const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const body = s.replace(/^[-+]/, '');
    if (body === '') throw new ValueError(`cannot parse ${JSON.stringify(s)} as a base ${base} integer`);
    let n = 0;
    for (const ch of body) {
      const d = base <= 36 ? digits.indexOf(ch.toLowerCase()) : digits.indexOf(ch);
      if (d < 0 || d >= base) throw new ValueError(`cannot parse ${JSON.stringify(s)} as a base ${base} integer`);
      n = n * base + d;
    }
    return s.startsWith('-') ? -n : n;
  });
  def('sum', 1, 1, (a) => {
    const l = list(a, 0);
    if (l.length === 0) throw new ValueError('cannot sum an empty list');
    return l.reduce<number>((acc, x, i) => acc + toNum(x, `element ${i}`), 0);
  });

  // --- strings
  def('chomp', 1, 1, (a) => str(a, 0).replace(/(?:\r\n?|\n)+$/, ''));
  def('trimspace', 1, 1, (a) => str(a, 0).trim());
  def('trim', 2, 2, (a) => {
    const cut = new Set(graphemes(str(a, 1)));
    const g = graphemes(str(a, 0));
    let s = 0;
    let e = g.length;
    while (s < e && cut.has(g[s] as string)) s++;
    while (e > s && cut.has(g[e - 1] as string)) e--;
    return g.slice(s, e).join('');
  });
  def('trimprefix', 2, 2, (a) => {
    const s = str(a, 0);
    const p = str(a, 1);
    return s.startsWith(p) ? s.slice(p.length) : s;
  });
  def('trimsuffix', 2, 2, (a) => {
    const s = str(a, 0);
    const p = str(a, 1);
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  });
  def('lower', 1, 1, (a) => str(a, 0).toLowerCase());
  def('upper', 1, 1, (a) => str(a, 0).toUpperCase());
  def('title', 1, 1, (a) => str(a, 0).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase()));
  def('strrev', 1, 1, (a) => graphemes(str(a, 0)).reverse().join(''));
  def('substr', 3, 3, (a) => {
    const g = graphemes(str(a, 0));
    let off = int(a, 1);
    const len = int(a, 2);
    if (off < 0) off = g.length + off;
    if (off < 0 || off > g.length) throw new ValueError(`the offset ${int(a, 1)} is outside the string of ${g.length} characters`);
    return g.slice(off, len < 0 ? undefined : off + len).join('');
  });
  def('indent', 2, 2, (a) => str(a, 1).replace(/\n/g, `\n${' '.repeat(int(a, 0))}`));
  def('startswith', 2, 2, (a) => str(a, 0).startsWith(str(a, 1)));
  def('endswith', 2, 2, (a) => str(a, 0).endsWith(str(a, 1)));
  def('strcontains', 2, 2, (a) => str(a, 0).includes(str(a, 1)));
  def('split', 2, 2, (a) => {
    const sep = str(a, 0);
    const s = str(a, 1);
    return sep === '' ? graphemes(s) : s.split(sep);
  });
  def('join', 2, Infinity, (a) => {
    const sep = str(a, 0);
    const parts: string[] = [];
    for (let i = 1; i < a.length; i++) {
      list(a, i).forEach((x, j) => {
        if (x === null) throw new ValueError(`element ${j} of argument ${i + 1} is null`);
        parts.push(toStr(x, `element ${j} of argument ${i + 1}`));
      });
    }
    return parts.join(sep);
  });
  def('replace', 3, 3, (a) => {
    const s = str(a, 0);
    const sub = str(a, 1);
    const rep = str(a, 2);
    if (sub.length > 1 && sub.startsWith('/') && sub.endsWith('/')) return goReplaceAll(s, sub.slice(1, -1), rep);
    return sub === '' ? s : s.split(sub).join(rep);
  });
  def('regex_replace', 3, 3, (a) => goReplaceAll(str(a, 0), str(a, 1), str(a, 2)));
  def('regex', 2, 2, (a) => {
    const re = compileGoRegex(str(a, 0));
    re.lastIndex = 0;
    const m = re.exec(str(a, 1));
    if (!m) throw new ValueError(`the pattern ${JSON.stringify(str(a, 0))} does not match ${JSON.stringify(str(a, 1))}`);
    return regexResult(m, re);
  });
  def('regexall', 2, 2, (a) => {
    const re = compileGoRegex(str(a, 0));
    return [...str(a, 1).matchAll(re)].map((m) => regexResult(m, re));
  });
  def('format', 1, Infinity, (a) => formatValues(str(a, 0), a.slice(1)));
  def('formatlist', 1, Infinity, (a) => formatList(str(a, 0), a.slice(1)));

  // --- collections
  def(
    'length',
    1,
    1,
    (a) => {
      const v = arg(a, 0);
      if (typeof v === 'string') return graphemes(v).length;
      if (Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      throw new ValueError(`argument 1 is ${v === null ? 'null' : `a ${typeName(v)}`}; length() needs a string, list, map or object`);
    },
    'shallow',
  );
  def(
    'coalesce',
    1,
    Infinity,
    (a) => {
      for (const v of a) {
        if (isUnknown(v)) return v;
        if (v === null || v === '') continue;
        const anyString = a.some((x) => typeof x === 'string');
        return anyString && (typeof v === 'number' || typeof v === 'boolean') ? toStr(v) : v;
      }
      throw new ValueError('no non-null, non-empty argument');
    },
    'shallow',
  );
  def(
    'coalescelist',
    1,
    Infinity,
    (a) => {
      for (let i = 0; i < a.length; i++) {
        const v = arg(a, i);
        if (isUnknown(v)) return v;
        if (list(a, i).length > 0) return v;
      }
      throw new ValueError('no non-empty list argument');
    },
    'shallow',
  );
  def('compact', 1, 1, (a) => list(a, 0).filter((x) => x !== null && x !== ''));
  def(
    'concat',
    1,
    Infinity,
    (a) => a.flatMap((_, i) => list(a, i)),
    'shallow',
  );
  def('contains', 2, 2, (a) => list(a, 0).some((x) => valuesEqual(x, arg(a, 1))));
  def('distinct', 1, 1, (a) => distinctValues(list(a, 0)));
  def(
    'element',
    2,
    2,
    (a) => {
      const l = list(a, 0);
      const i = int(a, 1);
      if (l.length === 0) throw new ValueError('cannot use element() on an empty list');
      if (i < 0) throw new ValueError('the index must not be negative');
      return l[i % l.length] as Value;
    },
    'shallow',
  );
  def(
    'flatten',
    1,
    1,
    (a) => {
      const out: Value[] = [];
      const walk = (l: Value[]): UnknownValue | undefined => {
        for (const x of l) {
          if (isUnknown(x)) return x;
          if (Array.isArray(x)) {
            const u = walk(x);
            if (u) return u;
          } else out.push(x);
        }
        return undefined;
      };
      return walk(list(a, 0)) ?? out;
    },
    'shallow',
  );
  def('index', 2, 2, (a) => {
    const i = list(a, 0).findIndex((x) => valuesEqual(x, arg(a, 1)));
    if (i < 0) throw new ValueError('the value is not in the list');
    return i;
  });
  def('keys', 1, 1, (a) => sortedKeys(obj(a, 0)), 'shallow');
  def(
    'values',
    1,
    1,
    (a) => {
      const o = obj(a, 0);
      return sortedKeys(o).map((k) => o[k] as Value);
    },
    'shallow',
  );
  def(
    'lookup',
    2,
    3,
    (a) => {
      const o = obj(a, 0);
      const k = arg(a, 1);
      if (isUnknown(k)) return k;
      const key = str(a, 1);
      if (hasKey(o, key)) return o[key] as Value;
      if (a.length === 3) return arg(a, 2);
      throw new ValueError(`the map has no element "${key}" and no default was given`);
    },
    'shallow',
  );
  def(
    'merge',
    0,
    Infinity,
    (a) => {
      const out: ValueObject = {};
      a.forEach((v, i) => {
        if (v === null) return;
        const o = toObject(v, `argument ${i + 1}`);
        for (const k of Object.keys(o)) setKey(out, k, o[k] as Value);
      });
      return objectFrom(Object.entries(out));
    },
    'shallow',
  );
  def('range', 1, 3, (a) => {
    const [start, limit, step] = a.length === 1 ? [0, num(a, 0), 1] : [num(a, 0), num(a, 1), a.length === 3 ? num(a, 2) : num(a, 0) <= num(a, 1) ? 1 : -1];
    if (step === 0) throw new ValueError('the step must not be zero');
    if ((step > 0 && start > limit) || (step < 0 && start < limit)) throw new ValueError('the step goes away from the limit');
    const out: number[] = [];
    for (let x = start; step > 0 ? x < limit : x > limit; x += step) {
      if (out.length >= 1024) throw new ValueError('more than 1024 values requested');
      out.push(x);
    }
    return out;
  });
  def('reverse', 1, 1, (a) => [...list(a, 0)].reverse(), 'shallow');
  def(
    'slice',
    3,
    3,
    (a) => {
      const l = list(a, 0);
      const s = int(a, 1);
      const e = int(a, 2);
      if (s < 0 || e > l.length || s > e) throw new ValueError(`the range [${s}, ${e}) is outside the list of ${l.length} elements`);
      return l.slice(s, e);
    },
    'shallow',
  );
  def('sort', 1, 1, (a) => list(a, 0).map((x, i) => toStr(x, `element ${i}`)).sort(compareStrings));
  def(
    'zipmap',
    2,
    2,
    (a) => {
      const k = list(a, 0);
      const v = list(a, 1);
      if (k.length !== v.length) throw new ValueError(`${k.length} keys but ${v.length} values`);
      const u = k.find(isUnknown);
      if (u) return u;
      return objectFrom(k.map((x, i) => [toStr(x, `key ${i}`), v[i] as Value]));
    },
    'shallow',
  );
  def('chunklist', 2, 2, (a) => {
    const l = list(a, 0);
    const n = int(a, 1);
    if (n < 0) throw new ValueError('the chunk size must not be negative');
    if (n === 0) return [l];
    const out: Value[] = [];
    for (let i = 0; i < l.length; i += n) out.push(l.slice(i, i + n));
    return out;
  });
  def('setunion', 1, Infinity, (a) => setOf(a.flatMap((_, i) => list(a, i))));
  def('setintersection', 1, Infinity, (a) => {
    const lists = a.map((_, i) => list(a, i));
    return setOf((lists[0] ?? []).filter((x) => lists.every((l) => l.some((y) => valuesEqual(x, y)))));
  });
  def('setproduct', 1, Infinity, (a) => {
    let acc: Value[][] = [[]];
    a.forEach((_, i) => {
      const l = list(a, i);
      acc = acc.flatMap((prefix) => l.map((x) => [...prefix, x]));
    });
    return acc;
  });
  def('alltrue', 1, 1, (a) => list(a, 0).every((x, i) => toBool(x, `element ${i}`)));
  def('anytrue', 1, 1, (a) => list(a, 0).some((x, i) => toBool(x, `element ${i}`)));

  // --- type conversion
  def('tostring', 1, 1, (a) => {
    const v = arg(a, 0);
    if (v === null) return null;
    if (typeof v === 'object') throw new ValueError(`cannot convert a ${typeName(v)} to a string`);
    return toStr(v);
  });
  def('tonumber', 1, 1, (a) => (arg(a, 0) === null ? null : num(a, 0)));
  def('tobool', 1, 1, (a) => (arg(a, 0) === null ? null : toBool(arg(a, 0), 'argument 1')));
  def('tolist', 1, 1, (a) => (arg(a, 0) === null ? null : list(a, 0)), 'shallow');
  def('toset', 1, 1, (a) => (arg(a, 0) === null ? null : setOf(list(a, 0))));
  def('tomap', 1, 1, (a) => (arg(a, 0) === null ? null : obj(a, 0)), 'shallow');

  // --- encoding
  def('jsonencode', 1, 1, (a) => jsonEncode(arg(a, 0)));
  def('jsondecode', 1, 1, (a) => jsonDecode(str(a, 0)));
  def('yamlencode', 1, 1, (a) => yamlEncode(arg(a, 0)));
  def('yamldecode', 1, 1, (a) => yamlDecode(str(a, 0)));
  def('base64encode', 1, 1, (a) => Buffer.from(str(a, 0), 'utf8').toString('base64'));
  def('base64decode', 1, 1, (a) => {
    const s = str(a, 0);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new ValueError('the string is not valid base64');
    const buf = Buffer.from(s, 'base64');
    const text = buf.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(buf)) throw new ValueError('the decoded bytes are not valid UTF-8');
    return text;
  });
  def('base64gzip', 1, 1, (a) => gzipSync(Buffer.from(str(a, 0), 'utf8')).toString('base64'));
  def('urlencode', 1, 1, (a) =>
    Array.from(Buffer.from(str(a, 0), 'utf8'), (b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
      if (c === ' ') return '+';
      return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }).join(''),
  );
  for (const alg of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
    def(alg, 1, 1, (a) => createHash(alg).update(str(a, 0), 'utf8').digest('hex'));
  }

  // --- files and paths
  def('basename', 1, 1, (a) => goBase(str(a, 0)));
  def('dirname', 1, 1, (a) => goDir(str(a, 0)));
  def('pathexpand', 1, 1, (a) => expand(str(a, 0)));
  def('abspath', 1, 1, (a) => resolve(options.cwd, str(a, 0)).replace(/\\/g, '/'));
  def('file', 1, 1, (a) => readText(str(a, 0), 'file'));
  def('fileexists', 1, 1, (a) => {
    const p = fromBase(str(a, 0));
    try {
      const st = statSync(p);
      if (st.isFile()) return true;
      throw new ValueError(`${JSON.stringify(str(a, 0))} exists but is not a regular file`);
    } catch (err) {
      if (err instanceof ValueError) throw err;
      return false;
    }
  });
  // Packer's filebase64 reads relative to the working directory, not path.root.
  def('filebase64', 1, 1, (a) => {
    const p = expand(str(a, 0));
    try {
      return readFileSync(isAbsolute(p) ? p : join(options.cwd, p)).toString('base64');
    } catch (err) {
      throw new ValueError(`cannot read ${JSON.stringify(str(a, 0))}: ${(err as Error).message}`);
    }
  });

  if (options.allowEnv) {
    def('env', 1, 1, (a) => env[str(a, 0)] ?? '');
  } else {
    const reason = 'env() can only be used in a variable default (Packer rejects it elsewhere); read the environment variable into a variable with default = env("NAME")';
    specs.env = { min: 0, max: Infinity, impl: () => new UnknownValue(reason) };
  }

  for (const [name, reason] of Object.entries(BUILD_TIME)) {
    specs[name] = { min: 0, max: Infinity, impl: () => new UnknownValue(reason) };
  }

  const table: FunctionTable = {};
  for (const [name, spec] of Object.entries(specs)) table[name] = wrap(name, spec);

  // templatefile() renders with the same functions, except itself (as Packer: no recursion).
  const templateFunctions: FunctionTable = { ...table };
  delete templateFunctions.templatefile;
  table.templatefile = wrap('templatefile', {
    min: 2,
    max: 2,
    impl: (a, call) => {
      const path = str(a, 0);
      const vars = obj(a, 1);
      const text = readText(path, 'templatefile');
      const src = new SourceText(text, fromBase(path));
      const tree = parseTemplateFragment(text, { src });
      const scope = new Map(Object.entries(vars));
      try {
        const v = evaluateTree(tree, src, { lookup: (name) => scope.get(name), functions: templateFunctions });
        if (isUnknown(v) || typeof v === 'string') return v;
        return toStr(v, 'the template result');
      } catch (err) {
        if (err instanceof TemplateError && err.range) {
          throw new TemplateError(`in the template ${JSON.stringify(path)} rendered by templatefile(): ${err.message}`, {
            range: err.range,
            hint: err.hint ?? `Called at ${call.range.file}:${call.range.start.line}:${call.range.start.column}.`,
          });
        }
        throw err;
      }
    },
  });
  return table;
}

function wrap(name: string, spec: Spec): Impl {
  return (args, call) => {
    if (args.length < spec.min || args.length > spec.max) {
      const want = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
      throw new TemplateError(`${name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, { range: call.range });
    }
    if (spec.unknown === 'shallow') {
      const u = args.find(isUnknown);
      if (u) return u;
    } else {
      for (const a of args) {
        const u = findUnknown(a);
        if (u) return u;
      }
    }
    return spec.impl(args, call);
  };
}
