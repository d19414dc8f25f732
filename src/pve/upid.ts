// Proxmox task ids (UPIDs). Task calls must go to the node named inside the UPID: a task's log
// only exists on the node that ran it, and asking another node answers `400 no such task`.

import { ProxmoxError } from '../errors.js';

export interface Upid {
  node: string;
  pid: number;
  /** Process start time in clock ticks since boot (8 or 9 hex digits). */
  pstart: number;
  /** Unix epoch seconds. */
  starttime: number;
  /** Task type: `download`, `imgdel`, `imgcopy`, ... */
  type: string;
  /** Task id: the file name for `download`, the storage for `imgdel`; may be empty. */
  id: string;
  /** `user@realm` or `user@realm!tokenid`. */
  user: string;
}

// pve-common UPID.pm, with the trailing colon the format always has.
const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

export function tryParseUpid(text: string): Upid | undefined {
  const m = UPID_RE.exec(text);
  if (!m) return undefined;
  const [, node, pid, pstart, starttime, type, id, user] = m as unknown as [string, string, string, string, string, string, string, string];
  return {
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user,
  };
}

export function parseUpid(text: string): Upid {
  const upid = tryParseUpid(text);
  if (!upid) {
    throw new ProxmoxError(`Proxmox returned a task id hclx cannot parse: '${text}'.`, {
      code: 'E_PVE_BAD_UPID',
      hint: 'This Proxmox version may be unsupported; run with --log-level debug and report the API call.',
    });
  }
  return upid;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/** The inverse of parseUpid: `UPID:node:PID:PSTART:STARTTIME:type:id:user:`. */
export function formatUpid(upid: Upid): string {
  return `UPID:${upid.node}:${hex8(upid.pid)}:${hex8(upid.pstart)}:${hex8(upid.starttime)}:${upid.type}:${upid.id}:${upid.user}:`;
}
