// Turns a failed Proxmox API answer into a ProxmoxError with a stable code and the fix. Proxmox
// reports most handler failures as 500 with the `die` text as message (pve-api.md §5.4), so the
// classification reads the message; the raw status and message are always kept in `details`.

import { ProxmoxError } from '../errors.js';
import { leastPrivilegeGrant, requiredPrivileges, type Principal } from './privileges.js';

export interface ApiFailure {
  method: string;
  /** API path below `/api2/json`, without the query string. */
  path: string;
  status: number;
  statusText: string;
  /** Parsed JSON body (`{data:null, message?, errors?}`) or undefined when empty/not JSON. */
  body: unknown;
  /** Who made the call (for permission hints). */
  principal?: Principal;
}

/** Stable codes of the Proxmox failures hclx distinguishes. */
export const PveErrorCode = {
  auth: 'E_PVE_AUTH',
  csrf: 'E_PVE_CSRF',
  tokenNotAllowed: 'E_PVE_TOKEN_NOT_ALLOWED',
  permission: 'E_PVE_PERMISSION',
  storageNotFound: 'E_PVE_STORAGE_NOT_FOUND',
  storageDisabled: 'E_PVE_STORAGE_DISABLED',
  storageNotOnNode: 'E_PVE_STORAGE_NOT_ON_NODE',
  storageNotFileBased: 'E_PVE_STORAGE_NOT_FILE_BASED',
  storageNoIso: 'E_PVE_STORAGE_NO_ISO',
  nodeNotFound: 'E_PVE_NODE_NOT_FOUND',
  nodeName: 'E_PVE_NODE_NAME',
  noSuchTask: 'E_PVE_NO_SUCH_TASK',
  parameter: 'E_PVE_PARAMETER',
  urlMetadata: 'E_PVE_URL_METADATA',
  notImplemented: 'E_PVE_NOT_IMPLEMENTED',
  server: 'E_PVE_SERVER',
  proxyHop: 'E_PVE_PROXY_HOP',
  http: 'E_PVE_HTTP',
  badResponse: 'E_PVE_BAD_RESPONSE',
} as const;

/** Codes whose fix is to pick another storage: the client appends the node's ISO storages. */
export const STORAGE_CHOICE_CODES: ReadonlySet<string> = new Set([
  PveErrorCode.storageNotFound,
  PveErrorCode.storageDisabled,
  PveErrorCode.storageNotOnNode,
  PveErrorCode.storageNotFileBased,
  PveErrorCode.storageNoIso,
]);
/** Codes whose fix is to use another node name: the client appends the cluster's node names. */
export const NODE_CHOICE_CODES: ReadonlySet<string> = new Set([PveErrorCode.nodeNotFound, PveErrorCode.nodeName]);

/** The PVE message: `message` in the JSON body (PVE ≥ 8.3), else the HTTP reason phrase. */
export function pveMessage(status: number, statusText: string, body: unknown): string {
  const b = body as { message?: unknown } | null | undefined;
  const msg = typeof b?.message === 'string' && b.message.trim() ? b.message : statusText;
  return (msg || `HTTP ${status}`).trim();
}

function paramErrors(body: unknown): Record<string, string> {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!errors || typeof errors !== 'object') return {};
  return Object.fromEntries(Object.entries(errors as Record<string, unknown>).map(([k, v]) => [k, String(v).trim()]));
}

function segment(path: string, name: string): string | undefined {
  const m = new RegExp(`/${name}/([^/]+)`).exec(path);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

const LIST_ISO_STORAGES = 'Run `pvesm status --content iso` on the node to see the storages that accept ISOs, and set iso_storage_pool to one of them.';

export function proxmoxErrorFromResponse(f: ApiFailure): ProxmoxError {
  const msg = pveMessage(f.status, f.statusText, f.body);
  const errors = paramErrors(f.body);
  const node = segment(f.path, 'nodes');
  const storage = segment(f.path, 'storage');
  const call = `${f.method} ${f.path}`;
  const raw = `${f.status} ${msg}${Object.keys(errors).length ? ` (${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ')})` : ''}`;
  const details = { status: f.status, pveMessage: msg, errors, method: f.method, path: f.path, node, storage };
  const make = (code: string, message: string, hint?: string) =>
    new ProxmoxError(message, { code, status: f.status, ...(hint ? { hint } : {}), details });

  let m: RegExpExecArray | null;

  if (f.status === 401) {
    if (/csrf/i.test(msg)) return make(PveErrorCode.csrf, `Proxmox refused ${call}: ${raw}.`, 'The login ticket and its CSRF token did not match; run again, and report it if it repeats.');
    if (f.principal?.kind === 'token') {
      return make(
        PveErrorCode.auth,
        `Proxmox rejected the API token '${f.principal.id}' (${raw}).`,
        "Check that username is `user@realm!tokenid` and token (or PROXMOX_TOKEN) is that token's secret; list tokens with `pveum user token list <user@realm>` and create one with `pveum user token add <user@realm> <tokenid>`.",
      );
    }
    const who = f.principal ? ` for '${f.principal.id}'` : '';
    return make(
      PveErrorCode.auth,
      `Proxmox rejected the login${who} (${raw}).`,
      'Check username (with its realm, e.g. `root@pam` or `ci@pve`) and password (or PROXMOX_USERNAME / PROXMOX_PASSWORD); a user with two-factor authentication needs an API token instead.',
    );
  }

  if (f.status === 403) {
    if (/not available with API token/i.test(msg)) {
      return make(PveErrorCode.tokenNotAllowed, `Proxmox does not allow ${call} with an API token (${raw}).`, 'Use password authentication for this operation.');
    }
    const named = /Permission check failed \(([^,)]+),\s*([^)]+)\)/.exec(msg);
    const needs = named ? [{ path: named[1]!.trim(), privs: named[2]!.trim() }] : (requiredPrivileges(f.method, f.path) ?? []);
    const needText = needs.length ? ` It needs ${needs.map((n) => `${n.privs} on ${n.path}`).join(' and ')}.` : '';
    const who = f.principal ? `'${f.principal.id}'` : 'The API user';
    const grant = leastPrivilegeGrant({
      principal: f.principal ?? { kind: 'user', id: '<user@realm>' },
      ...(node ? { node } : {}),
      ...(storage ? { storage } : {}),
      allowDelete: f.method === 'DELETE' && !!storage,
    });
    return make(PveErrorCode.permission, `${who} has insufficient privileges for ${call} (${raw}).${needText}`, grant);
  }

  if (errors.upid && /no such task/i.test(errors.upid)) {
    return make(PveErrorCode.noSuchTask, `Proxmox has no such task (${call}: ${raw}).`, 'Task calls must go to the node that runs the task (the node inside the UPID).');
  }
  if (errors.storage && /no such storage/i.test(errors.storage)) {
    return make(PveErrorCode.storageNotFound, `Storage '${storage ?? '?'}' not found on node '${node ?? '?'}' (${raw}).`, LIST_ISO_STORAGES);
  }

  if ((m = /storage '([^']+)' does not exist/.exec(msg))) {
    return make(PveErrorCode.storageNotFound, `Storage pool '${m[1]}' not found (${raw}).`, LIST_ISO_STORAGES);
  }
  if ((m = /storage '([^']+)' is disabled/.exec(msg))) {
    return make(PveErrorCode.storageDisabled, `Storage '${m[1]}' is disabled (${raw}).`, `Enable it with \`pvesm set ${m[1]} --disable 0\`, or choose another storage. ${LIST_ISO_STORAGES}`);
  }
  if ((m = /storage '([^']+)' is not available on node '([^']+)'/.exec(msg))) {
    return make(PveErrorCode.storageNotOnNode, `Storage '${m[1]}' is not available on node '${m[2]}' (${raw}).`, `Add the node to the storage's nodes (\`pvesm set ${m[1]} --nodes ...\`) or choose another storage. ${LIST_ISO_STORAGES}`);
  }
  if ((m = /can't upload to storage type '([^']+)'/.exec(msg))) {
    return make(
      PveErrorCode.storageNotFileBased,
      `Storage '${storage ?? '?'}' (type ${m[1]}) cannot hold ISO files: it is not a file-based storage (${raw}).`,
      `ISOs live on file-based storages (dir, nfs, cifs, cephfs), e.g. \`local\`, never on \`local-lvm\` or ZFS/LVM/RBD pools. ${LIST_ISO_STORAGES}`,
    );
  }
  if ((m = /storage '([^']+)' is not configured for content-type '([^']+)'/.exec(msg))) {
    return make(
      PveErrorCode.storageNoIso,
      `Storage '${m[1]}' does not accept content type '${m[2]}' (${raw}).`,
      `Allow it with \`pvesm set ${m[1]} --content <current types>,${m[2]}\` (Datacenter > Storage > Edit > Content), or choose another storage. ${LIST_ISO_STORAGES}`,
    );
  }
  if ((m = /hostname lookup '([^']+)' failed|no such (?:cluster )?node '([^']+)'/i.exec(msg))) {
    const name = m[1] ?? m[2];
    return make(PveErrorCode.nodeNotFound, `Proxmox node '${name}' does not exist (${raw}).`, 'Set node to the node name shown by `pvecm nodes` (or `hostname` on a single node).');
  }

  if (f.status >= 595 && f.status <= 599) {
    if (f.status === 596 && node?.includes('.')) {
      return make(
        PveErrorCode.nodeName,
        `Proxmox could not reach node '${node}' (${raw}).`,
        `'${node}' looks like a host name (FQDN); Proxmox API paths need the node name (e.g. '${node.split('.')[0]}'), as shown by \`pvecm nodes\`. Set node to it.`,
      );
    }
    return make(
      PveErrorCode.proxyHop,
      `Proxmox could not forward ${call} to node '${node ?? '?'}' (${raw}).`,
      'The node named in the request is down, unreachable from the node you talk to, or has a certificate problem; check `pvecm status` and that node is the cluster node name, not its FQDN.',
    );
  }

  if (f.status === 400) {
    const hint = errors.filename && /extension/.test(errors.filename)
      ? 'ISO file names must end in .iso or .img.'
      : 'This is a request hclx built wrongly or this Proxmox version does not support; run with --log-level debug and report it.';
    return make(PveErrorCode.parameter, `Proxmox refused the parameters of ${call}: ${raw}.`, hint);
  }
  if ((m = /invalid server response: '([^']*)'/.exec(msg))) {
    return make(PveErrorCode.urlMetadata, `The node could not fetch the URL's metadata: the server answered '${m[1]}' (${raw}).`, 'Check that the URL is reachable from the Proxmox node (proxy in datacenter.cfg, DNS, firewall) and answers HEAD requests.');
  }
  if (f.status === 501) {
    return make(PveErrorCode.notImplemented, `Proxmox does not implement ${call} (${raw}).`, 'hclx needs Proxmox VE 7.0 or later; check that proxmox_url ends in /api2/json.');
  }
  if (f.status >= 500) {
    return make(PveErrorCode.server, `Proxmox failed on ${call} (${raw}).`, 'This can be a temporary problem of the node (hclx retries these); if it persists, check `journalctl -u pveproxy -u pvedaemon` on the node.');
  }
  if (f.status === 404) {
    return make(PveErrorCode.http, `Proxmox answered 404 to ${call} (${raw}).`, 'Check that proxmox_url points at the Proxmox API, `https://<host>:8006/api2/json`, and that no reverse proxy rewrites it.');
  }
  return make(PveErrorCode.http, `Proxmox refused ${call} (${raw}).`);
}
