// Go RE2 regular expressions (what Packer's regex functions take) on JavaScript's engine: the
// syntax differences that real templates meet are translated, and Go's `$1`/`${name}`
// replacement templates are expanded the Go way.

import { ValueError } from './values.js';

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  xdigit: '0-9A-Fa-f',
  word: '0-9A-Za-z_',
  punct: '!-\\/:-@\\[-`{-~',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
  ascii: '\\x00-\\x7f',
};

const cache = new Map<string, RegExp>();

/** Compiles a Go regular expression (global flag set, for matchAll/replace). */
export function compileGoRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return new RegExp(hit.source, hit.flags);
  let src = pattern;
  let flags = 'g';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    const f = lead[1] as string;
    if (f.includes('U')) throw new ValueError(`the flag (?U) of regular expression ${JSON.stringify(pattern)} is not supported by hclx`);
    for (const c of f) if (!flags.includes(c)) flags += c;
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = POSIX_CLASSES[name];
      if (!cls) return m;
      if (neg) throw new ValueError(`negated POSIX class [:^${name}:] is not supported by hclx`);
      return cls;
    })
    .replace(/\\p([A-Z])/g, '\\p{$1}')
    .replace(/\\P([A-Z])/g, '\\P{$1}');
  let re: RegExp;
  try {
    re = new RegExp(src, `${flags}u`);
  } catch {
    try {
      re = new RegExp(src, flags);
    } catch (err) {
      throw new ValueError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
  }
  cache.set(pattern, re);
  return new RegExp(re.source, re.flags);
}

/** Expands a Go replacement template (`$1`, `${1}`, `$name`, `${name}`, `$$`) for one match. */
export function expandGoTemplate(template: string, m: RegExpMatchArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close === -1 ? '' : template.slice(i + 2, close);
      if (close === -1 || !/^\w+$/.test(inner)) {
        out += c;
        continue;
      }
      name = inner;
      i = close;
    } else {
      const w = /^\w+/.exec(template.slice(i + 1));
      if (!w) {
        out += c;
        continue;
      }
      name = w[0];
      i += name.length;
    }
    out += groupValue(m, name) ?? '';
  }
  return out;
}

function groupValue(m: RegExpMatchArray, name: string): string | undefined {
  if (/^\d+$/.test(name)) return m[Number(name)];
  return m.groups?.[name];
}

/** Replaces every match of a Go regex in `s`, expanding `repl` as a Go template. */
export function goReplaceAll(s: string, pattern: string, repl: string): string {
  const re = compileGoRegex(pattern);
  return s.replace(re, (...args: unknown[]) => {
    const hasGroups = typeof args[args.length - 1] === 'object';
    const groupsObj = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
    const parts = args.slice(0, hasGroups ? -3 : -2) as string[];
    const m = Object.assign([...parts], { groups: groupsObj }) as unknown as RegExpMatchArray;
    return expandGoTemplate(repl, m);
  });
}
