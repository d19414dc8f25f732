// Validation of ISO specs: first the values hclx needs but cannot know (an iso_download_pve spec
// whose URL comes from vault(), say), then the JSON Schemas in schemas/ (one per plugin generation),
// with every schema error mapped back to the file:line:col of the attribute it concerns, then the
// iso_checksum rules Packer applies (src/resolve/checksum.ts), which a pattern cannot state.
// Every command reads templates through here, so a rule added here holds for all of them.
// The schemas are compiled at build time (scripts/compile-schemas.mjs → src/generated/iso-schemas.ts, run
// `npm run schemas` after changing one): loading ajv and compiling them cost every run ~80 ms.

import type { ErrorObject, ValidateFunction } from 'ajv';
import { TemplateError, TemplateErrors } from '../errors.js';
import type { HclxError, SourceRange } from '../errors.js';
import { parseChecksumSpec } from '../resolve/checksum.js';
import { isUnknown } from '../hcl/model.js';
import type { Value } from '../hcl/model.js';
import { DOWNLOAD_FIELDS, ISO_FIELD_NAMES, wantsPveDownload } from './iso-spec.js';
import type { IsoFieldName, IsoSpec } from './iso-spec.js';
import { describeUnknown } from './unknown.js';
import { legacyAdditional, legacyTopLevel, modern } from '../generated/iso-schemas.js';

export type IsoSchemaId = 'modern' | 'legacy-top-level' | 'legacy-additional';

/** schemas/iso-block.modern, iso-top-level.legacy and iso-additional.legacy.schema.json, precompiled. */
const VALIDATORS: Record<IsoSchemaId, ValidateFunction> = {
  modern,
  'legacy-top-level': legacyTopLevel,
  'legacy-additional': legacyAdditional,
};

function validator(id: IsoSchemaId): ValidateFunction {
  return VALIDATORS[id];
}

/** The schema an input spec is checked against: the plugin generation its syntax belongs to. */
export function schemaForSpec(spec: IsoSpec): IsoSchemaId {
  return spec.kind === 'top-level' ? 'legacy-top-level' : 'modern';
}

const BOOLEAN_FIELDS = new Set<string>(['iso_download_pve', 'unmount', 'unmount_iso', 'keep_cdrom_device']);
const LIST_FIELDS = new Set<string>(['iso_urls', 'cd_files']);

/** One schema violation, before it is tied to a place. */
export interface SchemaProblem {
  /** The field concerned, when there is one. */
  field?: string;
  message: string;
  /** What to do, when the schema says (`x-hclx-hint`). */
  hint?: string;
}

/**
 * Converts values as the plugin's decoder does (cty: "true" → true, 3 → "3"), and drops what Go
 * treats as unset (null, ""). Returns the object to validate and the fields that are unknown.
 */
export function specObject(fields: Partial<Record<string, Value>>): { object: Record<string, unknown>; unknown: Set<string> } {
  const object: Record<string, unknown> = {};
  const unknown = new Set<string>();
  for (const [name, raw] of Object.entries(fields)) {
    if (raw === undefined) continue;
    if (isUnknown(raw) || (Array.isArray(raw) && raw.some(isUnknown))) {
      unknown.add(name);
      continue;
    }
    if (raw === null || raw === '') continue;
    let value: unknown = raw;
    if (BOOLEAN_FIELDS.has(name) && (raw === 'true' || raw === 'false')) value = raw === 'true';
    else if (name === 'index' && typeof raw === 'number') value = String(raw);
    else if (LIST_FIELDS.has(name) && Array.isArray(raw)) value = raw.map((v) => (typeof v === 'number' ? String(v) : v));
    object[name] = value;
  }
  return { object, unknown };
}

/** Validates a plain object against one of the ISO schemas; problems concerning unknown fields are left out. */
export function validateIsoObject(object: Record<string, unknown>, schema: IsoSchemaId, unknown: ReadonlySet<string> = new Set()): SchemaProblem[] {
  const fn = validator(schema);
  if (fn(object)) return [];
  const problems = new Map<string, { field?: string; message: string; hint?: string; missing: string[] }>();
  for (const error of fn.errors ?? []) {
    const problem = describeSchemaError(error, object);
    if (!problem) continue;
    if (problem.missing?.some((m) => unknown.has(m)) || (problem.field && unknown.has(problem.field))) continue;
    const key = `${problem.field ?? ''}\u0000${problem.message}`;
    const entry = problems.get(key) ?? { field: problem.field, message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}), missing: [] };
    const missing = problem.missing && problem.missing.length > 0 ? problem.missing.join(' or ') : undefined;
    if (missing && !entry.missing.includes(missing)) entry.missing.push(missing);
    problems.set(key, entry);
  }
  return [...problems.values()].map((p) => ({
    ...(p.field !== undefined ? { field: p.field } : {}),
    ...(p.hint ? { hint: p.hint } : {}),
    message: p.missing.length > 0 && p.field === undefined ? `${p.message} (missing: ${p.missing.join(', ')})` : p.message,
  }));
}

interface DescribedError extends SchemaProblem {
  missing?: string[];
}

function describeSchemaError(error: ErrorObject, object: Record<string, unknown>): DescribedError | undefined {
  const custom = (error.parentSchema as Record<string, unknown> | undefined)?.['x-hclx-message'] as string | undefined;
  const hint = (error.parentSchema as Record<string, unknown> | undefined)?.['x-hclx-hint'] as string | undefined;
  const field = error.instancePath.split('/')[1];
  switch (error.keyword) {
    case 'if':
    case 'anyOf':
      // `if` only says "must match then"; the `then` errors carry the detail. anyOf errors are
      // reported once through the parent's message below.
      if (error.keyword === 'anyOf' && custom) return { message: custom, missing: anyOfMissing(error) };
      return undefined;
    case 'required': {
      // A branch of an anyOf: the anyOf error itself carries the message.
      if (/\/anyOf\/\d+\/required$/.test(error.schemaPath)) return undefined;
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { message: custom ?? `${missing} is required`, missing: [missing] };
    }
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      return { field: name, message: `${name} is not an argument of this block for this plugin version` };
    }
    case 'not':
      return { message: custom ?? 'has conflicting settings', missing: [] };
    case 'enum':
    case 'pattern':
    case 'type':
    case 'minLength':
    case 'minItems':
    case 'minimum':
    case 'const': {
      const shown = field !== undefined ? JSON.stringify(object[field]) : '';
      return { field, message: `${field} = ${shown} ${custom ?? schemaTypeMessage(error)}`, ...(hint ? { hint } : {}) };
    }
    default:
      return { field, message: `${field ?? 'block'} ${error.message ?? 'is invalid'}` };
  }
}

function anyOfMissing(error: ErrorObject): string[] {
  const branches = ((error.schema as Array<{ required?: string[] }>) ?? []).flatMap((b) => b.required ?? []);
  return branches;
}

function schemaTypeMessage(error: ErrorObject): string {
  if (error.keyword === 'type') return `must be a ${String((error.params as { type: string }).type)}`;
  if (error.keyword === 'enum') return `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  return error.message ?? 'is invalid';
}

/**
 * Problems with values hclx needs but cannot know: whether the spec downloads on the node, and for
 * one that does, its URLs, checksum and storage (and that iso_file is unset).
 */
export function unknownNeededFields(spec: IsoSpec): HclxError[] {
  const errors: HclxError[] = [];
  const flag = spec.fields.iso_download_pve;
  if (flag && isUnknown(flag.value)) {
    errors.push(unknownFieldError(spec, 'iso_download_pve'));
    return errors;
  }
  if (!wantsPveDownload(spec)) return errors;
  for (const name of [...DOWNLOAD_FIELDS, 'iso_file'] as IsoFieldName[]) {
    const f = spec.fields[name];
    if (!f) continue;
    const v = f.value;
    if (isUnknown(v) || (Array.isArray(v) && v.some(isUnknown))) errors.push(unknownFieldError(spec, name));
  }
  return errors;
}

function unknownFieldError(spec: IsoSpec, name: IsoFieldName): TemplateError {
  const field = spec.fields[name]!;
  const value = field.value;
  const unknown = isUnknown(value) ? value : (value as Value[]).find(isUnknown)!;
  const { reason, hint } = describeUnknown(field.attribute.expr, isUnknown(unknown) ? unknown : undefined);
  return new TemplateError(`${spec.label}: hclx needs the value of ${name} = ${oneLine(field.attribute.expr.text)} but cannot evaluate it: ${reason}.`, {
    code: 'E_ISO_UNKNOWN',
    range: field.attribute.range,
    hint,
  });
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

/** All problems of one spec: needed-but-unknown values first, then schema violations, then the checksum rules. */
export function validateIsoSpec(spec: IsoSpec): HclxError[] {
  const needed = unknownNeededFields(spec);
  if (needed.length > 0) return needed;
  const values: Partial<Record<string, Value>> = {};
  for (const name of ISO_FIELD_NAMES) if (spec.fields[name]) values[name] = spec.fields[name]!.value;
  const { object, unknown } = specObject(values);
  if (spec.kind !== 'top-level') for (const attr of spec.otherAttributes) object[attr.name] = null;
  const problems = validateIsoObject(object, schemaForSpec(spec), unknown);
  const errors: HclxError[] = problems.map((p) => problemError(spec, p));
  if (!problems.some((p) => p.field === 'iso_checksum')) {
    const checksum = checksumError(spec);
    if (checksum) errors.push(checksum);
  }
  return errors;
}

/**
 * iso_checksum as Packer reads it, without fetching anything: a typed value must have its
 * algorithm's length ("sha256:abc" passes the schema's pattern but no run would accept it).
 */
function checksumError(spec: IsoSpec): TemplateError | undefined {
  const field = spec.fields.iso_checksum;
  if (!field || typeof field.value !== 'string' || field.value === '') return undefined;
  try {
    parseChecksumSpec(field.value, { range: field.attribute.range });
    return undefined;
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return new TemplateError(`${spec.label}: ${e.message}`, { code: e.code, range: field.attribute.range, ...(e.hint ? { hint: e.hint } : {}) });
  }
}

function problemError(spec: IsoSpec, problem: SchemaProblem): TemplateError {
  if (problem.field === undefined) {
    // A required setting may be written but evaluate to "" or null, which the plugin treats as unset.
    const empty = Object.values(spec.fields).filter((f) => f && (f.value === '' || f.value === null) && problem.message.includes(f.name));
    if (empty.length > 0) problem = { ...problem, message: `${problem.message} (${empty.map((f) => `${f!.name} = ${oneLine(f!.attribute.expr.text)} evaluates to ${JSON.stringify(f!.value)}`).join(', ')})` };
  }
  const attr = problem.field ? (spec.fields[problem.field as IsoFieldName]?.attribute ?? spec.otherAttributes.find((a) => a.name === problem.field)) : undefined;
  const range: SourceRange = attr?.range ?? spec.range;
  return new TemplateError(`${spec.label}: ${problem.message}.`, {
    code: 'E_ISO_SCHEMA',
    range,
    hint: problem.hint ?? hintFor(problem),
  });
}

function hintFor(problem: SchemaProblem): string {
  if (problem.field === 'iso_file') return 'Write it as "<storage>:iso/<file name>", e.g. "local:iso/debian-12.7.0-amd64-netinst.iso".';
  if (problem.field === 'iso_storage_pool') return 'Set iso_storage_pool to the id of a file-based storage that accepts ISO images, e.g. "local".';
  if (problem.field === 'iso_checksum') return 'Use e.g. iso_checksum = "sha256:<hex>" or "file:https://.../SHA256SUMS".';
  if (/iso_download_pve/.test(problem.message)) return 'Add the missing settings to the block (see `hclx render --help` and docs/reference/templates.md).';
  return 'See docs/reference/templates.md for the ISO settings hclx and the Proxmox plugin accept.';
}

/**
 * Validates every spec. Problems of a spec hclx rewrites (iso_download_pve = true, or unknown) are
 * errors, thrown together (exit 2); problems of other specs are only warnings, because hclx copies
 * those unchanged and leaves judging them to `packer validate`.
 */
export function validateIsoSpecs(specs: readonly IsoSpec[], warn: (message: string) => void = () => undefined): void {
  const errors: HclxError[] = [];
  for (const spec of specs) {
    const problems = validateIsoSpec(spec);
    // Extraction has already converted the flag as Packer does: true, false, null or unknown.
    if (wantsPveDownload(spec) || isUnknown(spec.fields.iso_download_pve?.value)) errors.push(...problems);
    else for (const p of problems) warn(`${p.describe()} (hclx leaves this ISO as it is)`);
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new TemplateErrors(errors);
}
