// Connection settings for the Proxmox API, resolved the way the Packer Proxmox plugin does
// (packer-plugin-proxmox.md §4): the source block's values, each falling back to its environment
// variable when empty; `token` wins over `password`; token auth needs `user@realm!tokenid`.

import { TemplateError, type SourceRange } from '../errors.js';
import { registerSecret } from '../log.js';
import type { Principal } from './privileges.js';

export type PveAuth =
  | { kind: 'token'; /** `user@realm!tokenid` */ tokenId: string; secret: string }
  | { kind: 'password'; /** `user@realm` */ username: string; password: string };

export interface PveConnection {
  /** Base URL of the API, ending in `/api2/json` (no trailing slash). */
  url: string;
  node?: string;
  auth: PveAuth;
  insecureSkipTlsVerify?: boolean;
  /** PEM file with extra CA certificates (in addition to the system roots). */
  caFile?: string;
}

/** The connection attributes of a `proxmox-iso`/`proxmox-clone` source, already evaluated. */
export interface PveSourceSettings {
  proxmox_url?: string | null;
  username?: string | null;
  password?: string | null;
  token?: string | null;
  node?: string | null;
  insecure_skip_tls_verify?: boolean | null;
}

export interface ResolveConnectionOptions {
  env?: NodeJS.ProcessEnv;
  /** `--ca-file` */
  caFile?: string;
  /** Where each attribute was written, and the source block itself, for messages. */
  ranges?: Partial<Record<keyof PveSourceSettings, SourceRange>>;
  sourceRange?: SourceRange;
  /** e.g. `source "proxmox-iso" "debian"`, for messages. */
  sourceName?: string;
}

const nonEmpty = (v: string | null | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function resolveConnection(settings: PveSourceSettings, options: ResolveConnectionOptions = {}): PveConnection {
  const env = options.env ?? process.env;
  const where = options.sourceName ? ` in ${options.sourceName}` : '';
  const rangeOf = (k: keyof PveSourceSettings) => options.ranges?.[k] ?? options.sourceRange;
  const fail = (attr: keyof PveSourceSettings, message: string, hint: string) => {
    const range = rangeOf(attr);
    return new TemplateError(message, { code: 'E_PVE_CONNECTION', hint, ...(range ? { range } : {}) });
  };

  const rawUrl = nonEmpty(settings.proxmox_url) ?? nonEmpty(env.PROXMOX_URL);
  if (!rawUrl) throw fail('proxmox_url', `proxmox_url is not set${where}.`, 'Set proxmox_url = "https://<host>:8006/api2/json" in the source block or export PROXMOX_URL.');
  const url = normalizeApiUrl(rawUrl, (msg, hint) => fail('proxmox_url', msg, hint));

  const username = nonEmpty(settings.username) ?? nonEmpty(env.PROXMOX_USERNAME);
  const token = nonEmpty(settings.token) ?? nonEmpty(env.PROXMOX_TOKEN);
  const password = settings.password || env.PROXMOX_PASSWORD || undefined;
  if (!username) throw fail('username', `username is not set${where}.`, 'Set username (e.g. "root@pam", or "ci@pve!hclx" for an API token) in the source block or export PROXMOX_USERNAME.');
  if (!username.includes('@')) {
    throw fail('username', `username '${username}' has no realm${where}.`, `Proxmox needs the realm: write '${username}@pam' (Linux user) or '${username}@pve' (Proxmox user).`);
  }

  let auth: PveAuth;
  if (token) {
    if (!username.includes('!')) {
      throw fail('username', `A token is set${where} but username '${username}' names no token.`, `For API token authentication, username is 'user@realm!tokenid', e.g. '${username}!hclx'.`);
    }
    registerSecret(token);
    auth = { kind: 'token', tokenId: username, secret: token };
  } else if (username.includes('!')) {
    throw fail('token', `username '${username}' names an API token${where} but no token secret is set.`, 'Set token = "<secret>" in the source block (from a sensitive variable) or export PROXMOX_TOKEN.');
  } else if (password) {
    registerSecret(password);
    auth = { kind: 'password', username, password };
  } else {
    throw fail('password', `Neither password nor token is set${where}.`, 'Set token (API token secret, recommended) or password in the source block, or export PROXMOX_TOKEN or PROXMOX_PASSWORD.');
  }

  const node = nonEmpty(settings.node);
  return {
    url,
    ...(node ? { node } : {}),
    auth,
    ...(settings.insecure_skip_tls_verify ? { insecureSkipTlsVerify: true } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
  };
}

/** Validates an API URL and strips its trailing slash; `https://h:8006/api2/json/` → `https://h:8006/api2/json`. */
export function normalizeApiUrl(raw: string, fail: (message: string, hint: string) => Error): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw fail(`proxmox_url '${raw}' is not a URL.`, 'Write it as "https://<host>:8006/api2/json".');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw fail(`proxmox_url '${raw}' must use https://.`, 'Write it as "https://<host>:8006/api2/json".');
  if (u.username || u.password) throw fail('proxmox_url must not contain credentials.', 'Put them in username and token/password (or PROXMOX_USERNAME and PROXMOX_TOKEN).');
  const path = u.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/api2/json')) {
    throw fail(
      `proxmox_url '${raw}' does not end in /api2/json.`,
      `Packer needs the full API path: "${u.origin}${path}/api2/json".`,
    );
  }
  return `${u.origin}${path}`;
}

export function principalOf(auth: PveAuth): Principal {
  return auth.kind === 'token' ? { kind: 'token', id: auth.tokenId } : { kind: 'user', id: auth.username };
}
