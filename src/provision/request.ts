// What the engine works on: one ISO a template needs on a Proxmox storage, with everything already
// evaluated and resolved (URLs, checksum, storage, node, connection). from-specs.ts builds these
// from the template's IsoSpecs; tests and other callers can build them directly.

import type { SourceRange } from '../errors.js';
import type { PveClient } from '../pve/client.js';
import type { PveConnection } from '../pve/connection.js';
import type { Checksum } from './naming.js';

export interface IsoRequest {
  /** Stable label for messages, e.g. `source.proxmox-iso.debian boot_iso`. */
  label: string;
  /** `proxmox-iso.debian` */
  source: string;
  /** `boot_iso`, `additional_iso_files[1]`, `top-level`. */
  block: string;
  /** Where the ISO block is written (the whole spec), for messages. */
  range?: SourceRange;
  /** Where iso_url (or iso_urls) is written. */
  urlRange?: SourceRange;
  /** Where iso_storage_pool is written. */
  storageRange?: SourceRange;
  /** Where the source's node is written. */
  nodeRange?: SourceRange;
  /** iso_urls (mirrors, in order) or [iso_url]. */
  urls: string[];
  checksum: Checksum;
  storage: string;
  node: string;
  connection: PveConnection;
}

/** The Proxmox calls the engine makes (a PveClient; tests may pass a recorded fake). */
export type NodeApi = Pick<
  PveClient,
  'connection' | 'nodes' | 'storages' | 'content' | 'deleteContent' | 'downloadUrl' | 'queryUrlMetadata' | 'taskStatus' | 'taskLog' | 'tasks' | 'stopTask'
>;

/** The cluster a connection talks to; specs of the same endpoint share one client and one inventory. */
export function endpointOf(connection: PveConnection): string {
  const who = connection.auth.kind === 'token' ? connection.auth.tokenId : connection.auth.username;
  return `${connection.url}#${who}`;
}

/** Where a message about this request points: the storage attribute, else the block. */
export function placeOf(request: IsoRequest, what: 'storage' | 'node' | 'block' = 'block'): SourceRange | undefined {
  if (what === 'storage') return request.storageRange ?? request.range;
  if (what === 'node') return request.nodeRange ?? request.range;
  return request.range;
}
