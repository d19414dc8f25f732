// IsoSpec + target volid → text edits, in the chosen dialect. A rewritten spec loses every
// download-only setting (iso_url, iso_urls, iso_checksum, iso_download_pve, iso_storage_pool,
// iso_target_path, iso_target_extension; their comments stay) and gains `iso_file = "<volid>"`
// where iso_url was; everything else stays. Blocks shared by several builds (a top-level source
// used by build-level overrides) are edited once, and only when every use agrees.

import { TemplateError, TemplateErrors } from '../errors.js';
import type { HclxError } from '../errors.js';
import { isUnknown } from '../hcl/model.js';
import type { Attribute, Block, BodyItem, Expression, SourceFile, TextEdit, Value } from '../hcl/model.js';
import { DOWNLOAD_FIELDS, isoUrls } from '../template/iso-spec.js';
import type { IsoFieldName, IsoSpec } from '../template/iso-spec.js';
import { specObject, validateIsoObject } from '../template/validate.js';
import type { IsoSchemaId } from '../template/validate.js';
import { removeItems, replaceWithAttributes, replaceWithBlock } from '../hcl/edit.js';
import { withFmtAlignment } from '../hcl/align.js';
import type { BlockSpec, NewAttribute } from '../hcl/edit.js';
import type { Dialect, DialectChoice } from './dialect.js';
import { expandDynamicBlock } from './dynamic.js';

export interface RewriteTarget {
  spec: IsoSpec;
  /** `<storage>:iso/<name>` the spec's ISO is (or will be) stored as. */
  volid: string;
}

/** One rewritten ISO, for the report. */
export interface RewriteChange {
  label: string;
  /** What the ISO was: its URL (or the first of iso_urls). */
  from: string;
  to: string;
  /** How it is written now, e.g. `boot_iso { iso_file }` or `top-level iso_file`. */
  form: string;
}

export interface RewriteResult {
  /** Edits by absolute file path (only files that change). */
  edits: Map<string, TextEdit[]>;
  changes: RewriteChange[];
  warnings: string[];
}

// Compared (opKey) to find builds that need different rewrites of one shared setting.
type Op = { kind: 'remove' } | { kind: 'attrs'; attrs: NewAttribute[] } | { kind: 'blocks'; blocks: BlockSpec[] };

interface PlannedOp {
  item: BodyItem;
  op: Op;
  by: IsoSpec;
}

const REMOVED_FIELDS: readonly IsoFieldName[] = [...DOWNLOAD_FIELDS, 'iso_file'];

export function rewriteSpecs(allSpecs: readonly IsoSpec[], targets: readonly RewriteTarget[], choice: DialectChoice): RewriteResult {
  const ops = new Map<string, PlannedOp>();
  const errors: HclxError[] = [];
  const warnings: string[] = [];
  const changes: RewriteChange[] = [];
  const plan = (item: BodyItem, op: Op, by: IsoSpec) => {
    const key = itemKey(item);
    const existing = ops.get(key);
    if (existing && opKey(existing.op) !== opKey(op)) {
      errors.push(
        new TemplateError(`${existing.by.label} and ${by.label} share this setting but need different rewrites.`, {
          code: 'E_SHARED_ISO',
          range: item.range,
          hint: 'Move the ISO settings that differ between the builds into their build-level source blocks.',
        }),
      );
      return;
    }
    ops.set(key, { item, op, by });
  };

  const targeted = new Set(targets.map((t) => t.spec));
  const dynamicDone = new Set<string>();
  for (const { spec, volid } of targets) {
    try {
      const form = planSpec(spec, volid, choice, plan, warnings, allSpecs, targets, dynamicDone);
      changes.push({ label: spec.label, from: describeOrigin(spec), to: volid, form });
    } catch (e) {
      if (e instanceof TemplateError) errors.push(e);
      else throw e;
    }
  }
  // A setting removed for one build must not be needed as it was by another build of the same source.
  for (const spec of allSpecs) {
    if (targeted.has(spec)) continue;
    for (const field of Object.values(spec.fields)) {
      const planned = field && ops.get(itemKey(field.attribute));
      if (planned) {
        errors.push(
          new TemplateError(`${planned.by.label} is rewritten, but ${spec.label} uses the same ${field.name} setting without downloading on the node.`, {
            code: 'E_SHARED_ISO',
            range: field.attribute.range,
            hint: 'Set iso_download_pve for every build of this source, or move the ISO settings into the build-level source blocks.',
          }),
        );
        break;
      }
    }
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new TemplateErrors(errors);

  // Comments survive: a replaced item's stay above (and beside) what takes its place, a removed
  // one's stay where they were (a same-line comment as a line of its own); an attribute that
  // becomes a block carries its comments into it. Then the `=` and comment runs the edits touched
  // are laid out as packer fmt lays them, so a fmt-clean template stays fmt-clean.
  const all: TextEdit[] = [];
  const removed: BodyItem[] = [];
  const files = new Map<string, SourceFile>();
  for (const { item, op } of ops.values()) {
    files.set(item.parent.file.path, item.parent.file);
    if (op.kind === 'remove') removed.push(item);
    else if (op.kind === 'attrs') all.push(...replaceWithAttributes(item, op.attrs, { keepLeadComments: true, keepTrailingComment: item.kind === 'attribute' }));
    else all.push(...replaceWithBlock(item, op.blocks, { keepLeadComments: item.kind === 'block' }));
  }
  all.push(...removeItems(removed, { keepComments: true }));
  const edits = new Map<string, TextEdit[]>();
  for (const e of all) edits.set(e.file, [...(edits.get(e.file) ?? []), e]);
  for (const [path, list] of edits) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    const file = files.get(path);
    if (file) edits.set(path, withFmtAlignment(file, list));
  }
  return { edits, changes, warnings };
}

type PlanFn = (item: BodyItem, op: Op, by: IsoSpec) => void;

function planSpec(
  spec: IsoSpec,
  volid: string,
  choice: DialectChoice,
  plan: PlanFn,
  warnings: string[],
  allSpecs: readonly IsoSpec[],
  targets: readonly RewriteTarget[],
  dynamicDone: Set<string>,
): string {
  const json = spec.range.file.endsWith('.json') || (spec.block ?? spec.source.block).parent.file.syntax === 'json';
  const dialect: Dialect = choice.dialect;
  const isoFile: NewAttribute = { name: 'iso_file', value: volid };

  if (spec.dynamic) {
    if (json) throw unsupported(spec, 'a dynamic block in HCL JSON syntax');
    if (spec.kind === 'boot_iso' && dialect === 'legacy') throw unsupported(spec, 'a dynamic "boot_iso" block with --target legacy (the legacy boot ISO is top-level iso_file)');
    const key = itemKey(spec.dynamic.block);
    if (!dynamicDone.has(key)) {
      dynamicDone.add(key);
      const instances = allSpecs.filter((s) => s.dynamic && itemKey(s.dynamic.block) === key);
      const volids = new Map(targets.filter((t) => instances.includes(t.spec)).map((t) => [t.spec, t.volid]));
      const expansion = expandDynamicBlock(spec.dynamic.block, instances, volids, dialect, warnings);
      plan(spec.dynamic.block, { kind: 'blocks', blocks: expansion.blocks }, spec);
      for (const [instance, object] of expansion.outputs) checkOutput(instance, object, dialect === 'legacy' && spec.kind === 'additional_iso_files' ? 'legacy-additional' : 'modern');
    }
    return `${spec.kind} { iso_file } (dynamic block expanded)`;
  }

  const anchor = anchorField(spec);
  const removed = REMOVED_FIELDS.filter((f) => spec.fields[f] && spec.fields[f]!.attribute !== anchor);

  if (spec.kind === 'boot_iso' && dialect === 'legacy') {
    if (json) throw unsupported(spec, 'converting boot_iso to top-level fields in HCL JSON syntax');
    const unmount = spec.fields.unmount;
    const attrs: NewAttribute[] = [isoFile];
    if (unmount) attrs.push({ name: 'unmount_iso', source: unmount.attribute.expr });
    for (const f of ['type', 'index', 'keep_cdrom_device'] as const) {
      if (spec.fields[f]) warnings.push(`${spec.label}: ${f} is dropped; the legacy boot ISO is always attached as ide2 (Packer <= 1.6, plugin < 1.2).`);
    }
    plan(spec.block!, { kind: 'attrs', attrs }, spec);
    checkOutput(spec, { iso_file: volid, ...(unmount ? { unmount_iso: unmount.value } : {}) }, 'legacy-top-level');
    return 'top-level iso_file (from boot_iso)';
  }

  if (spec.kind === 'top-level' && dialect === 'modern' && choice.target === 'modern') {
    if (json) throw unsupported(spec, 'converting top-level ISO fields to a boot_iso block in HCL JSON syntax');
    const unmount = spec.fields.unmount_iso;
    const attrs: NewAttribute[] = [{ ...isoFile, commentsFrom: anchor }, ...(unmount ? [{ name: 'unmount', source: unmount.attribute.expr }] : [])];
    plan(anchor, { kind: 'blocks', blocks: [{ type: 'boot_iso', labels: [], attrs }] }, spec);
    for (const f of removed) plan(spec.fields[f]!.attribute, { kind: 'remove' }, spec);
    if (unmount && unmount.attribute !== anchor) plan(unmount.attribute, { kind: 'remove' }, spec);
    checkOutput(spec, { iso_file: volid, ...(unmount ? { unmount: unmount.value } : {}) }, 'modern');
    return 'boot_iso { iso_file } (from top-level fields)';
  }

  const attrs: NewAttribute[] = [isoFile];
  const kept: Record<string, Value> = {};
  for (const [name, field] of Object.entries(spec.fields)) if (field && !REMOVED_FIELDS.includes(name as IsoFieldName)) kept[name] = field.value;
  if (spec.kind === 'additional_iso_files' && dialect === 'legacy') {
    const device = legacyDevice(spec, warnings);
    for (const f of ['type', 'index', 'keep_cdrom_device'] as const) {
      if (spec.fields[f]) {
        plan(spec.fields[f]!.attribute, { kind: 'remove' }, spec);
        delete kept[f];
      }
    }
    if (device !== undefined && !spec.fields.device) {
      attrs.push({ name: 'device', value: device });
      kept.device = device;
    }
  }
  plan(anchor, { kind: 'attrs', attrs }, spec);
  for (const f of removed) plan(spec.fields[f]!.attribute, { kind: 'remove' }, spec);
  const schema: IsoSchemaId = spec.kind === 'top-level' ? 'legacy-top-level' : dialect === 'legacy' ? 'legacy-additional' : 'modern';
  checkOutput(spec, { ...kept, iso_file: volid }, schema);
  return spec.kind === 'top-level' ? 'top-level iso_file' : `${spec.kind} { iso_file }`;
}

/** Where the new iso_file goes: where iso_url (else iso_urls, else the first download setting) was. */
function anchorField(spec: IsoSpec): Attribute {
  const field = spec.fields.iso_url ?? spec.fields.iso_urls ?? REMOVED_FIELDS.map((f) => spec.fields[f]).find((f) => f !== undefined);
  if (!field) throw new TemplateError(`${spec.label}: nothing to rewrite.`, { range: spec.range });
  return field.attribute;
}

/** plugin < 1.2 names the bus as `device = "sata3"`; derive it from type and index when both are known. */
export function legacyDevice(spec: IsoSpec, warnings: string[]): string | undefined {
  const type = spec.fields.type?.value;
  const index = spec.fields.index?.value;
  if (spec.fields.keep_cdrom_device) warnings.push(`${spec.label}: keep_cdrom_device is dropped; plugin < 1.2 always keeps the (emptied) drive.`);
  if (type === undefined && index === undefined) return undefined;
  if (typeof type === 'string' && (typeof index === 'string' || typeof index === 'number') && String(index) !== '') return `${type}${index}`;
  warnings.push(`${spec.label}: type/index cannot be written as a legacy device (${JSON.stringify(type ?? null)}, ${JSON.stringify(index ?? null)}); the ISO gets plugin < 1.2's default device ide3.`);
  return undefined;
}

function checkOutput(spec: IsoSpec, fields: Record<string, Value>, schema: IsoSchemaId): void {
  const { object, unknown } = specObject(fields);
  const problems = validateIsoObject(object, schema, unknown);
  if (problems.length > 0) {
    throw new TemplateError(`${spec.label}: after the rewrite the ISO settings would not be valid for the ${schema} schema: ${problems.map((p) => p.message).join('; ')}.`, {
      code: 'E_REWRITE_SCHEMA',
      range: spec.range,
      hint: 'Choose another --target, or fix the settings named above.',
    });
  }
}

function unsupported(spec: IsoSpec, what: string): TemplateError {
  return new TemplateError(`${spec.label}: hclx cannot rewrite ${what}.`, {
    code: 'E_REWRITE_UNSUPPORTED',
    range: spec.range,
    hint: 'Use --target auto (which keeps each ISO in the form it is written in) or write the block out by hand.',
  });
}

function describeOrigin(spec: IsoSpec): string {
  const urls = isoUrls(spec);
  if (urls.length === 0) return '(no URL)';
  return urls.length === 1 ? urls[0]! : `${urls[0]} (+${urls.length - 1} mirror${urls.length > 2 ? 's' : ''})`;
}

/** An operation as comparable text (a copied expression stands for its place in the file). */
function opKey(op: Op): string {
  return JSON.stringify(op, (key, value: unknown) => (key === 'source' ? `${(value as Expression).range.file}:${(value as Expression).range.start.offset}` : value));
}

export function itemKey(item: BodyItem | Block): string {
  return `${item.range.file}\u0000${item.range.start.offset}\u0000${item.range.end.offset}`;
}

export function isKnown(v: Value | undefined): boolean {
  return v !== undefined && !isUnknown(v);
}
