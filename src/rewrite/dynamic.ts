// Expands a `dynamic "boot_iso" / "additional_iso_files"` block into concrete blocks, one per
// instance, when any instance is rewritten: the iterator only exists inside the dynamic block, so
// each rewritten instance needs its own block. Expressions that use the iterator are replaced by
// their evaluated value; every other expression is copied as written.

import { TemplateError } from '../errors.js';
import type { BlockSpec, NewAttribute, NewValue } from '../hcl/edit.js';
import { ATTRIBUTES_ONLY } from '../hcl/json-schema.js';
import { isUnknown } from '../hcl/model.js';
import type { Attribute, Block, Value } from '../hcl/model.js';
import { DOWNLOAD_FIELDS } from '../template/iso-spec.js';
import type { IsoFieldName, IsoSpec } from '../template/iso-spec.js';
import type { Dialect } from './dialect.js';

export interface DynamicExpansion {
  /** The blocks that replace the dynamic block, one per instance, in order. */
  blocks: BlockSpec[];
  /** Each rewritten instance's resulting ISO settings (for schema checks). */
  outputs: Map<IsoSpec, Record<string, Value>>;
}

const REMOVED = new Set<string>([...DOWNLOAD_FIELDS, 'iso_file']);
const MODERN_ONLY = new Set<string>(['type', 'index', 'keep_cdrom_device']);

export function expandDynamicBlock(block: Block, instances: readonly IsoSpec[], volids: ReadonlyMap<IsoSpec, string>, dialect: Dialect, warnings: string[]): DynamicExpansion {
  const kind = block.labels[0]!;
  const blocks: BlockSpec[] = [];
  const outputs = new Map<IsoSpec, Record<string, Value>>();
  const ordered = [...instances].sort((a, b) => a.dynamic!.position - b.dynamic!.position);
  for (const instance of ordered) {
    const dyn = instance.dynamic!;
    const volid = volids.get(instance);
    const legacy = volid !== undefined && dialect === 'legacy';
    const attrs: NewAttribute[] = [];
    const output: Record<string, Value> = {};
    let isoFileWritten = false;
    const writeIsoFile = () => {
      if (isoFileWritten || volid === undefined) return;
      isoFileWritten = true;
      attrs.push({ name: 'iso_file', value: volid });
      output.iso_file = volid;
      if (legacy) {
        const device = deviceOf(instance, warnings);
        if (device !== undefined && !instance.fields.device) {
          attrs.push({ name: 'device', value: device });
          output.device = device;
        }
      }
    };
    const anchor = instance.fields.iso_url ? 'iso_url' : instance.fields.iso_urls ? 'iso_urls' : undefined;
    for (const item of dyn.content.body.content(ATTRIBUTES_ONLY)) {
      if (item.kind !== 'attribute') {
        throw new TemplateError(`${instance.label}: hclx cannot expand a dynamic block whose content holds nested blocks.`, { range: item.range, hint: 'Write the ISO blocks out by hand.' });
      }
      if (volid !== undefined && REMOVED.has(item.name)) {
        if (item.name === anchor || (anchor === undefined && !isoFileWritten)) writeIsoFile();
        continue;
      }
      if (legacy && MODERN_ONLY.has(item.name)) continue;
      const field = instance.fields[item.name as IsoFieldName];
      attrs.push({ name: item.name, ...newValue(item, field?.value, dyn.iterator, instance) });
      if (field) output[item.name] = field.value;
    }
    writeIsoFile();
    blocks.push({ type: kind, labels: [], attrs });
    if (volid !== undefined) outputs.set(instance, output);
  }
  return { blocks, outputs };
}

/** The expression as written, or its value where it reads the iterator (which the written-out block no longer has). */
function newValue(attr: Attribute, value: Value | undefined, iterator: string, instance: IsoSpec): NewValue {
  const usesIterator = attr.expr.traversals().some((t) => t[0] === iterator);
  if (!usesIterator) return { source: attr.expr };
  if (value === undefined || isUnknown(value) || (Array.isArray(value) && value.some(isUnknown))) {
    throw new TemplateError(`${instance.label}: ${attr.name} uses the iterator "${iterator}" but its value cannot be evaluated, so the dynamic block cannot be written out.`, {
      range: attr.range,
      hint: 'Make the values it reads known with -var or a -var-file.',
    });
  }
  return { value };
}

function deviceOf(spec: IsoSpec, warnings: string[]): string | undefined {
  const type = spec.fields.type?.value;
  const index = spec.fields.index?.value;
  if (type === undefined && index === undefined) return undefined;
  if (typeof type === 'string' && (typeof index === 'string' || typeof index === 'number') && String(index) !== '') return `${type}${index}`;
  warnings.push(`${spec.label}: type/index cannot be written as a legacy device; the ISO gets plugin < 1.2's default device ide3.`);
  return undefined;
}
