// The migration plan: what `hclx migrate` changes in a loaded template, as a list of syntax-level
// operations plus what to tell the user. Pure: it reads the syntax model and evaluated values and
// decides; src/migrate/edits.ts turns the operations into text edits.
//
// Per proxmox-iso / proxmox (legacy name) / proxmox-clone source, as issue 6 §1-4 describes:
// - deprecated top-level ISO fields move into a new `boot_iso {}` (`unmount_iso` → `unmount`), the
//   conversion plugin 1.2 itself performs with a deprecation warning;
// - `additional_iso_files { device = "sata4" }` becomes `type = "sata"` + `index = "4"`;
// - an `iso_file` reference whose download location is known (--url-map first, then the catalogue)
//   becomes `iso_url` + `iso_checksum` (a pinned one kept as written) + `iso_storage_pool` +
//   `iso_download_pve = true`, written with the same expressions the `iso_file` used where that
//   is right for every value they take; otherwise it is left and reported, never frozen to today's URL;
// - a block that already downloads through Packer (`iso_url` + checksum + pool) gets
//   `iso_download_pve = true`;
// - the proxmox plugin's `required_plugins` constraint is raised when the result needs it.

import type { SourceRange } from '../errors.js';
import { formatRange, HclxError } from '../errors.js';
import type { Attribute, Block, Body, BodyItem, Expression, SourceFile, Syntax, Value } from '../hcl/model.js';
import { isUnknown, UnknownValue } from '../hcl/model.js';
import { parseExpressionSync } from '../hcl/parse.js';
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
  /** Of `commentsOf`'s comments, carry only those above it (its same-line comment goes with it). */
  leadCommentsOnly?: boolean;
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
  needs: string | undefined;
  /** `<type>.<name>` of sources whose ISO fields build-level blocks override. */
  overridden: Set<string>;
}

export function planMigration(template: MigrationTemplate, options: MigrationOptions = {}): MigrationPlan {
  const plan: MigrationPlan = { operations: [], changes: [], unmapped: [], notes: [] };
  const ctx: Context = { template, options, plan, needs: undefined, overridden: new Set() };
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
  const mapped = isoFile ? mapIsoFile(ctx, isoFile, byName.get('iso_storage_pool'), byName.get('iso_checksum'), label) : undefined;
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
    const mapped = mapIsoFile(ctx, isoFile, byName.get('iso_storage_pool'), byName.get('iso_checksum'), label);
    if (mapped) {
      const pool = byName.get('iso_storage_pool');
      const keepPool = pool && mapped.attributes.some((a) => a.commentsOf === pool);
      const replacement = keepPool ? mapped.attributes.filter((a) => a.commentsOf !== pool) : mapped.attributes;
      ctx.plan.operations.push({ kind: 'replace-attribute', attribute: isoFile, attributes: replacement });
      if (pool && !keepPool) ctx.plan.operations.push({ kind: 'remove', item: pool });
      // A kept iso_checksum moves up next to iso_url (copied as written): its old line goes too.
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

/** Where an ISO is downloaded from, with what the expressions that name it may reuse. */
interface Location {
  url: string;
  /** The mapped checksum (`file:<url>`, a typed hash, `none`); undefined when none is published. */
  checksum: string | undefined;
  origin: string;
  /** The catalogue's reading of the name (undefined for a --url-map entry). */
  official?: OfficialDownload;
  fromMap: boolean;
}

/**
 * The user's own iso_checksum next to an iso_file, when it is a real one: it is kept as written
 * (a pinned hash the user checked beats a checksum file), so the mapping only adds the URL.
 */
function pinnedChecksum(ctx: Context, attr: Attribute | undefined): Attribute | undefined {
  if (!attr) return undefined;
  const value = ctx.template.evaluate(attr.expr);
  if (isUnknown(value)) return attr;
  return typeof value === 'string' && value.trim() !== '' && value.trim().toLowerCase() !== 'none' ? attr : undefined;
}

/** The same-line comment of a native attribute (`# Must exist!`), if it has one. */
function trailingComment(attr: Attribute): string | undefined {
  if (attr.parent.syntax !== 'hcl') return undefined;
  const text = attr.parent.file.text;
  const end = attr.range.end.offset;
  const lineEnd = text.indexOf('\n', end);
  const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd).trim();
  return /^(#|\/\/|\/\*)/.test(rest) ? rest : undefined;
}

function mapIsoFile(ctx: Context, attr: Attribute, poolAttr: Attribute | undefined, checksumAttr: Attribute | undefined, label: string): MappedIso | undefined {
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
  const pinned = pinnedChecksum(ctx, checksumAttr);
  const fromMap = ctx.options.urlMap?.get(volid.name);
  const official = fromMap ? undefined : (ctx.options.lookup ?? findOfficialDownload)(volid.name);
  const where: Location | undefined = fromMap
    ? { url: fromMap.url, checksum: fromMap.checksum, origin: `--url-map (${formatRange(fromMap.range)})`, fromMap: true }
    : official && (official.checksum !== undefined || pinned)
      ? { url: official.url, checksum: official.checksum, origin: `${official.distribution} official download`, official, fromMap: false }
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

  // URL and checksum: literal for a literal iso_file; for an expression, written with the same
  // expressions when that is right for every value they can take, else the ISO is left as it is.
  const parts = templateParts(attr.expr);
  const literal = parts ? literalText(parts) : undefined;
  const split = parts ? splitVolidParts(parts) : undefined;
  let derived: Derived | Refusal;
  if (literal !== undefined) derived = { url: [{ kind: 'literal', text: where.url }], checksum: where.checksum === undefined ? undefined : [{ kind: 'literal', text: where.checksum }], notes: [] };
  else if (!split) derived = { refused: `the whole volume id comes from \`${hclOf(attr.expr)}\`, so no URL written with it can follow its value` };
  else derived = deriveExpressions(ctx, attr, where, volid.name, split.name, pinned !== undefined);
  if ('refused' in derived) {
    ctx.plan.unmapped.push({
      name: volid.name,
      volid: value,
      range: attr.range,
      hint: `It would download from ${where.url} (${where.origin}), but ${derived.refused}; writing today's values into the template would download the wrong ISO once they change. Write iso_url and iso_checksum next to it by hand, with the variables that pick the ISO, or write the ISO name out.`,
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
  const keepPool = poolAttr !== undefined && ctx.template.evaluate(poolAttr.expr) === volid.storage;
  // Storage pool: the part before `:iso/` as written, or the existing attribute when it agrees.
  let pool: NewAttribute;
  if (keepPool) pool = { name: 'iso_storage_pool', value: { source: poolAttr.expr }, commentsOf: poolAttr };
  else if (split) pool = { name: 'iso_storage_pool', value: { hcl: partsToHcl(split.storage) } };
  else pool = { name: 'iso_storage_pool', value: { hcl: `"${volid.storage}"` } };

  const checksum: NewAttribute = pinned
    ? { name: 'iso_checksum', value: { source: pinned.expr }, commentsOf: pinned }
    : { name: 'iso_checksum', value: { hcl: partsToHcl(derived.checksum ?? []) } };
  const sum = pinned ? `its own iso_checksum, kept as written` : `checksum ${where.checksum}`;
  ctx.plan.changes.push({
    message: `${label}: iso_file ${value} → downloaded by the Proxmox node from ${where.url} (${sum}; from ${where.origin}).`,
    range: attr.range,
  });
  if (pinned && where.checksum !== undefined && where.fromMap) {
    ctx.plan.notes.push({ message: `${label}: the --url-map checksum of ${volid.name} (${where.checksum}) is not used: the template's own iso_checksum is kept.`, range: pinned.range });
  }
  for (const n of derived.notes) ctx.plan.notes.push({ message: `${label}: ${n}`, range: attr.range });
  const comment = trailingComment(attr);
  if (comment) {
    ctx.plan.notes.push({
      message: `${label}: the comment \`${comment}\` on the iso_file line goes with it (it was about the uploaded file); put it back by hand if it still applies.`,
      range: attr.range,
    });
  }
  return {
    attributes: [
      // The iso_file's comments above it stay; its same-line comment goes with the line it described.
      { name: 'iso_url', value: { hcl: partsToHcl(derived.url) }, commentsOf: attr, leadCommentsOnly: true },
      checksum,
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

interface Derived {
  url: TemplatePart[];
  /** Undefined when the user's own checksum is kept (nothing to derive). */
  checksum: TemplatePart[] | undefined;
  notes: string[];
}
interface Refusal {
  refused: string;
}

/** `[start, end)` of each interpolation's value inside the name, with its value. */
interface Placed {
  expression: string;
  value: string;
  start: number;
  end: number;
}

/**
 * URL and checksum as template parts built from the ISO name's own expressions, when they are
 * right for every value those expressions can take: each interpolation of the name must be
 * exactly a part of the name that the location shows as written (the version), or a part the
 * location does not depend on (Proxmox's ISO names, an image kind). Anything else (an
 * interpolation that picks the architecture, the distribution, or the whole name) is refused with
 * the reason, rather than freezing today's value into a host, a version or another distribution.
 */
function deriveExpressions(ctx: Context, attr: Attribute, where: Location, name: string, namePart: TemplatePart[], keepsChecksum: boolean): Derived | Refusal {
  const placed: Placed[] = [];
  let at = 0;
  for (const p of namePart) {
    if (p.kind === 'literal') {
      at += p.text.length;
      continue;
    }
    const value = evaluateSnippet(ctx, p.expression, attr);
    if (typeof value !== 'string') return { refused: `the part \`${p.expression}\` of the ISO name ${isUnknown(value) ? 'cannot be known before the build' : 'is not a string'}` };
    if (value === '') return { refused: `the part \`${p.expression}\` of the ISO name is empty, so what it stands for cannot be told` };
    placed.push({ expression: p.expression, value, start: at, end: at + value.length });
    at += value.length;
  }
  if (at !== name.length) return { refused: `the ISO name's parts do not add up to ${name}` };
  if (!where.url.endsWith('/' + name)) return { refused: `the URL does not end in the ISO name, so it cannot follow \`${placed.map((x) => x.expression).join('`, `')}\`` };
  const dir = where.url.slice(0, where.url.length - name.length);
  const subs: Array<[string, TemplatePart]> = [];
  const notes: string[] = [];
  if (where.official) {
    for (const x of placed) {
      const overlapping = where.official.nameParts.filter((g) => g.start < x.end && x.start < g.end);
      const exact = overlapping.length === 1 && overlapping[0]!.start === x.start && overlapping[0]!.end === x.end && overlapping[0]!.role === 'parameter' ? overlapping[0] : undefined;
      if (exact) {
        subs.push([x.value, { kind: 'interpolation', expression: x.expression }]);
        continue;
      }
      const nameOnly = [...Array(x.end - x.start).keys()].every((k) => where.official!.nameParts.some((g) => g.role === 'name-only' && g.start <= x.start + k && x.start + k < g.end));
      if (nameOnly) continue;
      const picked = overlapping.filter((g) => g.role !== 'name-only').map((g) => `${g.group} "${g.value}"`);
      return {
        refused: `\`${x.expression}\` gives "${x.value}", ${picked.length > 0 ? `the ${picked.join(' and ')} of the name, ` : 'which is more than a version, '}and the ${where.official.distribution} download location depends on ${picked.length > 1 ? 'them' : 'it'} in a way an expression cannot follow`,
      };
    }
  } else {
    for (const x of placed) {
      if (dir.includes(x.value)) return { refused: `the --url-map location ${dir} contains "${x.value}", which comes from \`${x.expression}\`` };
    }
    notes.push(`the --url-map entry for ${name} is used for every value of \`${placed.map((x) => x.expression).join('`, `')}\`: ISOs with other names must be in the same place (${dir}).`);
  }
  const url = normalizeParts([...substituteDelimited(dir, subs), ...namePart]);
  let checksum: TemplatePart[] | undefined;
  if (!keepsChecksum) {
    const sum = where.checksum ?? '';
    if (!sum.startsWith('file:') && sum.toLowerCase() !== 'none') {
      return { refused: `the checksum ${sum} is the hash of ${name} alone, and the name comes from \`${placed.map((x) => x.expression).join('`, `')}\`` };
    }
    checksum = normalizeParts(substitute(substituteDelimited(sum, subs), [[name, namePart]]));
    const literalRest = checksum.filter((p) => p.kind === 'literal').map((p) => (p as { text: string }).text).join('\n');
    const stuck = placed.find((x) => !subs.some(([v]) => v === x.value) && literalRest.includes(x.value));
    if (stuck && !where.official) return { refused: `the --url-map checksum location ${sum} contains "${stuck.value}", which comes from \`${stuck.expression}\`` };
  }
  // The parts must give today's URL and checksum back with today's values.
  const render = (ps: TemplatePart[]) => ps.map((p) => (p.kind === 'literal' ? p.text : placed.find((x) => x.expression === p.expression)?.value ?? '\u0000')).join('');
  if (render(url) !== where.url || (checksum && render(checksum) !== where.checksum)) return { refused: `the URL cannot be written with \`${placed.map((x) => x.expression).join('`, `')}\` alone` };
  const alternate = where.official?.alternates[0];
  if (where.official && alternate && subs.length > 0) {
    notes.push(
      `the URL is at ${hostOf(where.url)}, where ${where.official.distribution} publishes ${name} now; it keeps other releases at ${hostOf(alternate.url)}, so change the host if \`${subs.map(([, p]) => (p as { expression: string }).expression).join('`, `')}\` names one of those.`,
    );
  }
  return { url, checksum, notes };
}

function hostOf(url: string): string {
  return /^[a-z]+:\/\/[^/]+/i.exec(url)?.[0] ?? url;
}

/** Evaluates the text of an interpolation of `near`'s expression in the template's context. */
function evaluateSnippet(ctx: Context, text: string, near: Attribute): Value {
  try {
    return ctx.template.evaluate(parseExpressionSync(text, near.parent.file.displayPath));
  } catch (error) {
    if (error instanceof HclxError) return new UnknownValue(error.describe());
    throw error;
  }
}

/**
 * Replaces, in `text`, each value of `subs` where it stands as a whole path or name segment
 * (between `/`, `-`, `_` or the ends: `24.04` is not replaced inside `24.04.3`), longest first.
 */
function substituteDelimited(text: string, subs: ReadonlyArray<readonly [string, TemplatePart]>): TemplatePart[] {
  if (subs.length === 0) return [{ kind: 'literal', text }];
  const sorted = [...subs].sort((a, b) => b[0].length - a[0].length);
  const pattern = new RegExp(`(?<=^|[/_-])(${sorted.map(([v]) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?=$|[/_-])`, 'g');
  const out: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    out.push({ kind: 'literal', text: text.slice(last, m.index) });
    out.push({ ...sorted.find(([v]) => v === m[0])![1] });
    last = m.index + m[0].length;
  }
  out.push({ kind: 'literal', text: text.slice(last) });
  return normalizeParts(out);
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
    case 'replace-text':
      return op.file;
  }
}

export type { Body, Syntax };
