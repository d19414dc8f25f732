// Which properties of Packer's bodies are blocks in HCL's JSON syntax (native syntax knows its
// blocks by itself; in JSON only a schema can tell `"disks": {...}` the block from a map). The one
// definition: JSON bodies read without a schema use defaultJsonSchema(), and the template stages
// name the schema of the body they read. Only the parts hclx reads are listed; every other
// property is an attribute.

import type { BodySchema } from './model.js';

/** Top level of a Packer configuration file. */
export const ROOT_SCHEMA: BodySchema = {
  blocks: {
    packer: { labels: 0 },
    variable: { labels: 1 },
    variables: { labels: 0 },
    locals: { labels: 0 },
    local: { labels: 1 },
    source: { labels: 2 },
    data: { labels: 2 },
    build: { labels: 0 },
    hcp_packer_registry: { labels: 0 },
  },
};

/** A `build {}` body. */
export const BUILD_SCHEMA: BodySchema = {
  blocks: {
    source: { labels: 1 },
    provisioner: { labels: 1 },
    'error-cleanup-provisioner': { labels: 1 },
    'post-processor': { labels: 1 },
    'post-processors': { labels: 0 },
    hcp_packer_registry: { labels: 0 },
    dynamic: { labels: 1 },
  },
};

/**
 * A Proxmox source body (proxmox-iso, proxmox-clone, or a build-level override of one): the
 * plugin's nested blocks. `serials` ([]string) and `vm_interface` (string) are attributes.
 */
export const PROXMOX_SOURCE_SCHEMA: BodySchema = {
  blocks: {
    boot_iso: { labels: 0 },
    additional_iso_files: { labels: 0 },
    dynamic: { labels: 1 },
    disks: { labels: 0 },
    efi_config: { labels: 0 },
    network_adapters: { labels: 0 },
    pci_devices: { labels: 0 },
    tpm_config: { labels: 0 },
    vga: { labels: 0 },
    rng0: { labels: 0 },
    ipconfig: { labels: 0 },
  },
};

/** A `dynamic "x" {}` body: its `content {}` block. */
export const DYNAMIC_SCHEMA: BodySchema = { blocks: { content: { labels: 0 } } };

/** `variable "x" {}` body. */
export const VARIABLE_SCHEMA: BodySchema = { blocks: { validation: { labels: 0 } } };

/** Bodies with attributes only (locals, var files, content blocks). */
export const ATTRIBUTES_ONLY: BodySchema = { blocks: {} };

/** `packer {}` body. */
export const PACKER_SCHEMA: BodySchema = { blocks: { required_plugins: { labels: 0 } } };

/** A provisioner body: its `override {}`. */
export const PROVISIONER_SCHEMA: BodySchema = { blocks: { override: { labels: 0 } } };

/** `post-processors {}`: a chain of post-processor blocks. */
export const POST_PROCESSORS_SCHEMA: BodySchema = { blocks: { 'post-processor': { labels: 1 } } };

/** Schemas by the path of block types from the root (`build/source`), else by the last type. */
const BY_PATH: Record<string, BodySchema> = {
  '': ROOT_SCHEMA,
  packer: PACKER_SCHEMA,
  dynamic: DYNAMIC_SCHEMA,
  variable: VARIABLE_SCHEMA,
  source: PROXMOX_SOURCE_SCHEMA,
  build: BUILD_SCHEMA,
  'build/source': PROXMOX_SOURCE_SCHEMA,
  'build/provisioner': PROVISIONER_SCHEMA,
  'build/post-processors': POST_PROCESSORS_SCHEMA,
};

/** The schema of a body reached through `path` (block types from the root). */
export function defaultJsonSchema(path: string[]): BodySchema {
  return BY_PATH[path.join('/')] ?? BY_PATH[path[path.length - 1] ?? ''] ?? ATTRIBUTES_ONLY;
}
