// Everything the API handlers share: the simulated cluster's state and the services around it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Permissions } from './acl.js';
import type { Authenticator, Identity } from './auth.js';
import type { FaultSet } from './faults.js';
import type { StatsCounter } from './stats.js';
import type { Storages } from './storage.js';
import type { TaskManager } from './tasks.js';
import type { VmRegistry } from './vms.js';

export interface SimContext {
  nodes: string[];
  storages: Storages;
  tasks: TaskManager;
  auth: Authenticator;
  perms: Permissions;
  faults: FaultSet;
  stats: StatsCounter;
  vms: VmRegistry;
  version: string;
  /** Where uploads are spooled before the imgcopy task moves them (PVE: /var/tmp). */
  spoolDir: string;
  authFailureDelayMs: () => number;
  /** Bytes per second of the node's hash passes (undefined: unpaced). */
  hashRate: number | undefined;
  /** IPv4 address the guest agent reports on the first NIC (undefined: none). */
  guestAddress: string | undefined;
}

export interface ApiCall {
  sim: SimContext;
  method: string;
  /** The matched route template, e.g. `/nodes/{node}/storage`. */
  route: string;
  params: Record<string, unknown>;
  identity: Identity;
  req: IncomingMessage;
  res: ServerResponse;
}

export type ApiResult = { data: unknown; total?: number } | { raw: true };

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The body is a multipart upload the handler streams itself. */
  upload?: boolean;
  handle(call: ApiCall): Promise<ApiResult>;
}
