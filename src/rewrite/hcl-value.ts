// Prints a known value as native HCL (or JSON) literal text, for attributes hclx writes itself.

import { InternalError } from '../errors.js';
import { isUnknown } from '../hcl/model.js';
import type { Value } from '../hcl/model.js';

/** An HCL string literal: quotes, backslashes, control characters, and template sequences escaped. */
export function hclString(s: string): string {
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{');
  return `"${body}"`;
}

export function printHclValue(value: Value): string {
  if (isUnknown(value)) throw new InternalError('cannot print an unknown value');
  if (value === null) return 'null';
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printHclValue).join(', ')}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : hclString(k)} = ${printHclValue(v)}`).join(', ')} }`;
}

/** JSON text of a value in HCL's JSON syntax (strings are templates there: `${` must be escaped). */
export function printJsonValue(value: Value): string {
  if (isUnknown(value)) throw new InternalError('cannot print an unknown value');
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? v.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{') : v));
}
