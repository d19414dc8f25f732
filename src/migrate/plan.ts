// The migration plan: what `hclx migrate` changes in a loaded template, as a list of syntax-level
// operations plus what to tell the user. Pure: it reads the syntax model and evaluated values and
// decides; src/migrate/edits.ts turns the operations into text edits.
//
// Per proxmox-iso / proxmox (legacy name) / proxmox-clone source, as issue 6 §1-4 describes:
// - deprecated top-level ISO fields move into a new `boot_iso {}` (`unmount_iso` → `unmount`), the
//   conversion plugin 1.2 itself performs with a deprecation warning;
// - `additional_iso_files { device = "sata4" }` becomes `type = "sata"` + `index = "4"`;
// - an `iso_file` reference whose download location is known (--url-map first, then the catalogue)
//   becomes `iso_url` + `iso_checksum` + `iso_storage_pool` + `iso_download_pve = true`, written
//   with the same variables the `iso_file` expression used;
// - a block that already downloads through Packer (`iso_url` + checksum + pool) gets
//   `iso_download_pve = true`;
// - the proxmox plugin's `required_plugins` constraint is raised when the result needs it.

import type { SourceRange } from '../errors.js';
import { formatRange } from '../errors.js';
import type { Attribute, Block, Body, BodyItem, Expression, SourceFile, Syntax, Value } from '../hcl/model.js';
import { isUnknown } from '../hcl/model.js';
import { BUILD_SCHEMA, PACKER_SCHEMA, PROXMOX_SOURCE_SCHEMA, ROOT_SCHEMA } from '../hcl/json-schema.js';
import { parseIsoVolid, urlFileName, normalizeFilename } from '../resolve/names.js';
import { compareVersions, findOfficialDownload } from './catalogue.js';
import type { OfficialDownload } from './catalogue.js';
import type { UrlMap } from './url-map.js';
import { literalText, normalizeParts, partsToHcl, substitute, templateParts } from './template-parts.js';
import type { TemplatePart } from './template-parts.js';
import { raiseConstraint } from './version-constraint.js';

// ---- inputs -------------------------------------------------------------------------------------

/** The loaded template, as the migration needs it. */
export interface MigrationTemplate {
  /** The template's configuration files (not var files), parsed. */
  files: readonly SourceFile[];
  /** Evaluates an expression of those files with the template's variables and locals. */
  evaluate(expr: Expression): Value;
  /** Declared input variables with their final values (defaults, var files, -var). */
  variables: ReadonlyMap<string, { value: Value }>;
}

export interface MigrationOptions {
  urlMap?: UrlMap;
  /** The catalogue lookup (replaceable in tests). */
  lookup?: (name: string) => OfficialDownload | undefined;
}

// ---- outputs ------------------------------------------------------------------------------------

/** An expression to write: new native-HCL source text, or an existing expression copied verbatim. */
export type NewExpression = { hcl: string } | { source: Expression };

export interface NewAttribute {
  name: string;
  value: NewExpression;
  /** Carry this attribute's comments (lead and same-line) along, when it is moved. */
  commentsOf?: Attribute;
}

export interface NewBlock {
  type: string;
  labels: string[];
  attributes: NewAttribute[];
}

export type Operation =
  /** Replace an attribute by new attributes (the first takes its place and keeps its same-line comment). */
  | { kind: 'replace-attribute'; attribute: Attribute; attributes: NewAttribute[] }
  /** Replace an attribute by a block written at its place. */
  | { kind: 'replace-with-block'; attribute: Attribute; block: NewBlock }
  /** Remove an attribute with the comments that belong to it. */
  | { kind: 'remove'; item: BodyItem }
  /** Add attributes at the end of a block's body. */
  | { kind: 'append-attributes'; block: Block; attributes: NewAttribute[] }
  /** Add a top-level block at the end of a file. */
  | { kind: 'append-block'; file: SourceFile; block: NewBlock }
  /** Replace raw text (the version string inside a required_plugins entry). */
  | { kind: 'replace-text'; file: SourceFile; start: number; end: number; text: string };

export interface PlanMessage {
  message: string;
  range?: SourceRange;
}

export interface UnmappedIso {
  /** The ISO file name (as stored on Proxmox). */
  name: string;
  volid: string;
  range: SourceRange;
  /** Why it was not mapped and how to map it. */
  hint: string;
}

export interface MigrationPlan {
  operations: Operation[];
  /** What will change, one line per change, in file order. */
  changes: PlanMessage[];
  unmapped: UnmappedIso[];
  notes: PlanMessage[];
  /** The plugin version the migrated template needs, when the migration raised it. */
  requiredPlugin?: string;
}

/** Whether the template needs (automatic) changes. */
export function migrationNeeded(plan: MigrationPlan): boolean {
  return plan.operations.length > 0;
}

// ---- constants ----------------------------------------------------------------------------------

const BOOT_SOURCE_TYPES = new Set(['proxmox-iso', 'proxmox']);
const ISO_SOURCE_TYPES = new Set(['proxmox-iso', 'proxmox', 'proxmox-clone']);
const TOP_LEVEL_ISO_FIELDS = new Set([
  'iso_file',
  'iso_url',
  'iso_urls',
  'iso_checksum',
  'iso_storage_pool',
  'iso_download_pve',
  'unmount_iso',
  'iso_target_path',
  'iso_target_extension',
]);
/** Settings that a mapped iso_file replaces; their old values are dropped. */
const DOWNLOAD_FIELDS = new Set(['iso_file', 'iso_url', 'iso_urls', 'iso_checksum', 'iso_storage_pool', 'iso_download_pve']);
const BOOT_ISO_PLUGIN = '1.2.0';
const ADDITIONAL_DOWNLOAD_PLUGIN = '1.1.7';

// ---- planning -----------------------------------------------------------------------------------

interface Context {
  template: MigrationTemplate;
  options: MigrationOptions;
  plan: MigrationPlan;
  /** Variable names taken (declared or added by this plan). */
  takenVariables: Set<string>;
  needs: string | undefined;
  /** `<type>.<name>` of sources whose ISO fields build-level blocks override. */
  overridden: Set<string>;
}

export function planMigration(template: MigrationTemplate, options: MigrationOptions = {}): MigrationPlan {
  const plan: MigrationPlan = { operations: [], changes: [], unmapped: [], notes: [] };
  const ctx: Context = { template, options, plan, takenVariables: new Set(template.variables.keys()), needs: undefined, overridden: new Set() };
  const roots = template.files.flatMap((file) => file.body.content(ROOT_SCHEMA));
  for (const item of roots) if (item.kind === 'block' && item.type === 'build') noteBuildOverrides(ctx, item);
  for (const item of roots) if (item.kind === 'block' && item.type === 'source' && ISO_SOURCE_TYPES.has(item.labels[0] ?? '')) planSource(ctx, item);
  if (ctx.needs) raisePluginConstraint(ctx, ctx.needs);
  plan.changes.sort(byPlace);
  plan.notes.sort(byPlace);
  plan.unmapped.sort((a, b) => byPlace(a, b));
  return plan;
}

function byPlace(a: { range?: SourceRange }, b: { range?: SourceRange }): number {
  if (!a.range || !b.range) return a.range ? -1 : b.range ? 1 : 0;
  return a.range.file === b.range.file ? a.range.start.offset - b.range.start.offset : a.range.file < b.range.file ? -1 : 1;
}

function need(ctx: Context, version: string): void {
  if (!ctx.needs || compareVersions(version, ctx.needs) > 0) ctx.needs = version;
}

function sourceLabel(block: Block): string {
  return `source.${block.labels[0]}.${block.labels[1]}`;
}

function planSource(ctx: Context, source: Block): void {
  const type = source.labels[0]!;
  const items = source.body.content(PROXMOX_SOURCE_SCHEMA);
  const label = sourceLabel(source);
  if (type === 'proxmox') {
    ctx.plan.notes.push({
      message: `${label}: \`proxmox\` is the legacy name of the \`proxmox-iso\` builder; it still works, and is left as is because renaming it changes the build's name (-only/-except filters).`,
      range: source.labels.length > 0 ? source.labelRanges[0] : source.range,
    });
  }
  const bootBlock = items.find((i): i is Block => i.kind === 'block' && i.type === 'boot_iso');
  const topLevel = items.filter((i): i is Attribute => i.kind === 'attribute' && TOP_LEVEL_ISO_FIELDS.has(i.name));
  if (BOOT_SOURCE_TYPES.has(type) && topLevel.length > 0) {
    if (ctx.overridden.has(`${type}.${source.labels[1]}`)) {
      // A build-level block sets top-level ISO fields of this source too; moving only half of them
      // into boot_iso would leave the plugin merging two forms, so both stay as written.
      ctx.plan.notes.push({
        message: `${label}: its top-level ${topLevel.map((a) => a.name).join(', ')} stay as written, because build-level source blocks set ISO fields of it too; move both into boot_iso blocks by hand.`,
        range: topLevel[0]!.range,
      });
    } else if (bootBlock) {
      ctx.plan.notes.push({
        message: `${label} has both a boot_iso block and the deprecated top-level ${topLevel.map((a) => a.name).join(', ')}; plugin 1.2 lets the top-level fields override the block. Merge them into boot_iso by hand.`,
        range: topLevel[0]!.range,
      });
    } else {
      planTopLevelMove(ctx, source, topLevel);
    }
  }
  if (bootBlock) planIsoBlock(ctx, source, bootBlock, 'boot_iso');
  let position = 0;
  for (const item of items) {
    if (item.kind === 'block' && item.type === 'additional_iso_files') planIsoBlock(ctx, source, item, `additional_iso_files #${++position}`);
    if (item.kind === 'block' && item.type === 'dynamic' && ['boot_iso', 'additional_iso_files'].includes(item.labels[0] ?? '')) {
      ctx.plan.notes.push({ message: `${label}: dynamic "${item.labels[0]}" blocks are not migrated; change their content {} by hand if they use iso_file or device.`, range: item.range });
    }
  }
}

/** Deprecated top-level fields → one `boot_iso {}` at the place of the first of them. */
function planTopLevelMove(ctx: Context, source: Block, fields: Attribute[]): void {
  const label = sourceLabel(source);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const isoFile = byName.get('iso_file');
  const attributes: NewAttribute[] = [];
  let dropped: Attribute[] = [];
  const mapped = isoFile ? mapIsoFile(ctx, isoFile, byName.get('iso_storage_pool'), label, 'boot ISO') : undefined;
  if (mapped) {
    attributes.push(...mapped.attributes);
    dropped = fields.filter((f) => DOWNLOAD_FIELDS.has(f.name) && !mapped.attributes.some((a) => a.commentsOf === f));
  } else if (!isoFile) {
    const add = downloadOnNode(ctx, byName, label);
    if (add) attributes.push(add);
  }
  // Everything not handled above moves as written (iso_file when unmapped, unmount_iso renamed).
  for (const f of fields) {
    if (attributes.some((a) => a.commentsOf === f) || dropped.includes(f)) continue;
    attributes.push(moved(f));
  }
  attributes.sort((a, b) => bootOrder(a) - bootOrder(b));
  const first = fields[0]!;
  ctx.plan.operations.push({ kind: 'replace-with-block', attribute: first, block: { type: 'boot_iso', labels: [], attributes } });
  for (const f of fields.slice(1)) ctx.plan.operations.push({ kind: 'remove', item: f });
  const renamed = byName.has('unmount_iso') ? ' (unmount_iso → unmount)' : '';
  ctx.plan.changes.push({ message: `${label}: deprecated top-level ${fields.map((f) => f.name).join(', ')} moved into a boot_iso block${renamed}.`, range: first.range });
  for (const f of dropped) if (f.name !== 'iso_file' && f.name !== 'iso_storage_pool') ctx.plan.notes.push({ message: `${label}: ${f.name} was dropped: the boot ISO now downloads from the mapped URL.`, range: f.range });
  need(ctx, BOOT_ISO_PLUGIN);
}

/** Order inside a new boot_iso: download settings first (as the plugin docs list them), then the rest as written. */
function bootOrder(a: NewAttribute): number {
  const order = ['iso_file', 'iso_url', 'iso_urls', 'iso_checksum', 'iso_storage_pool', 'iso_download_pve'];
  const i = order.indexOf(a.name);
  return i >= 0 ? i : order.length;
}

function moved(attribute: Attribute): NewAttribute {
  return { name: attribute.name === 'unmount_iso' ? 'unmount' : attribute.name, value: { source: attribute.expr }, commentsOf: attribute };
}

/** `boot_iso {}` or `additional_iso_files {}`: device → type/index, iso_file → download, iso_url → download on the node. */
function planIsoBlock(ctx: Context, source: Block, block: Block, what: string): void {
  const label = `${sourceLabel(source)} ${what}`;
  const attributes = block.body.content().filter((i): i is Attribute => i.kind === 'attribute');
  const byName = new Map(attributes.map((a) => [a.name, a]));
  const device = byName.get('device');
  if (device && block.type === 'additional_iso_files') {
    if (byName.has('type') || byName.has('index')) {
      ctx.plan.notes.push({ message: `${label}: both device and type/index are set; the plugin ignores device. Remove it by hand.`, range: device.range });
    } else {
      const split = splitDevice(ctx, device);
      if (split) {
        ctx.plan.operations.push({ kind: 'replace-attribute', attribute: device, attributes: split });
        ctx.plan.changes.push({ message: `${label}: device → type + index.`, range: device.range });
        need(ctx, BOOT_ISO_PLUGIN);
      }
    }
  }
  const isoFile = byName.get('iso_file');
  if (isoFile) {
    const mapped = mapIsoFile(ctx, isoFile, byName.get('iso_storage_pool'), label, what);
    if (mapped) {
      const pool = byName.get('iso_storage_pool');
      const keepPool = pool && mapped.attributes.some((a) => a.commentsOf === pool);
      const replacement = keepPool ? mapped.attributes.filter((a) => a.commentsOf !== pool) : mapped.attributes;
      ctx.plan.operations.push({ kind: 'replace-attribute', attribute: isoFile, attributes: replacement });
      if (pool && !keepPool) ctx.plan.operations.push({ kind: 'remove', item: pool });
      for (const name of ['iso_url', 'iso_urls', 'iso_checksum', 'iso_download_pve']) {
        const stale = byName.get(name);
        if (stale) ctx.plan.operations.push({ kind: 'remove', item: stale });
      }
      need(ctx, block.type === 'boot_iso' ? BOOT_ISO_PLUGIN : ADDITIONAL_DOWNLOAD_PLUGIN);
    }
    return;
  }
  const add = downloadOnNode(ctx, byName, label);
  if (add) {
    ctx.plan.operations.push({ kind: 'append-attributes', block, attributes: [add] });
    need(ctx, block.type === 'boot_iso' ? BOOT_ISO_PLUGIN : ADDITIONAL_DOWNLOAD_PLUGIN);
  }
}

/**
 * `iso_download_pve = true` for an ISO that Packer downloads and uploads today, when the node can
 * download it instead: http(s) URLs, a real checksum (with `none`, Proxmox refuses to replace the
 * file on the next build) and a storage pool.
 */
function downloadOnNode(ctx: Context, fields: Map<string, Attribute>, label: string): NewAttribute | undefined {
  if (fields.has('iso_download_pve') || fields.has('iso_file')) return undefined;
  const urlAttr = fields.get('iso_urls') ?? fields.get('iso_url');
  if (!urlAttr) return undefined;
  const urls = ctx.template.evaluate(urlAttr.expr);
  const list = Array.isArray(urls) ? urls : [urls];
  const checksumAttr = fields.get('iso_checksum');
  const checksum = checksumAttr ? ctx.template.evaluate(checksumAttr.expr) : undefined;
  const reasons: string[] = [];
  if (list.length === 0 || !list.every((u) => typeof u === 'string' && /^https?:\/\//.test(u))) reasons.push('the Proxmox node can only download http(s) URLs');
  if (typeof checksum !== 'string' || checksum === '' || checksum.toLowerCase() === 'none') reasons.push('it needs a real iso_checksum (with "none" Proxmox refuses to replace the file on the next build)');
  if (!fields.has('iso_storage_pool')) reasons.push('it needs iso_storage_pool');
  if (reasons.length > 0) {
    if (list.some((u) => isUnknown(u)) || isUnknown(checksum)) return undefined;
    ctx.plan.notes.push({ message: `${label}: left to Packer's download and upload: ${reasons.join('; ')}.`, range: urlAttr.range });
    return undefined;
  }
  ctx.plan.changes.push({ message: `${label}: iso_download_pve = true (the Proxmox node downloads ${urlFileName(String(list[0]))} itself).`, range: urlAttr.range });
  return { name: 'iso_download_pve', value: { hcl: 'true' } };
}

function splitDevice(ctx: Context, device: Attribute): NewAttribute[] | undefined {
  const parts = templateParts(device.expr);
  const literal = parts ? literalText(parts) : undefined;
  if (literal !== undefined) {
    const m = /^(ide|sata|scsi)(\d+)$/.exec(literal);
    if (!m) {
      ctx.plan.notes.push({ message: `device = "${literal}" is not an ide/sata/scsi device name; left as is.`, range: device.range });
      return undefined;
    }
    return [
      { name: 'type', value: { hcl: `"${m[1]}"` }, commentsOf: device },
      { name: 'index', value: { hcl: `"${m[2]}"` } },
    ];
  }
  // An expression: keep it, and split its value the way the plugin does.
  const expr = hclOf(device.expr);
  return [
    { name: 'type', value: { hcl: `regex("^[a-z]+", ${expr})` }, commentsOf: device },
    { name: 'index', value: { hcl: `regex("[0-9]+$", ${expr})` } },
  ];
}

// ---- iso_file → download ------------------------------------------------------------------------

interface MappedIso {
  /** iso_url, iso_checksum, iso_storage_pool, iso_download_pve (the pool may be the existing attribute). */
  attributes: NewAttribute[];
}

/** Native-HCL source of an existing expression (JSON strings are HCL templates). */
function hclOf(expr: Expression): string {
  if (expr.syntax === 'hcl') return expr.text;
  const parts = templateParts(expr);
  return parts ? partsToHcl(parts) : expr.text;
}

function mapIsoFile(ctx: Context, attr: Attribute, poolAttr: Attribute | undefined, label: string, what: string): MappedIso | undefined {
  const value = ctx.template.evaluate(attr.expr);
  if (typeof value !== 'string') {
    ctx.plan.notes.push({
      message: `${label}: iso_file ${isUnknown(value) ? `cannot be known before the build (${value.reason})` : 'is not a string'}; left as is.`,
      range: attr.range,
    });
    return undefined;
  }
  const volid = parseIsoVolid(value);
  if (!volid) {
    ctx.plan.notes.push({ message: `${label}: iso_file "${value}" is not a <storage>:iso/<name> volume id; left as is (the plugin panics on such values).`, range: attr.range });
    return undefined;
  }
  const fromMap = ctx.options.urlMap?.get(volid.name);
  const official = fromMap ? undefined : (ctx.options.lookup ?? findOfficialDownload)(volid.name);
  const where = fromMap
    ? { url: fromMap.url, checksum: fromMap.checksum, parameters: [] as string[], origin: `--url-map (${formatRange(fromMap.range)})` }
    : official?.checksum
      ? { url: official.url, checksum: official.checksum, parameters: official.parameters, origin: `${official.distribution} official download` }
      : undefined;
  if (!where) {
    ctx.plan.unmapped.push({
      name: volid.name,
      volid: value,
      range: attr.range,
      hint: official
        ? `${official.distribution} publishes it at ${official.url}, but ${official.note ?? 'no checksum file is known'} Add it to a --url-map file: \`${volid.name}: { url: "${official.url}", checksum: "sha256:<hex>" }\`.`
        : `hclx's catalogue does not know where ${volid.name} is published. Add it to a --url-map file: \`${volid.name}: { url: "https://.../${volid.name}", checksum: "file:https://.../SHA256SUMS" }\`.`,
    });
    return undefined;
  }
  if (official?.note) ctx.plan.notes.push({ message: `${volid.name}: ${official.note}`, range: attr.range });
  const urlName = normalizeFilename(urlFileName(where.url));
  if (urlName !== volid.name) {
    ctx.plan.notes.push({
      message: `${label}: the mapped URL ${where.url} stores the ISO as ${volid.storage}:iso/${urlName}, not ${value}; anything else that refers to the old name must follow.`,
      range: attr.range,
    });
  }

  const syntax = attr.expr.syntax;
  const parts = templateParts(attr.expr);
  const split = parts ? splitVolidParts(parts) : undefined;
  const keepPool = poolAttr !== undefined && ctx.template.evaluate(poolAttr.expr) === volid.storage;

  // Storage pool: the part before `:iso/` as written, or the existing attribute when it agrees.
  let pool: NewAttribute;
  if (keepPool) pool = { name: 'iso_storage_pool', value: { source: poolAttr.expr }, commentsOf: poolAttr };
  else if (split) pool = { name: 'iso_storage_pool', value: { hcl: partsToHcl(split.storage) } };
  else if (parts && literalText(parts) !== undefined) pool = { name: 'iso_storage_pool', value: { hcl: `"${volid.storage}"` } };
  else pool = { name: 'iso_storage_pool', value: { hcl: `split(":", ${hclOf(attr.expr)})[0]` } };

  // URL and checksum: written with the variables the name came from, when they determine them.
  const namePart = split?.name ?? (parts && literalText(parts) !== undefined ? [{ kind: 'literal' as const, text: volid.name }] : undefined);
  const derived = namePart ? deriveExpressions(ctx, where, volid.name, namePart) : undefined;
  let url: NewExpression;
  let checksum: NewExpression;
  const variableNotes: string[] = [];
  if (derived) {
    url = { hcl: partsToHcl(derived.url) };
    checksum = { hcl: partsToHcl(derived.checksum) };
  } else if (syntax === 'json') {
    // JSON templates get no new variable blocks (a second "variable" key would be needed); the values are written out.
    url = { hcl: partsToHcl([{ kind: 'literal', text: where.url }]) };
    checksum = { hcl: partsToHcl([{ kind: 'literal', text: where.checksum }]) };
    variableNotes.push(`the URL and checksum are written as values because ${volid.name} comes from an expression; update them together with it`);
  } else {
    const base = variableBase(split?.name ?? parts ?? [{ kind: 'interpolation', expression: hclOf(attr.expr) }], what);
    const urlVar = addVariable(ctx, attr, `${base}_url`, where.url, `Where the Proxmox node downloads ${volid.name} from (added by hclx migrate; keep it in step with the ISO name).`);
    const sumVar = addVariable(ctx, attr, `${base}_checksum`, where.checksum, `Checksum of ${volid.name}, any iso_checksum form (added by hclx migrate).`);
    url = { hcl: `var.${urlVar}` };
    checksum = { hcl: `var.${sumVar}` };
    variableNotes.push(`new variables ${urlVar} and ${sumVar} hold the URL and checksum of ${volid.name}; set them together with the ISO name`);
  }
  ctx.plan.changes.push({
    message: `${label}: iso_file ${value} → downloaded by the Proxmox node from ${where.url} (checksum ${where.checksum}; from ${where.origin}).`,
    range: attr.range,
  });
  for (const n of variableNotes) ctx.plan.notes.push({ message: `${label}: ${n}.`, range: attr.range });
  return {
    attributes: [
      { name: 'iso_url', value: url, commentsOf: attr },
      { name: 'iso_checksum', value: checksum },
      pool,
      { name: 'iso_download_pve', value: { hcl: 'true' } },
    ],
  };
}

/** Splits `<storage>:iso/<name>` template parts at the first literal `:iso/`. */
function splitVolidParts(parts: TemplatePart[]): { storage: TemplatePart[]; name: TemplatePart[] } | undefined {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.kind !== 'literal') continue;
    const at = p.text.indexOf(':iso/');
    if (at < 0) continue;
    const storage = normalizeParts([...parts.slice(0, i), { kind: 'literal', text: p.text.slice(0, at) }]);
    const name = normalizeParts([{ kind: 'literal', text: p.text.slice(at + 5) }, ...parts.slice(i + 1)]);
    if (storage.length === 0 || name.length === 0) return undefined;
    return { storage, name };
  }
  return undefined;
}

/**
 * URL and checksum as template parts that reuse the name's own expression and the variables
 * holding the location's parameters (its version); undefined when some parameter has no
 * variable, so the caller adds new variables rather than freezing a version next to a variable name.
 */
function deriveExpressions(
  ctx: Context,
  where: { url: string; checksum: string; parameters: string[] },
  name: string,
  namePart: TemplatePart[],
): { url: TemplatePart[]; checksum: TemplatePart[] } | undefined {
  const nameIsLiteral = literalText(namePart) !== undefined;
  if (nameIsLiteral) return { url: [{ kind: 'literal', text: where.url }], checksum: [{ kind: 'literal', text: where.checksum }] };
  if (!where.url.endsWith('/' + name)) return undefined;
  const dir = where.url.slice(0, where.url.length - name.length);
  // Values that variables give us: each interpolation of the name, and every declared string variable.
  const known: Array<[string, TemplatePart[]]> = [];
  for (const p of namePart) {
    if (p.kind !== 'interpolation' || !/^var\.[A-Za-z_][\w-]*$/.test(p.expression)) continue;
    const v = ctx.template.variables.get(p.expression.slice(4))?.value;
    if (typeof v === 'string' && v !== '') known.push([v, [p]]);
  }
  const substitutions: Array<readonly [string, TemplatePart[]]> = [];
  for (const param of where.parameters) {
    const fromName = known.find(([v]) => v === param);
    const fromVariables = [...ctx.template.variables].find(([, d]) => d.value === param);
    const replacement = fromName?.[1] ?? (fromVariables ? [{ kind: 'interpolation' as const, expression: `var.${fromVariables[0]}` }] : undefined);
    if (!replacement) return undefined;
    substitutions.push([param, replacement]);
  }
  const url = normalizeParts([...substitute([{ kind: 'literal', text: dir }], substitutions), ...namePart]);
  const checksum = substitute([{ kind: 'literal', text: where.checksum }], [[name, namePart], ...substitutions]);
  return { url, checksum };
}

/** A base for new variable names: the name's variable without `_file`/`_name`, else the ISO's role. */
function variableBase(namePart: TemplatePart[], what: string): string {
  const single = namePart.length === 1 && namePart[0]!.kind === 'interpolation' ? namePart[0]!.expression : undefined;
  const m = single ? /^(?:var|local)\.([A-Za-z_][\w]*)$/.exec(single) : undefined;
  if (m) {
    const stripped = m[1]!.replace(/_(?:file|name|filename|path)$/, '');
    return stripped === '' ? m[1]! : stripped;
  }
  return what === 'boot ISO' || what === 'boot_iso' ? 'iso' : what.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '');
}

function addVariable(ctx: Context, near: Attribute, wanted: string, value: string, description: string): string {
  let name = wanted;
  for (let n = 2; ctx.takenVariables.has(name) && n < 100; n++) name = `${wanted}_${n}`;
  ctx.takenVariables.add(name);
  ctx.plan.operations.push({
    kind: 'append-block',
    file: near.parent.file,
    block: {
      type: 'variable',
      labels: [name],
      attributes: [
        { name: 'type', value: { hcl: 'string' } },
        { name: 'description', value: { hcl: partsToHcl([{ kind: 'literal', text: description }]) } },
        { name: 'default', value: { hcl: partsToHcl([{ kind: 'literal', text: value }]) } },
      ],
    },
  });
  return name;
}

// ---- build-level overrides ----------------------------------------------------------------------

function noteBuildOverrides(ctx: Context, build: Block): void {
  for (const item of build.body.content(BUILD_SCHEMA)) {
    if (item.kind !== 'block' || item.type !== 'source') continue;
    const fields = item.body.content(PROXMOX_SOURCE_SCHEMA).filter((i): i is Attribute => i.kind === 'attribute' && TOP_LEVEL_ISO_FIELDS.has(i.name));
    if (fields.length > 0) {
      ctx.overridden.add(item.labels[0] ?? '');
      ctx.plan.notes.push({
        message: `build-level source "${item.labels[0]}" sets ${fields.map((f) => f.name).join(', ')}; overrides are not migrated. Move them into a boot_iso block by hand.`,
        range: fields[0]!.range,
      });
    }
  }
}

// ---- required_plugins ---------------------------------------------------------------------------

function raisePluginConstraint(ctx: Context, minimum: string): void {
  ctx.plan.requiredPlugin = minimum;
  let found = false;
  for (const file of ctx.template.files) {
    for (const packer of file.body.content(ROOT_SCHEMA)) {
      if (packer.kind !== 'block' || packer.type !== 'packer') continue;
      for (const rp of packer.body.content(PACKER_SCHEMA)) {
        if (rp.kind !== 'block' || rp.type !== 'required_plugins') continue;
        for (const entry of rp.body.content()) {
          if (entry.kind !== 'attribute' || !/github\.com\/hashicorp\/proxmox\b/.test(entry.expr.text)) continue;
          found = true;
          const m = /(["']?version["']?\s*[=:]\s*)"((?:[^"\\]|\\.)*)"/.exec(entry.expr.text);
          if (!m) continue;
          const old = m[2]!;
          const raised = raiseConstraint(old, minimum);
          if (raised === undefined) continue;
          const start = entry.expr.range.start.offset + m.index + m[1]!.length + 1;
          ctx.plan.operations.push({ kind: 'replace-text', file, start, end: start + old.length, text: raised });
          ctx.plan.notes.push({
            message: `required_plugins: the proxmox plugin constraint "${old}" becomes "${raised}": ${minimum === BOOT_ISO_PLUGIN ? 'boot_iso and type/index need plugin 1.2.0 or later' : 'iso_download_pve in additional_iso_files needs plugin 1.1.7 or later'}. Run \`packer init\` to install it.`,
            range: entry.range,
          });
        }
      }
    }
  }
  if (!found) {
    ctx.plan.notes.push({
      message: `the migrated template needs the proxmox plugin ${minimum} or later, and pins no version: add \`proxmox = { version = ">= ${minimum}", source = "github.com/hashicorp/proxmox" }\` to packer { required_plugins { } }.`,
    });
  }
}

/** The syntax of the file an operation edits (for callers that render operations). */
export function operationFile(op: Operation): SourceFile {
  switch (op.kind) {
    case 'replace-attribute':
    case 'replace-with-block':
      return op.attribute.parent.file;
    case 'remove':
      return op.item.parent.file;
    case 'append-attributes':
      return op.block.body.file;
    case 'append-block':
    case 'replace-text':
      return op.file;
  }
}

export type { Body, Syntax };
