// Extraction: every ISO a Proxmox source attaches, as an IsoSpec with evaluated values and source
// ranges. Covers boot_iso {}, additional_iso_files {} (proxmox-iso, proxmox-clone), the deprecated
// top-level fields (and the legacy type name `proxmox`), build-level `source "<type>.<name>" {}`
// blocks merged over their source (Packer forbids setting a field twice, so the merge is a union),
// and dynamic "boot_iso" / "additional_iso_files" blocks, one spec per instance.
//
// The plugin's bool settings are converted as Packer decodes them (cty: true/false, and the strings
// "true", "false", "1", "0"), so every later stage sees a JS boolean; any other value makes Packer
// refuse the template, so it is a template error here, whether or not the ISO downloads.

import { HclxError, TemplateError, TemplateErrors } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import { isUnknown, UnknownValue } from '../hcl/model.js';
import type { Attribute, Block, Body, Value } from '../hcl/model.js';
import { ATTRIBUTES_ONLY, DYNAMIC_SCHEMA, PROXMOX_SOURCE_SCHEMA, ROOT_SCHEMA } from '../hcl/json-schema.js';
import { registerSecret } from '../log.js';
import { forSource, withName } from './context.js';
import { ISO_FIELD_NAMES, TOP_LEVEL_ISO_FIELDS } from './iso-spec.js';
import type { ConnectionField, ConnectionSetting, DynamicInstance, IsoBlockKind, IsoDialectSeen, IsoField, IsoFieldName, IsoSpec, IsoSpecSource } from './iso-spec.js';
import { resolveBuildSources } from './build-sources.js';
import type { BuildSources } from './build-sources.js';
import type { Template } from './load.js';

/** Source types whose ISO blocks hclx handles. `proxmox` is Packer ≤ 1.6's alias of proxmox-iso. */
export const PROXMOX_SOURCE_TYPES = ['proxmox-iso', 'proxmox-clone', 'proxmox'] as const;

const ISO_BLOCK_TYPES = new Set(['boot_iso', 'additional_iso_files']);
const ISO_FIELDS = new Set<string>(ISO_FIELD_NAMES);

/** One way a source is built: on its own (from `sources = [...]`) or with a build-level override. */
interface SourceUse {
  source: IsoSpecSource;
}

export function extractIsoSpecs(template: Template, context: EvalContext): IsoSpec[] {
  const hasProxmoxSource = template.files.some((f) =>
    f.source.body.content(ROOT_SCHEMA).some((i) => i.kind === 'block' && i.type === 'source' && (PROXMOX_SOURCE_TYPES as readonly string[]).includes(i.labels[0]!)),
  );
  const uses = sourceUses(resolveBuildSources(template, context), context, hasProxmoxSource);
  const specs = uses.flatMap((use) => specsOfUse(use, context));
  // A source built twice (or a dynamic block's content) yields the same attribute more than once;
  // each bad attribute is reported once, with the first spec that has it.
  const problems = new Map<string, TemplateError>();
  for (const spec of specs) {
    for (const problem of convertBoolFields(spec)) if (!problems.has(placeKey(problem))) problems.set(placeKey(problem), problem);
  }
  if (problems.size === 1) throw [...problems.values()][0]!;
  if (problems.size > 1) throw new TemplateErrors([...problems.values()]);
  return specs;
}

/** The plugin's bool arguments, where each is one: in an ISO block, and among the deprecated top-level fields. */
const BLOCK_BOOL_FIELDS: readonly IsoFieldName[] = ['iso_download_pve', 'unmount', 'keep_cdrom_device'];
const TOP_LEVEL_BOOL_FIELDS: readonly IsoFieldName[] = ['iso_download_pve', 'unmount_iso'];

/** What Packer makes of a value given for a bool argument: the bool, unset/unknown as is, or why it refuses it. */
export type PackerBool = { ok: true; value: boolean | null | UnknownValue } | { ok: false; problem: string; lowercase?: 'true' | 'false' };

/**
 * cty's conversion to bool, which Packer applies to every bool argument: a bool; the strings
 * "true"/"1" and "false"/"0"; null (unset). Not numbers, not "yes", not "True" (cty asks for
 * lowercase), not lists or maps. An unknown value stays unknown.
 */
export function packerBool(value: Value): PackerBool {
  if (typeof value === 'boolean' || value === null) return { ok: true, value };
  if (isUnknown(value)) return { ok: true, value };
  if (value === 'true' || value === '1') return { ok: true, value: true };
  if (value === 'false' || value === '0') return { ok: true, value: false };
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return { ok: false, problem: `a bool is required; to convert from string, use lowercase "${lower}"`, lowercase: lower };
    return { ok: false, problem: 'a bool is required' };
  }
  return { ok: false, problem: 'bool required' };
}

/** Replaces the values of the spec's bool fields by Packer's bool; returns the fields Packer would refuse. */
function convertBoolFields(spec: IsoSpec): TemplateError[] {
  const problems: TemplateError[] = [];
  for (const name of spec.kind === 'top-level' ? TOP_LEVEL_BOOL_FIELDS : BLOCK_BOOL_FIELDS) {
    const field = spec.fields[name];
    if (!field) continue;
    const converted = packerBool(field.value);
    if (converted.ok) {
      spec.fields[name] = { ...field, value: converted.value };
      continue;
    }
    problems.push(
      new TemplateError(`${spec.label}: ${name} = ${shown(field.attribute.expr.text, field.value)} is not a bool, so Packer refuses the template (Inappropriate value for attribute "${name}": ${converted.problem}).`, {
        code: 'E_ISO_BOOL',
        range: field.attribute.range,
        hint: converted.lowercase
          ? `Write ${name} = ${converted.lowercase}.`
          : `Write ${name} = true or ${name} = false (Packer also converts the strings "true", "false", "1" and "0"; a variable used here should be declared with type = bool).`,
      }),
    );
  }
  return problems;
}

/** The expression as written, and its value when that is not what is written (a variable, say). */
function shown(text: string, value: Value): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const written = flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
  const json = JSON.stringify(value) ?? String(value);
  const valueText = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  return written === valueText ? written : `${written} (${valueText})`;
}

function placeKey(error: TemplateError): string {
  return error.range ? `${error.range.file}\u0000${error.range.start.offset}` : error.message;
}

/** Every (source, override) pair a build uses, for the Proxmox sources. */
function sourceUses(builds: BuildSources[], context: EvalContext, hasProxmoxSource: boolean): SourceUse[] {
  const uses: SourceUse[] = [];
  const plain = new Set<string>();
  const isProxmox = (block: Block) => (PROXMOX_SOURCE_TYPES as readonly string[]).includes(block.labels[0]!);
  for (const { uses: buildUses, unknown } of builds) {
    if (unknown && hasProxmoxSource) {
      // Without the list hclx cannot tell which ISOs are built (a source no build uses is left alone).
      throw new TemplateError(`the sources of this build cannot be evaluated (${unknown.reason}), so hclx cannot tell which Proxmox sources it builds.`, {
        code: 'E_ISO_UNKNOWN',
        range: unknown.range,
        hint: 'Make the list known with -var or a -var-file, or write the references literally.',
      });
    }
    for (const use of buildUses) {
      const { source: block, override } = use;
      if (!isProxmox(block)) continue;
      if (!override) {
        const key = `${block.range.file}\u0000${block.range.start.offset}`;
        if (plain.has(key)) continue;
        plain.add(key);
        uses.push({ source: { type: block.labels[0]!, name: block.labels[1]!, block } });
        continue;
      }
      const nameAttr = override.body.content(PROXMOX_SOURCE_SCHEMA).find((a): a is Attribute => a.kind === 'attribute' && a.name === 'name');
      const overrideName = nameAttr ? safeEvaluate(nameAttr.expr, context) : undefined;
      uses.push({
        source: { type: block.labels[0]!, name: block.labels[1]!, block, override, ...(typeof overrideName === 'string' ? { overrideName } : {}) },
      });
    }
  }
  // A source that no build uses is never configured by Packer, so hclx leaves it alone too.
  return uses;
}

function safeEvaluate(expr: Attribute['expr'], context: EvalContext): Value {
  try {
    return evaluate(expr, context);
  } catch (e) {
    if (e instanceof HclxError) return new UnknownValue(e.message, expr.range);
    throw e;
  }
}

interface MergedItem<T> {
  item: T;
  /** The override block it comes from, when it does. */
  override?: Block;
}

function specsOfUse(use: SourceUse, outer: EvalContext): IsoSpec[] {
  const { source } = use;
  const context = forSource(outer, source.type, source.override && source.overrideName ? source.overrideName : source.name);
  const bodies: Array<{ body: Body; override?: Block }> = [{ body: source.block.body }];
  if (source.override) bodies.push({ body: source.override.body, override: source.override });
  const attributes = new Map<string, MergedItem<Attribute>>();
  const blocks: Array<MergedItem<Block>> = [];
  for (const { body, override } of bodies) {
    for (const item of body.content(PROXMOX_SOURCE_SCHEMA)) {
      if (item.kind === 'attribute') {
        const first = attributes.get(item.name);
        if (first && override && item.name !== 'name') {
          throw new TemplateError(`${item.name} is set both in source "${source.type}" "${source.name}" and in this build-level source block.`, {
            range: item.nameRange,
            hint: `Packer refuses to set a field twice when it merges a build-level source block (first set at ${first.item.nameRange.file}:${first.item.nameRange.start.line}); keep one of them.`,
          });
        }
        attributes.set(item.name, { item, ...(override ? { override } : {}) });
      } else blocks.push({ item, ...(override ? { override } : {}) });
    }
  }
  const connection = connectionSettings(attributes, context);
  const baseLabel = `source.${source.type}.${source.name}${source.override ? ` (build-level source${source.overrideName ? ` "${source.overrideName}"` : ''})` : ''}`;
  const specs: IsoSpec[] = [];

  const topLevel = TOP_LEVEL_ISO_FIELDS.filter((f) => attributes.has(f));
  if (topLevel.length > 0 && source.type !== 'proxmox-clone') {
    const fields: IsoSpec['fields'] = {};
    for (const name of topLevel) fields[name] = isoField(attributes.get(name)!, context);
    const inOverride = topLevel.map((f) => attributes.get(f)!).find((m) => m.override);
    specs.push({
      label: `${baseLabel} top-level ISO settings`,
      source,
      kind: 'top-level',
      index: 0,
      dialectSeen: 'legacy',
      range: (inOverride?.override ?? source.block).typeRange,
      fields,
      otherAttributes: [],
      connection,
    });
  }

  let additional = 0;
  for (const { item: block, override } of blocks) {
    if (block.type === 'dynamic' && ISO_BLOCK_TYPES.has(block.labels[0]!)) {
      const kind = block.labels[0] as Exclude<IsoBlockKind, 'top-level'>;
      for (const instance of dynamicInstances(block, context)) {
        const index = kind === 'boot_iso' ? 0 : additional++;
        const ctx = withName(context, instance.iterator, { key: instance.key, value: instance.value });
        specs.push(blockSpec(kind, instance.content, ctx, { source, index, connection, override, baseLabel, dynamic: instance }));
      }
      continue;
    }
    if (!ISO_BLOCK_TYPES.has(block.type)) continue;
    if (block.type === 'boot_iso' && source.type === 'proxmox-clone') continue;
    const kind = block.type as Exclude<IsoBlockKind, 'top-level'>;
    const index = kind === 'boot_iso' ? 0 : additional++;
    specs.push(blockSpec(kind, block, context, { source, index, connection, override, baseLabel }));
  }
  return specs;
}

interface BlockSpecInput {
  source: IsoSpecSource;
  index: number;
  connection: IsoSpec['connection'];
  override: Block | undefined;
  baseLabel: string;
  dynamic?: DynamicInstance;
}

function blockSpec(kind: Exclude<IsoBlockKind, 'top-level'>, block: Block, context: EvalContext, input: BlockSpecInput): IsoSpec {
  const fields: IsoSpec['fields'] = {};
  const otherAttributes: Attribute[] = [];
  for (const item of block.body.content(ATTRIBUTES_ONLY)) {
    if (item.kind !== 'attribute') continue;
    if (ISO_FIELDS.has(item.name)) fields[item.name as IsoFieldName] = isoField({ item, ...(input.override ? { override: input.override } : {}) }, context);
    else otherAttributes.push(item);
  }
  const where = kind === 'boot_iso' ? 'boot_iso' : `additional_iso_files[${input.index}]`;
  const dyn = input.dynamic ? ` (dynamic block, instance ${input.dynamic.position + 1} of ${input.dynamic.count}, key ${JSON.stringify(input.dynamic.key)})` : '';
  return {
    label: `${input.baseLabel} ${where}${dyn}`,
    source: input.source,
    kind,
    index: input.index,
    dialectSeen: dialectOf(kind, fields),
    block,
    ...(input.dynamic ? { dynamic: input.dynamic } : {}),
    range: (input.dynamic?.block ?? block).typeRange,
    fields,
    otherAttributes,
    connection: input.connection,
  };
}

function dialectOf(kind: Exclude<IsoBlockKind, 'top-level'>, fields: IsoSpec['fields']): IsoDialectSeen {
  if (kind === 'boot_iso' || fields.type || fields.index || fields.keep_cdrom_device) return 'modern';
  return fields.device ? 'legacy' : 'either';
}

function isoField(merged: MergedItem<Attribute>, context: EvalContext): IsoField {
  const { item } = merged;
  return { name: item.name, attribute: item, value: safeEvaluate(item.expr, context), ...(merged.override ? { override: merged.override } : {}) };
}

/** The instances of a dynamic block, as dynblock.Expand produces them (list: index keys; map: its keys). */
function dynamicInstances(block: Block, context: EvalContext): DynamicInstance[] {
  const items = block.body.content(DYNAMIC_SCHEMA);
  const attr = (name: string) => items.find((i): i is Attribute => i.kind === 'attribute' && i.name === name);
  const content = items.find((i): i is Block => i.kind === 'block' && i.type === 'content');
  const forEach = attr('for_each');
  if (!content || !forEach) {
    throw new TemplateError(`dynamic "${block.labels[0]}" needs for_each and a content block.`, { range: block.typeRange, hint: 'Write dynamic "x" { for_each = ...  content { ... } }.' });
  }
  const iteratorAttr = attr('iterator');
  const iterator = iteratorAttr ? (iteratorAttr.expr.traversals()[0]?.[0] ?? block.labels[0]!) : block.labels[0]!;
  const collection = safeEvaluate(forEach.expr, context);
  if (isUnknown(collection)) {
    // Without the instances nothing can be rewritten; that matters only if an instance may download.
    const flag = content.body.content(ATTRIBUTES_ONLY).find((i): i is Attribute => i.kind === 'attribute' && i.name === 'iso_download_pve');
    const probe = flag ? packerBool(safeEvaluate(flag.expr, withName(context, iterator, new UnknownValue('the iterator of an unknown for_each')))) : undefined;
    if (!probe || (probe.ok && (probe.value === false || probe.value === null))) return [];
    throw new TemplateError(`the for_each of dynamic "${block.labels[0]}" cannot be evaluated (${collection.reason}), so hclx cannot tell which ISOs it downloads.`, {
      code: 'E_ISO_UNKNOWN',
      range: forEach.range,
      hint: 'Make the collection known with -var or a -var-file.',
    });
  }
  const entries: Array<[Value, Value]> = Array.isArray(collection)
    ? collection.map((v, i) => [i, v])
    : collection !== null && typeof collection === 'object'
      ? Object.keys(collection)
          .sort()
          .map((k) => [k, (collection as Record<string, Value>)[k]!])
      : [];
  if (!Array.isArray(collection) && (collection === null || typeof collection !== 'object')) {
    throw new TemplateError(`the for_each of dynamic "${block.labels[0]}" must be a list, set or map, not ${JSON.stringify(collection)}.`, { range: forEach.range });
  }
  return entries.map(([key, value], position) => ({ block, content, iterator, position, count: entries.length, key, value }));
}

function connectionSettings(attributes: Map<string, MergedItem<Attribute>>, context: EvalContext): IsoSpec['connection'] {
  const cache = new Map<ConnectionField, ConnectionSetting>();
  return {
    get(field: ConnectionField): ConnectionSetting {
      let setting = cache.get(field);
      if (!setting) {
        const merged = attributes.get(field);
        setting = merged ? { value: safeEvaluate(merged.item.expr, context), range: merged.item.range } : { value: undefined };
        if ((field === 'password' || field === 'token') && typeof setting.value === 'string') registerSecret(setting.value);
        cache.set(field, setting);
      }
      return setting;
    },
  };
}

