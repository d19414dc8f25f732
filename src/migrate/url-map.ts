// `--url-map FILE`: the user's own table of where ISOs come from, for names the catalogue does not
// know (or knows differently). YAML or JSON, validated against schemas/url-map.schema.json; every
// problem is reported with the file, line and column of the offending key or value.

import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { UsageError } from '../errors.js';
import type { SourceRange } from '../errors.js';
// Compiled at build time by scripts/compile-schemas.mjs (`npm run schemas` after changing the schema).
import { urlMap as validator } from '../generated/url-map-schema.js';

export interface UrlMapEntry {
  url: string;
  /** Any iso_checksum form (`sha256:<hex>`, bare hex, `file:<url>`, `none`). */
  checksum: string;
  /** Where the entry's key is in the map file. */
  range: SourceRange;
}

/** ISO file name → where to download it. */
export type UrlMap = ReadonlyMap<string, UrlMapEntry>;

/** Validates against schemas/url-map.schema.json. */
function validate(data: unknown): ErrorObject[] {
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

function rangeAt(file: string, counter: LineCounter, offsets: [number, number]): SourceRange {
  const start = counter.linePos(offsets[0]);
  const end = counter.linePos(offsets[1]);
  return { file, start: { line: start.line, column: start.col, offset: offsets[0] }, end: { line: end.line, column: end.col, offset: offsets[1] } };
}

/** The node an ajv instancePath points at (for propertyNames errors: the key itself). */
function nodeFor(doc: Document, error: ErrorObject): Node | undefined {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const keyName = error.keyword === 'propertyNames' ? (error.params as { propertyName?: string }).propertyName : undefined;
  const container = path.length === 0 ? doc.contents : (doc.getIn(path, true) as Node | undefined);
  if (keyName !== undefined && isMap(container)) {
    const pair = container.items.find((p) => isScalar(p.key) && String(p.key.value) === keyName);
    return (pair?.key as Node | undefined) ?? container;
  }
  return container ?? undefined;
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const subject = where.length === 0 ? 'the map' : where.length === 1 ? `entry '${where[0]}'` : `${where.slice(1).join('.')} of '${where[0]}'`;
  switch (error.keyword) {
    case 'propertyNames':
      return `'${(error.params as { propertyName?: string }).propertyName}' is not an ISO file name (a name without directories, ending in .iso or .img).`;
    case 'required':
      return `${subject} has no '${(error.params as { missingProperty: string }).missingProperty}'.`;
    case 'additionalProperties':
      return `${subject} has an unknown key '${(error.params as { additionalProperty: string }).additionalProperty}' (only 'url' and 'checksum' are allowed).`;
    case 'type':
      return `${subject} must be ${where.length <= 1 ? 'a mapping of ISO names to { url, checksum }' : 'a string'}.`;
    case 'pattern':
      return `${subject} is not an http(s) URL (Proxmox downloads only http and https URLs).`;
    case 'anyOf':
      return `${subject} is not a checksum: use md5:/sha1:/sha256:/sha512:<hex>, bare hex, file:<url of a checksum file>, or none.`;
    default:
      return `${subject} ${error.message ?? 'is invalid'}.`;
  }
}

/** Parses and validates the text of a url-map file. Throws UsageError (exit 2) naming file:line:col. */
export function parseUrlMap(text: string, displayPath: string): UrlMap {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new UsageError(`the --url-map file is not valid YAML or JSON: ${syntax.message.split('\n')[0]}.`, {
      range: rangeAt(displayPath, counter, [syntax.pos[0], syntax.pos[1]]),
      hint: 'Write one entry per ISO name: `<name>.iso: { url: https://..., checksum: "file:https://.../SHA256SUMS" }`.',
    });
  }
  const data: unknown = doc.toJS() ?? {};
  // Ajv reports a mismatch inside `anyOf` once per branch and a bad key twice (its pattern, then
  // propertyNames); the enclosing error says it all.
  const errors = validate(data).filter(
    (e) => !(e.schemaPath.includes('/anyOf/') && e.keyword !== 'anyOf') && !(e.schemaPath.includes('/propertyNames/') && e.keyword !== 'propertyNames'),
  );
  if (errors.length > 0) {
    // Report the first problem in file order, so the message points where the user starts reading.
    const located = errors.map((e) => {
      const node = nodeFor(doc, e);
      return { error: e, range: node?.range ? rangeAt(displayPath, counter, [node.range[0], node.range[1]]) : undefined };
    });
    located.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
    const first = located[0]!;
    throw new UsageError(describeSchemaError(first.error) + (located.length > 1 ? ` (${located.length - 1} more problem${located.length > 2 ? 's' : ''} in this file)` : ''), {
      range: first.range ?? rangeAt(displayPath, counter, [0, 0]),
      hint: 'Each entry is `<name>.iso: { url: https://..., checksum: sha256:<hex> | file:<url> | none }` (see `hclx migrate --help`).',
    });
  }
  const map = new Map<string, UrlMapEntry>();
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const name = String((pair.key as { value?: unknown }).value);
      const value = (data as Record<string, { url: string; checksum: string }>)[name]!;
      const keyRange = (pair.key as Node).range;
      map.set(name, { url: value.url, checksum: value.checksum, range: rangeAt(displayPath, counter, keyRange ? [keyRange[0], keyRange[1]] : [0, 0]) });
    }
  }
  return map;
}

/** Reads a url-map file (YAML or JSON). */
export async function loadUrlMap(path: string, displayPath = path): Promise<UrlMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the --url-map file '${displayPath}' (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}).`, {
      hint: 'Pass the path of a YAML or JSON file that maps ISO names to { url, checksum }.',
    });
  }
  return parseUrlMap(text, displayPath);
}
