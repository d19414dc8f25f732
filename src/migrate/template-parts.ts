// Splits the source text of an HCL string template (`"${var.pool}:iso/${var.name}"`) into its
// literal pieces and its interpolations, so a migration can take an `iso_file` expression apart at
// `:iso/` and reuse each half as written. Only plain interpolations are understood; a template
// with directives (`%{ if }`) or heredocs is reported as not splittable, and the caller falls back
// to working on the expression as a whole.

import type { Expression } from '../hcl/model.js';
import { quoteHcl } from '../hcl/print.js';

export type TemplatePart = { kind: 'literal'; text: string } | { kind: 'interpolation'; expression: string };

/**
 * The parts of an expression when it is a quoted template (native) or a JSON string (JSON syntax,
 * whose content HCL reads as a template); undefined for any other expression.
 */
export function templateParts(expr: Pick<Expression, 'syntax' | 'text'>): TemplatePart[] | undefined {
  const text = expr.text.trim();
  if (expr.syntax === 'json') {
    if (!text.startsWith('"')) return undefined;
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      return undefined;
    }
    return typeof inner === 'string' ? scanTemplate(inner, false) : undefined;
  }
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return undefined;
  return scanTemplate(text.slice(1, -1), true);
}

/** Scans template content; `quoted` = native quoted string, where `\` escapes are decoded. */
function scanTemplate(content: string, quoted: boolean): TemplatePart[] | undefined {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < content.length) {
    const ch = content[i]!;
    if (quoted && ch === '\\') {
      const decoded = decodeEscape(content, i);
      if (!decoded) return undefined;
      literal += decoded.text;
      i = decoded.next;
      continue;
    }
    if ((ch === '$' || ch === '%') && content[i + 1] === ch && content[i + 2] === '{') {
      literal += ch + '{';
      i += 3;
      continue;
    }
    if (ch === '%' && content[i + 1] === '{') return undefined;
    if (ch === '$' && content[i + 1] === '{') {
      const end = interpolationEnd(content, i + 2);
      if (end === undefined) return undefined;
      let inner = content.slice(i + 2, end);
      // Strip markers (`${~ x ~}`) only change whitespace around the interpolation.
      inner = inner.replace(/^~/, '').replace(/~$/, '').trim();
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push({ kind: 'interpolation', expression: inner });
      i = end + 1;
      continue;
    }
    literal += ch;
    i++;
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  return parts;
}

function decodeEscape(s: string, i: number): { text: string; next: number } | undefined {
  const c = s[i + 1];
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
  if (c !== undefined && simple[c] !== undefined) return { text: simple[c]!, next: i + 2 };
  if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return { text: String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16)), next: i + 6 };
  if (c === 'U' && /^[0-9a-fA-F]{8}$/.test(s.slice(i + 2, i + 10))) return { text: String.fromCodePoint(parseInt(s.slice(i + 2, i + 10), 16)), next: i + 10 };
  return undefined;
}

/** Index of the `}` closing an interpolation whose content starts at `from` (nested braces and strings skipped). */
function interpolationEnd(s: string, from: number): number | undefined {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"') {
      // A string inside the interpolation: skip to its closing quote (escapes and nested templates included).
      i++;
      let nested = 0;
      for (; i < s.length; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '$' && s[i + 1] === '{') {
          nested++;
          i++;
        } else if (s[i] === '}' && nested > 0) nested--;
        else if (s[i] === '"' && nested === 0) break;
      }
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/**
 * Native HCL source for parts: a bare expression for a lone interpolation, else a quoted template
 * (literal text escaped as src/hcl/print.ts quotes strings; a `$` or `%` just before an
 * interpolation is written as a \u escape so it does not turn `${` into the `$${` escape).
 */
export function partsToHcl(parts: readonly TemplatePart[]): string {
  if (parts.length === 1 && parts[0]!.kind === 'interpolation') return parts[0]!.expression;
  const body = parts.map((p, i) => {
    if (p.kind === 'interpolation') return '${' + p.expression + '}';
    const quoted = quoteHcl(p.text).slice(1, -1);
    const last = p.text.at(-1);
    return parts[i + 1]?.kind === 'interpolation' && (last === '$' || last === '%') ? `${quoted.slice(0, -1)}\\u00${last === '$' ? '24' : '25'}` : quoted;
  });
  return `"${body.join('')}"`;
}

/** Merges adjacent literals and drops empty ones. */
export function normalizeParts(parts: readonly TemplatePart[]): TemplatePart[] {
  const out: TemplatePart[] = [];
  for (const p of parts) {
    if (p.kind === 'literal') {
      if (p.text === '') continue;
      const last = out.at(-1);
      if (last?.kind === 'literal') out[out.length - 1] = { kind: 'literal', text: last.text + p.text };
      else out.push(p);
    } else out.push(p);
  }
  return out;
}

/**
 * Replaces, in the literal parts only, every occurrence of each `[value, parts]` substitution
 * (longest value first) by those parts. Used to write a derived URL with the variables that hold
 * its version or file name instead of freezing their current values.
 */
export function substitute(parts: readonly TemplatePart[], substitutions: ReadonlyArray<readonly [string, readonly TemplatePart[]]>): TemplatePart[] {
  const subs = [...substitutions].filter(([v]) => v !== '').sort((a, b) => b[0].length - a[0].length);
  let current: TemplatePart[] = [...parts];
  for (const [value, replacement] of subs) {
    const next: TemplatePart[] = [];
    for (const part of current) {
      if (part.kind !== 'literal' || !part.text.includes(value)) {
        next.push(part);
        continue;
      }
      const pieces = part.text.split(value);
      pieces.forEach((piece, k) => {
        if (k > 0) next.push(...replacement.map((r) => ({ ...r })));
        next.push({ kind: 'literal', text: piece });
      });
    }
    current = normalizeParts(next);
  }
  return normalizeParts(current);
}

/** The literal text of parts, or undefined when they contain an interpolation. */
export function literalText(parts: readonly TemplatePart[]): string | undefined {
  return parts.every((p) => p.kind === 'literal') ? parts.map((p) => (p as { text: string }).text).join('') : undefined;
}
