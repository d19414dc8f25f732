// Printing new values as source text: HCL literals (hclwrite.Format style) and JSON-syntax values.
// Only new text is printed; existing text is never re-printed.

import { InternalError } from '../errors.js';
import { isUnknown, type Value } from './model.js';
import { formatNumber, isObject } from './values.js';

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}-]*$/u;

/** A quoted HCL string: escapes, and `${`/`%{` doubled so they stay literal text. */
export function quoteHcl(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((ch === '$' || ch === '%') && s[i + 1] === '{') out += `${ch}${ch}`;
    // `$$${` is read differently by parsers; a `$` before another `$` is written as \u0024.
    else if ((ch === '$' || ch === '%') && s[i + 1] === ch) out += `\\u00${c.toString(16)}`;
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** An object key or block label as HCL writes it: bare when it is an identifier. */
export function hclKey(k: string): string {
  return IDENTIFIER.test(k) ? k : quoteHcl(k);
}

/**
 * An HCL literal for a value. Nested lines are indented from `indent` (the indentation of the line
 * the value starts on) by two spaces, as `packer fmt` does.
 */
export function printValue(value: Value, indent = ''): string {
  if (value === null) return 'null';
  if (isUnknown(value)) throw new InternalError(`cannot print an unknown value (${value.reason})`);
  if (typeof value === 'string') return quoteHcl(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = value.every((v) => v === null || typeof v !== 'object');
    const one = `[${value.map((v) => printValue(v, indent)).join(', ')}]`;
    if (flat && one.length <= 80) return one;
    return `[\n${value.map((v) => `${inner}${printValue(v, inner)},\n`).join('')}${indent}]`;
  }
  if (!isObject(value)) throw new InternalError('unexpected value');
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  const width = Math.max(...keys.map((k) => hclKey(k).length));
  return `{\n${keys.map((k) => `${inner}${hclKey(k).padEnd(width)} = ${printValue(value[k] as Value, inner)}\n`).join('')}${indent}}`;
}

/** A JSON string whose content is an HCL template: literal `${`/`%{` are doubled. */
export function jsonTemplateString(s: string): string {
  return JSON.stringify(s.replace(/([$%])\{/g, '$1$1{'));
}

/** A JSON value (strings are templates in HCL's JSON syntax, so they are escaped as such). */
export function printJsonValue(value: Value, indent = '', unit = '  '): string {
  if (value === null) return 'null';
  if (isUnknown(value)) throw new InternalError(`cannot print an unknown value (${value.reason})`);
  if (typeof value === 'string') return jsonTemplateString(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const inner = indent + unit;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const one = `[${value.map((v) => printJsonValue(v, indent, unit)).join(', ')}]`;
    if (value.every((v) => v === null || typeof v !== 'object') && one.length <= 80) return one;
    return `[\n${value.map((v) => inner + printJsonValue(v, inner, unit)).join(',\n')}\n${indent}]`;
  }
  if (!isObject(value)) throw new InternalError('unexpected value');
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${printJsonValue(value[k] as Value, inner, unit)}`).join(',\n')}\n${indent}}`;
}
