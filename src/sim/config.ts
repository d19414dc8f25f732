// The simulator's configuration: defaults of a fresh Proxmox VE install, the JSON config file
// (`hclx sim --config`), and the command-line specs (--user, --token, --mirror-file, --listen).
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { UsageError } from '../errors.js';
import { parseSize } from './faults.js';
import { KNOWN_PRIVILEGES } from './param-schema.js';
import type { SimAcl, SimConfig, SimStorage, SimToken, SimUser } from './types.js';

export const DEFAULT_PASSWORD = 'hclx-sim';
export const DEFAULT_VERSION = '9.1.2';

export interface ResolvedConfig {
  host: string;
  port: number;
  tls: boolean;
  dataDir: string | undefined;
  nodes: string[];
  storages: SimStorage[];
  users: SimUser[];
  tokens: SimToken[];
  acls: SimAcl[];
  ticketLifetime: number;
  authFailureDelayMs: number;
  mirrorDir: string | undefined;
  mirrorFiles: Record<string, number>;
  faults: string[];
  version: string;
  hashRate: number | undefined;
  guestAddress: string | undefined;
}

export function defaultStorages(): SimStorage[] {
  return [
    { storage: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup'] },
    { storage: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'] },
  ];
}

export function resolveConfig(c: SimConfig): ResolvedConfig {
  const users = [...(c.users ?? [])];
  if (!users.some((u) => u.userid === 'root@pam')) users.unshift({ userid: 'root@pam', password: DEFAULT_PASSWORD });
  return {
    host: c.host ?? '127.0.0.1',
    port: c.port ?? 0,
    tls: c.tls ?? false,
    dataDir: c.dataDir,
    nodes: c.nodes && c.nodes.length ? [...c.nodes] : ['pve'],
    storages: c.storages && c.storages.length ? c.storages.map((s) => ({ ...s, content: [...s.content] })) : defaultStorages(),
    users,
    tokens: [...(c.tokens ?? [])],
    acls: c.acls ? [...c.acls] : [{ path: '/', ugid: 'root@pam', privs: [...KNOWN_PRIVILEGES] }],
    ticketLifetime: c.ticketLifetime ?? 7200,
    authFailureDelayMs: c.authFailureDelayMs ?? 0,
    mirrorDir: c.mirrorDir,
    mirrorFiles: { ...(c.mirrorFiles ?? {}) },
    faults: [...(c.faults ?? [])],
    version: c.version ?? DEFAULT_VERSION,
    hashRate: c.hashRate,
    guestAddress: c.guestAddress,
  };
}

const USERID_RE = /^[^\s:/@]+@[A-Za-z][A-Za-z0-9.\-_]+$/;
const TOKENID_RE = /^([^\s:/@]+@[A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)$/;

/** `USER@REALM:PASSWORD` (the password may contain colons). */
export function parseUserSpec(spec: string, where = '--user'): SimUser {
  const i = spec.indexOf(':');
  const userid = i < 0 ? spec : spec.slice(0, i);
  if (i < 0 || !USERID_RE.test(userid) || spec.length === i + 1) throw new UsageError(`${where} '${userid}:…' is not USER@REALM:PASSWORD.`, { hint: 'Example: --user ci@pve:s3cret.' });
  return { userid, password: spec.slice(i + 1) };
}

/** `USER@REALM!ID=SECRET`. */
export function parseTokenSpec(spec: string, where = '--token'): SimToken {
  const i = spec.indexOf('=');
  const tokenid = i < 0 ? spec : spec.slice(0, i);
  if (i < 0 || !TOKENID_RE.test(tokenid) || spec.length === i + 1) throw new UsageError(`${where} '${tokenid}=…' is not USER@REALM!TOKENID=SECRET.`, { hint: 'Example: --token ci@pve!hclx=0b1c2d3e-aaaa-bbbb-cccc-123456789abc.' });
  return { tokenid, secret: spec.slice(i + 1) };
}

/** `NAME:SIZE` with SIZE in bytes or with K/M/G. */
export function parseMirrorFileSpec(spec: string): [string, number] {
  const i = spec.lastIndexOf(':');
  const name = spec.slice(0, i);
  const size = i > 0 ? parseSize(spec.slice(i + 1)) : undefined;
  if (!name || size === undefined || name.includes('/') || name.startsWith('.')) throw new UsageError(`--mirror-file '${spec}' is not NAME:SIZE.`, { hint: 'Example: --mirror-file debian-12.iso:64M.' });
  return [name, size];
}

/** `HOST:PORT`, `:PORT`, `PORT` or `[v6]:PORT`. */
export function parseListen(spec: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(spec.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port < 65536)) throw new UsageError(`--listen '${spec}' is not HOST:PORT.`, { hint: 'Example: --listen 127.0.0.1:8006 (port 0 picks a free port).' });
  const host = m[1] ?? (m[2] || undefined);
  return { host, port };
}

type Checker = (v: unknown, at: string) => void;

const isStr = (v: unknown) => typeof v === 'string';
function expect(ok: boolean, file: string, at: string, what: string): void {
  if (!ok) throw new UsageError(`${file}: '${at}' must be ${what}.`, { hint: 'See docs/reference/sim.md for the config file format.' });
}

/** Reads and checks a JSON config file (the SimConfig fields; faults as specs). */
export function loadConfigFile(path: string): SimConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the simulator config file '${path}': ${(e as Error).message}.`);
  }
  const errors: ParseError[] = [];
  const data: unknown = parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length) {
    const first = errors[0]!;
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const col = first.offset - before.lastIndexOf('\n');
    throw new UsageError(`${path}:${line}:${col}: the simulator config is not valid JSON (${printParseErrorCode(first.error)}).`, { hint: 'Fix the JSON syntax.' });
  }
  expect(typeof data === 'object' && data !== null && !Array.isArray(data), path, '(top level)', 'a JSON object');
  const obj = data as Record<string, unknown>;
  const strArray: Checker = (v, at) => expect(Array.isArray(v) && v.every(isStr), path, at, 'an array of strings');
  const num: Checker = (v, at) => expect(typeof v === 'number' && v >= 0, path, at, 'a non-negative number');
  const checks: Record<string, Checker> = {
    host: (v, at) => expect(isStr(v), path, at, 'a string'),
    port: num,
    tls: (v, at) => expect(typeof v === 'boolean', path, at, 'true or false'),
    dataDir: (v, at) => expect(isStr(v), path, at, 'a string'),
    nodes: strArray,
    storages: (v, at) => {
      expect(Array.isArray(v), path, at, 'an array');
      (v as unknown[]).forEach((s, i) => {
        const e = s as Record<string, unknown>;
        expect(typeof s === 'object' && s !== null && isStr(e.storage) && isStr(e.type), path, `${at}[${i}]`, 'an object with storage and type');
        strArray(e.content, `${at}[${i}].content`);
        if (e.total !== undefined) num(e.total, `${at}[${i}].total`);
        if (e.nodes !== undefined) strArray(e.nodes, `${at}[${i}].nodes`);
      });
    },
    users: (v, at) => {
      expect(Array.isArray(v), path, at, 'an array');
      (v as Array<Record<string, unknown>>).forEach((u, i) => expect(isStr(u?.userid) && isStr(u?.password) && USERID_RE.test(String(u.userid)), path, `${at}[${i}]`, 'an object with userid (user@realm) and password'));
    },
    tokens: (v, at) => {
      expect(Array.isArray(v), path, at, 'an array');
      (v as Array<Record<string, unknown>>).forEach((t, i) => expect(isStr(t?.tokenid) && isStr(t?.secret) && TOKENID_RE.test(String(t.tokenid)), path, `${at}[${i}]`, 'an object with tokenid (user@realm!id) and secret'));
    },
    acls: (v, at) => {
      expect(Array.isArray(v), path, at, 'an array');
      (v as Array<Record<string, unknown>>).forEach((a, i) => {
        expect(isStr(a?.path) && isStr(a?.ugid), path, `${at}[${i}]`, 'an object with path, ugid and privs');
        strArray(a.privs, `${at}[${i}].privs`);
        for (const p of a.privs as string[]) expect(KNOWN_PRIVILEGES.includes(p), path, `${at}[${i}].privs`, `known privileges ('${p}' is not one)`);
      });
    },
    ticketLifetime: num,
    authFailureDelayMs: num,
    mirrorDir: (v, at) => expect(isStr(v), path, at, 'a string'),
    mirrorFiles: (v, at) => expect(typeof v === 'object' && v !== null && Object.values(v).every((n) => typeof n === 'number'), path, at, 'an object of name: size in bytes'),
    faults: strArray,
    version: (v, at) => expect(isStr(v), path, at, 'a string'),
    hashRate: (v, at) => expect(typeof v === 'number' && v > 0, path, at, 'a positive number of bytes per second'),
    guestAddress: (v, at) => expect(isStr(v) && isIPv4(v as string), path, at, 'an IPv4 address'),
  };
  for (const [k, v] of Object.entries(obj)) {
    const check = checks[k];
    if (!check) throw new UsageError(`${path}: unknown setting '${k}'.`, { hint: `Known settings: ${Object.keys(checks).join(', ')}.` });
    check(v, k);
  }
  return obj as SimConfig;
}
