// Which properties of Packer's bodies are blocks, for HCL's JSON syntax (native syntax knows its
// blocks by itself). Only the parts hclx reads are listed; everything else is an attribute.

import type { BodySchema } from '../hcl/model.js';

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

/** A proxmox source body (or a build-level override of one). */
export const PROXMOX_SOURCE_SCHEMA: BodySchema = {
  blocks: {
    boot_iso: { labels: 0 },
    additional_iso_files: { labels: 0 },
    dynamic: { labels: 1 },
    disks: { labels: 0 },
    efi_config: { labels: 0 },
    network_adapters: { labels: 0 },
    pci_devices: { labels: 0 },
    serials: { labels: 0 },
    tpm_config: { labels: 0 },
    vga: { labels: 0 },
    rng0: { labels: 0 },
    vm_interface: { labels: 0 },
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
