// Which JSON properties are blocks when a caller gives no schema: Packer's own block types, plus
// the nested blocks of the Proxmox builders (the only plugin schema hclx needs). In native HCL
// blocks are syntactic; in JSON only a schema can tell `"disks": {...}` the block from a map.

import type { BodySchema } from './model.js';

const PROXMOX_SOURCE_BLOCKS: BodySchema['blocks'] = {
  boot_iso: { labels: 0 },
  additional_iso_files: { labels: 0 },
  disks: { labels: 0 },
  network_adapters: { labels: 0 },
  efi_config: { labels: 0 },
  vga: { labels: 0 },
  pci_devices: { labels: 0 },
  rng0: { labels: 0 },
  tpm_config: { labels: 0 },
  // The plugin docs' example uses `iso {}`; accept it so it can be reported.
  iso: { labels: 0 },
  dynamic: { labels: 1 },
};

const PROVISIONER_BLOCKS: BodySchema['blocks'] = { override: { labels: 0 } };

const SCHEMAS: Record<string, BodySchema> = {
  '': {
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
  },
  packer: { blocks: { required_plugins: { labels: 0 } } },
  dynamic: { blocks: { content: { labels: 0 } } },
  variable: { blocks: { validation: { labels: 0 } } },
  source: { blocks: PROXMOX_SOURCE_BLOCKS },
  build: {
    blocks: {
      source: { labels: 1 },
      dynamic: { labels: 1 },
      provisioner: { labels: 1 },
      'error-cleanup-provisioner': { labels: 1 },
      'post-processor': { labels: 1 },
      'post-processors': { labels: 0 },
      hcp_packer_registry: { labels: 0 },
    },
  },
  'build/source': { blocks: PROXMOX_SOURCE_BLOCKS },
  'build/provisioner': { blocks: PROVISIONER_BLOCKS },
  'build/post-processors': { blocks: { 'post-processor': { labels: 1 } } },
};

const EMPTY: BodySchema = { blocks: {} };

/** The schema of a body reached through `path` (block types from the root). */
export function defaultJsonSchema(path: string[]): BodySchema {
  return SCHEMAS[path.join('/')] ?? SCHEMAS[path[path.length - 1] ?? ''] ?? EMPTY;
}
