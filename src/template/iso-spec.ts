// IsoSpec: one ISO the template attaches to a Proxmox VM (the boot ISO or one additional ISO), with
// its evaluated settings and where each of them is written. It is what extraction produces and what
// validation, the download engine and the rewrite consume.

import type { SourceRange } from '../errors.js';
import type { Attribute, Block, Value } from '../hcl/model.js';

/** Which syntax holds the ISO: a `boot_iso {}` block, an `additional_iso_files {}` block, or the deprecated top-level fields of the source. */
export type IsoBlockKind = 'boot_iso' | 'additional_iso_files' | 'top-level';

/**
 * Which plugin generation the spec is written for, judging by its own syntax:
 * `modern` uses plugin ≥ 1.2 syntax (boot_iso, type/index, keep_cdrom_device), `legacy` uses syntax
 * that only Packer ≤ 1.6 / plugin < 1.2 documents (top-level iso_*, device), `either` is valid in both.
 */
export type IsoDialectSeen = 'modern' | 'legacy' | 'either';

/** The ISO attributes hclx understands (the union of every plugin generation). */
export const ISO_FIELD_NAMES = [
  'iso_url',
  'iso_urls',
  'iso_checksum',
  'iso_storage_pool',
  'iso_download_pve',
  'iso_file',
  'iso_target_path',
  'iso_target_extension',
  'unmount',
  'unmount_iso',
  'keep_cdrom_device',
  'type',
  'index',
  'device',
  'cd_files',
  'cd_content',
  'cd_label',
] as const;
export type IsoFieldName = (typeof ISO_FIELD_NAMES)[number];

/** Top-level fields of a proxmox-iso source that describe the boot ISO (plugin < 1.2 form, deprecated since 1.2). */
export const TOP_LEVEL_ISO_FIELDS: readonly IsoFieldName[] = [
  'iso_url',
  'iso_urls',
  'iso_checksum',
  'iso_storage_pool',
  'iso_download_pve',
  'iso_file',
  'iso_target_path',
  'iso_target_extension',
  'unmount_iso',
];

/** Fields a rewrite to `iso_file` removes (issue 2: everything that only serves a download). */
export const DOWNLOAD_FIELDS: readonly IsoFieldName[] = [
  'iso_url',
  'iso_urls',
  'iso_checksum',
  'iso_download_pve',
  'iso_storage_pool',
  'iso_target_path',
  'iso_target_extension',
];

/** One attribute of the spec: where it is written and what it evaluates to. */
export interface IsoField {
  name: string;
  attribute: Attribute;
  /** The evaluated value; an UnknownValue when it cannot be known before `packer build`. */
  value: Value;
  /** Set when the attribute is written in a build-level `source "<type>.<name>" {}` override. */
  override?: Block;
}

/** One instance of a `dynamic "boot_iso" / "additional_iso_files"` block. */
export interface DynamicInstance {
  /** The `dynamic` block itself. */
  block: Block;
  /** The `content {}` block whose attributes the instance evaluates. */
  content: Block;
  /** The iterator's name (the block type unless `iterator = x`). */
  iterator: string;
  /** Position of this instance among the dynamic block's instances. */
  position: number;
  /** Number of instances the dynamic block produced. */
  count: number;
  key: Value;
  value: Value;
}

/** Connection settings of the source the spec belongs to, evaluated on first use. */
export type ConnectionField = 'proxmox_url' | 'username' | 'password' | 'token' | 'node' | 'insecure_skip_tls_verify';
export const CONNECTION_FIELDS: readonly ConnectionField[] = ['proxmox_url', 'username', 'password', 'token', 'node', 'insecure_skip_tls_verify'];

export interface ConnectionSetting {
  /** Undefined when the source does not set it (the plugin then reads PROXMOX_* from the environment). */
  value: Value | undefined;
  range?: SourceRange;
}

export interface ConnectionSettings {
  /** Evaluates the setting on first call (later calls are cached). Password and token are registered as secrets. */
  get(field: ConnectionField): ConnectionSetting;
}

export interface IsoSpecSource {
  /** `proxmox-iso`, `proxmox-clone` or the legacy type name `proxmox`. */
  type: string;
  name: string;
  /** The top-level `source` block. */
  block: Block;
  /** The build-level `source "<type>.<name>" {}` block merged over it, when there is one. */
  override?: Block;
  /** `name` of that override (Packer names such a build `<type>.<override name>`). */
  overrideName?: string;
}

export interface IsoSpec {
  /** A short stable label for messages, e.g. `source.proxmox-iso.image (debian12) boot_iso`. */
  label: string;
  source: IsoSpecSource;
  kind: IsoBlockKind;
  /** 0 for the boot ISO; the position among the source's additional ISOs otherwise. */
  index: number;
  dialectSeen: IsoDialectSeen;
  /** The concrete block (`boot_iso {}`, `additional_iso_files {}`, or a dynamic block's `content {}`); undefined for top-level. */
  block?: Block;
  dynamic?: DynamicInstance;
  /** Range used when the problem is the spec as a whole (a missing attribute). */
  range: SourceRange;
  /** The ISO attributes that are set, by name. */
  fields: Partial<Record<IsoFieldName, IsoField>>;
  /** Attributes in the block that are not ISO attributes (typos, plugin-version mismatches). */
  otherAttributes: Attribute[];
  connection: ConnectionSettings;
}

/** The evaluated value of a field, `undefined` when the field is not set. */
export function fieldValue(spec: IsoSpec, name: IsoFieldName): Value | undefined {
  return spec.fields[name]?.value;
}

/** Whether the spec asks the Proxmox node to download its ISO (`iso_download_pve = true`). */
export function wantsPveDownload(spec: IsoSpec): boolean {
  return fieldValue(spec, 'iso_download_pve') === true;
}

/** The spec's URLs in order (`iso_urls`, else `iso_url`), known strings only. */
export function isoUrls(spec: IsoSpec): string[] {
  const urls = fieldValue(spec, 'iso_urls');
  if (Array.isArray(urls) && urls.length > 0) return urls.filter((u): u is string => typeof u === 'string');
  const url = fieldValue(spec, 'iso_url');
  return typeof url === 'string' && url !== '' ? [url] : [];
}
