// The Proxmox VE API client: typed calls for what hclx needs, over one keep-alive undici
// dispatcher. Every failure leaves here as a ProxmoxError or NetworkError carrying the fix;
// idempotent GETs are retried on transient failures; every call is logged at debug level.

import { performance } from 'node:perf_hooks';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { ProxmoxError } from '../errors.js';
import type { Logger } from '../log.js';
import { NODE_CHOICE_CODES, PveErrorCode, STORAGE_CHOICE_CODES, proxmoxErrorFromResponse } from './api-error.js';
import { createAuthSession, type AuthSession } from './auth.js';
import { principalOf, type PveConnection } from './connection.js';
import { networkErrorFrom } from './network-error.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryClock, type RetryPolicy } from './retry.js';
import { createTransport, type Transport } from './transport.js';
import type {
  ContentInfo,
  ContentItem,
  DownloadUrlParams,
  PveNode,
  PveVersion,
  StorageConfig,
  StorageStatus,
  TaskListItem,
  TaskLogPage,
  TaskStatus,
  UrlMetadata,
} from './types.js';
import { parseUpid } from './upid.js';
import { parseVolid } from './volid.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type ApiParams = Record<string, string | number | boolean | undefined | null>;

export interface PveClientOptions {
  logger?: Logger;
  /** Environment for proxies and NODE_EXTRA_CA_CERTS (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Time allowed for a response's headers and between body chunks (default 30 s). */
  timeoutMs?: number;
  /** Retry policy for GET requests; false disables it. */
  retry?: RetryPolicy | false;
  /** Clock for retries and ticket renewal (tests). */
  clock?: RetryClock;
  random?: () => number;
  /** Renew a login ticket after this long (default 1 h; Proxmox tickets live 2 h). */
  ticketRenewAfterMs?: number;
  /** Use this dispatcher instead of creating one (it is not closed by close()). */
  dispatcher?: Dispatcher;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Retry on transient failures (default: true for GET, false otherwise). */
  retry?: boolean;
}

interface CallOptions extends RequestOptions {
  /** Append the node's ISO storages / the cluster's nodes to storage and node errors (default true). */
  enrich?: boolean;
}

interface Envelope {
  data: unknown;
  total?: unknown;
}

interface RawResponse {
  status: number;
  statusText: string;
  body: unknown;
}

const toBool = (v: unknown): boolean => v === 1 || v === true || v === '1';
const toList = (v: unknown): string[] => (typeof v === 'string' && v ? v.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(v) ? v.map(String) : []);
const toNum = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const seg = encodeURIComponent;

export class PveClient {
  readonly connection: PveConnection;
  private readonly logger: Logger | undefined;
  private readonly transport: Transport | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly auth: AuthSession;
  private readonly timeoutMs: number;
  private readonly retryPolicy: RetryPolicy | false;
  private readonly clock: RetryClock | undefined;
  private readonly random: (() => number) | undefined;
  private readonly origin: string;
  private readonly basePath: string;

  constructor(connection: PveConnection, options: PveClientOptions = {}) {
    this.connection = connection;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retryPolicy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.clock = options.clock;
    this.random = options.random;
    const base = new URL(connection.url);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
    } else {
      this.transport = createTransport({
        ...(connection.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
        ...(connection.caFile ? { caFile: connection.caFile } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
      this.dispatcher = this.transport.dispatcher;
    }
    const now = options.clock ? () => options.clock!.now() : undefined;
    this.auth = createAuthSession(connection.auth, (username, password) => this.login(username, password), {
      ...(now ? { now } : {}),
      ...(options.ticketRenewAfterMs ? { renewAfterMs: options.ticketRenewAfterMs } : {}),
    });
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.transport?.close();
  }

  // ---- generic ----------------------------------------------------------------------------------

  /** Calls `method path` (below /api2/json) and returns the `data` of the answer. */
  async request<T = unknown>(method: HttpMethod, path: string, params: ApiParams = {}, options: RequestOptions = {}): Promise<T> {
    return (await this.call(method, path, params, options)).data as T;
  }

  /** The whole answer envelope (`data`, and `total` for lists and logs). */
  private async call(method: HttpMethod, path: string, params: ApiParams, options: CallOptions): Promise<Envelope> {
    const policy = (options.retry ?? method === 'GET') ? this.retryPolicy : false;
    const once = () => this.authenticated(method, path, params, options.signal);
    try {
      if (policy === false) return await once();
      return await withRetry(once, {
        policy,
        ...(this.clock ? { clock: this.clock } : {}),
        ...(this.random ? { random: this.random } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: ({ error, attempt, delayMs }) => this.logger?.debug(`${method} ${path}: ${(error as Error).message} (retry ${attempt} in ${delayMs} ms)`),
      });
    } catch (error) {
      if (options.enrich === false || !(error instanceof ProxmoxError)) throw error;
      throw await this.enrich(error, options.signal);
    }
  }

  private async authenticated(method: HttpMethod, path: string, params: ApiParams, signal?: AbortSignal): Promise<Envelope> {
    let res = await this.send(method, path, params, await this.auth.headers(method), signal);
    if (res.status === 401 && (await this.auth.refreshAfterRejection())) {
      this.logger?.debug(`${method} ${path}: ticket rejected, logged in again`);
      res = await this.send(method, path, params, await this.auth.headers(method), signal);
    }
    return this.unwrap(method, path, res);
  }

  private unwrap(method: string, path: string, res: RawResponse): Envelope {
    if (res.status < 200 || res.status >= 300) {
      throw proxmoxErrorFromResponse({ method, path, status: res.status, statusText: res.statusText, body: res.body, principal: principalOf(this.connection.auth) });
    }
    if (!res.body || typeof res.body !== 'object' || !('data' in res.body)) {
      throw new ProxmoxError(`${this.connection.url}${path} did not answer like the Proxmox API (no JSON "data").`, {
        code: PveErrorCode.badResponse,
        status: res.status,
        hint: 'Check that proxmox_url is `https://<host>:8006/api2/json` and that no proxy or login page is in between.',
        details: { method, path },
      });
    }
    return res.body as Envelope;
  }

  private async login(username: string, password: string): Promise<{ ticket: string; CSRFPreventionToken: string }> {
    const res = await this.send('POST', '/access/ticket', { username, password }, {}, undefined);
    if (res.status === 401) {
      throw proxmoxErrorFromResponse({ method: 'POST', path: '/access/ticket', status: 401, statusText: res.statusText, body: res.body, principal: { kind: 'user', id: username } });
    }
    const data = this.unwrap('POST', '/access/ticket', res).data as { ticket?: string; CSRFPreventionToken?: string; NeedTFA?: number } | null;
    if (data?.NeedTFA) {
      throw new ProxmoxError(`User '${username}' has two-factor authentication enabled (${res.status}).`, {
        code: PveErrorCode.auth,
        status: res.status,
        hint: 'Use an API token for automation: `pveum user token add <user@realm> hclx`, then set username = "<user@realm>!hclx" and token.',
      });
    }
    if (!data?.ticket || !data.CSRFPreventionToken) {
      throw new ProxmoxError('Proxmox answered the login without a ticket.', { code: PveErrorCode.badResponse, status: res.status });
    }
    return { ticket: data.ticket, CSRFPreventionToken: data.CSRFPreventionToken };
  }

  /** One HTTP exchange; network failures become NetworkError, statuses are returned. */
  private async send(method: HttpMethod, path: string, params: ApiParams, headers: Record<string, string>, signal?: AbortSignal): Promise<RawResponse> {
    const encoded = encodeParams(params);
    const inQuery = method === 'GET' || method === 'DELETE';
    const query = inQuery && encoded ? `?${encoded}` : '';
    const url = `${this.origin}${this.basePath}${path}${query}`;
    const started = performance.now();
    let status = 0;
    try {
      const res = await undiciRequest(url, {
        method,
        dispatcher: this.dispatcher,
        headers: {
          accept: 'application/json',
          ...(!inQuery ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...headers,
        },
        ...(!inQuery ? { body: encoded } : {}),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(signal ? { signal } : {}),
      });
      status = res.statusCode;
      const text = await res.body.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status, statusText: res.statusText ?? '', body };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw networkErrorFrom(error, {
        url: `${this.connection.url}${path}`,
        peer: 'proxmox',
        ...(this.connection.caFile ? { caFile: this.connection.caFile } : {}),
        viaProxy: this.transport?.viaProxy(url) ?? false,
      });
    } finally {
      const ms = Math.round(performance.now() - started);
      this.logger?.debug(`${method} ${path}${query} ${status || 'failed'} ${ms}ms`);
    }
  }

  /** Appends what the user can choose instead: the node's ISO storages, or the cluster's nodes. */
  private async enrich(error: ProxmoxError, signal?: AbortSignal): Promise<ProxmoxError> {
    const node = (error.details?.node as string | undefined) ?? this.connection.node;
    let extra: string | undefined;
    try {
      if (STORAGE_CHOICE_CODES.has(error.code) && node && !NODE_CHOICE_CODES.has(error.code)) {
        const isoStorages = await this.storages(node, { content: 'iso', enabled: true }, { signal, retry: false, enrich: false });
        extra = isoStorages.length
          ? `Storages on node '${node}' that accept ISOs: ${isoStorages.map((s) => `${s.storage} (${s.type})`).join(', ')}.`
          : `No storage on node '${node}' accepts ISOs: add content type iso to a file-based storage, e.g. \`pvesm set local --content iso,vztmpl,backup\`.`;
      } else if (NODE_CHOICE_CODES.has(error.code)) {
        const nodes = await this.nodes({ signal, retry: false, enrich: false });
        if (nodes.length) extra = `Nodes in this cluster: ${nodes.map((n) => n.node).join(', ')}.`;
      }
    } catch {
      // Best effort: the original error is what matters.
    }
    if (!extra) return error;
    return new ProxmoxError(error.message, {
      code: error.code,
      ...(error.status !== undefined ? { status: error.status } : {}),
      hint: `${extra} ${error.hint ?? ''}`.trim(),
      ...(error.details ? { details: error.details } : {}),
      cause: error,
    });
  }

  // ---- typed calls ------------------------------------------------------------------------------

  async version(opts: RequestOptions = {}): Promise<PveVersion> {
    const d = await this.request<Record<string, unknown>>('GET', '/version', {}, opts);
    return { version: String(d?.version ?? ''), release: String(d?.release ?? ''), repoid: String(d?.repoid ?? '') };
  }

  async nodes(opts: CallOptions = {}): Promise<PveNode[]> {
    const d = (await this.call('GET', '/nodes', {}, opts)).data as Array<Record<string, unknown>> | null;
    return (d ?? []).map((n) => ({ node: String(n.node), status: String(n.status ?? 'unknown') }));
  }

  /** `GET /nodes/{node}/storage`; with `content`, disabled or unavailable storages are omitted by Proxmox. */
  async storages(node: string, filter: { content?: string; enabled?: boolean; storage?: string } = {}, opts: CallOptions = {}): Promise<StorageStatus[]> {
    const d = (await this.call('GET', `/nodes/${seg(node)}/storage`, { content: filter.content, enabled: filter.enabled, storage: filter.storage }, opts)).data as Array<Record<string, unknown>> | null;
    return (d ?? []).map((s) => {
      const total = toNum(s.total);
      const used = toNum(s.used);
      const avail = toNum(s.avail);
      return {
        storage: String(s.storage),
        type: String(s.type ?? ''),
        content: toList(s.content),
        enabled: s.enabled === undefined ? true : toBool(s.enabled),
        active: toBool(s.active),
        shared: toBool(s.shared),
        ...(total !== undefined ? { total } : {}),
        ...(used !== undefined ? { used } : {}),
        ...(avail !== undefined ? { avail } : {}),
      };
    });
  }

  /** storage.cfg sections (`GET /storage`), optionally filtered by type. */
  async storageConfigs(filter: { type?: string } = {}, opts: RequestOptions = {}): Promise<StorageConfig[]> {
    const d = await this.request<Array<Record<string, unknown>>>('GET', '/storage', { type: filter.type }, opts);
    return (d ?? []).map(storageConfigFrom);
  }

  /** One storage.cfg section (needs Datastore.Allocate on the storage). */
  async storageConfig(storage: string, opts: RequestOptions = {}): Promise<StorageConfig> {
    return storageConfigFrom(await this.request<Record<string, unknown>>('GET', `/storage/${seg(storage)}`, {}, opts));
  }

  async content(node: string, storage: string, filter: { content?: string } = {}, opts: RequestOptions = {}): Promise<ContentItem[]> {
    const d = await this.request<Array<Record<string, unknown>>>('GET', `/nodes/${seg(node)}/storage/${seg(storage)}/content`, { content: filter.content }, opts);
    return (d ?? []).map((c) => ({
      volid: String(c.volid),
      format: String(c.format ?? ''),
      size: toNum(c.size) ?? 0,
      ...(typeof c.content === 'string' ? { content: c.content } : {}),
      ...(toNum(c.ctime) !== undefined ? { ctime: toNum(c.ctime)! } : {}),
      ...(typeof c.notes === 'string' ? { notes: c.notes } : {}),
    }));
  }

  async contentInfo(node: string, volid: string, opts: RequestOptions = {}): Promise<ContentInfo> {
    const d = await this.request<Record<string, unknown>>('GET', `/nodes/${seg(node)}/storage/${seg(storageOf(volid))}/content/${seg(volid)}`, {}, opts);
    return {
      size: toNum(d?.size) ?? 0,
      ...(typeof d?.path === 'string' ? { path: d.path } : {}),
      ...(toNum(d?.used) !== undefined ? { used: toNum(d?.used)! } : {}),
      ...(typeof d?.format === 'string' ? { format: d.format } : {}),
    };
  }

  /** Deletes a volume; returns the `imgdel` task's UPID (null when Proxmox finished it within `delay`). */
  async deleteContent(node: string, volid: string, options: { delay?: number } = {}, opts: RequestOptions = {}): Promise<string | null> {
    const d = await this.request<string | null>('DELETE', `/nodes/${seg(node)}/storage/${seg(storageOf(volid))}/content/${seg(volid)}`, { delay: options.delay }, opts);
    return d ?? null;
  }

  /** Starts a `download` task on the node; returns its UPID. */
  async downloadUrl(node: string, storage: string, p: DownloadUrlParams, opts: RequestOptions = {}): Promise<string> {
    const upid = await this.request<string>(
      'POST',
      `/nodes/${seg(node)}/storage/${seg(storage)}/download-url`,
      {
        url: p.url,
        content: p.content ?? 'iso',
        filename: p.filename,
        checksum: p.checksum?.value,
        'checksum-algorithm': p.checksum?.algorithm,
        'verify-certificates': p.verifyCertificates,
        compression: p.compression,
      },
      opts,
    );
    parseUpid(String(upid));
    return String(upid);
  }

  async queryUrlMetadata(node: string, url: string, options: { verifyCertificates?: boolean } = {}, opts: RequestOptions = {}): Promise<UrlMetadata> {
    const d = await this.request<Record<string, unknown>>('GET', `/nodes/${seg(node)}/query-url-metadata`, { url, 'verify-certificates': options.verifyCertificates }, opts);
    const size = toNum(d?.size);
    return {
      ...(typeof d?.filename === 'string' ? { filename: d.filename } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(typeof d?.mimetype === 'string' ? { mimetype: d.mimetype } : {}),
    };
  }

  async taskStatus(upid: string, opts: RequestOptions = {}): Promise<TaskStatus> {
    const { node } = parseUpid(upid);
    const d = await this.request<Record<string, unknown>>('GET', `/nodes/${seg(node)}/tasks/${seg(upid)}/status`, {}, opts);
    return {
      upid,
      node,
      status: d?.status === 'running' ? 'running' : 'stopped',
      ...(typeof d?.exitstatus === 'string' ? { exitstatus: d.exitstatus } : {}),
      type: String(d?.type ?? ''),
      id: String(d?.id ?? ''),
      user: String(d?.user ?? ''),
      starttime: toNum(d?.starttime) ?? 0,
      pid: toNum(d?.pid) ?? 0,
    };
  }

  /** Task log lines after line `start` (0 = from the beginning), at most `limit` of them. */
  async taskLog(upid: string, range: { start?: number; limit?: number } = {}, opts: RequestOptions = {}): Promise<TaskLogPage> {
    const { node } = parseUpid(upid);
    const res = await this.call('GET', `/nodes/${seg(node)}/tasks/${seg(upid)}/log`, { start: range.start ?? 0, limit: range.limit ?? 500 }, opts);
    const lines = Array.isArray(res.data) ? (res.data as Array<Record<string, unknown>>).map((l) => ({ n: toNum(l.n) ?? 0, t: String(l.t ?? '') })) : [];
    const total = toNum(res.total);
    return { lines, ...(total !== undefined ? { total } : {}) };
  }

  async tasks(node: string, filter: { typefilter?: string; source?: 'archive' | 'active' | 'all'; userfilter?: string; limit?: number; start?: number } = {}, opts: RequestOptions = {}): Promise<TaskListItem[]> {
    const d = await this.request<Array<Record<string, unknown>>>('GET', `/nodes/${seg(node)}/tasks`, { ...filter }, opts);
    return (d ?? []).map((t) => ({
      upid: String(t.upid),
      node: String(t.node ?? node),
      type: String(t.type ?? ''),
      id: String(t.id ?? ''),
      user: String(t.user ?? ''),
      starttime: toNum(t.starttime) ?? 0,
      ...(toNum(t.endtime) !== undefined ? { endtime: toNum(t.endtime)! } : {}),
      ...(typeof t.status === 'string' ? { status: t.status } : {}),
    }));
  }

  /** Asks the node to stop a task (SIGTERM, SIGKILL after 5 s). Returns at once; see stopTaskAndWait. */
  async stopTask(upid: string, opts: RequestOptions = {}): Promise<void> {
    const { node } = parseUpid(upid);
    await this.request('DELETE', `/nodes/${seg(node)}/tasks/${seg(upid)}`, {}, opts);
  }

}

function storageOf(volid: string): string {
  const v = parseVolid(volid);
  if (!v) {
    throw new ProxmoxError(`'${volid}' is not a Proxmox volume id.`, { code: PveErrorCode.parameter, hint: 'A volume id looks like `local:iso/debian-12.iso`.' });
  }
  return v.storage;
}

function storageConfigFrom(s: Record<string, unknown>): StorageConfig {
  return {
    storage: String(s?.storage ?? ''),
    type: String(s?.type ?? ''),
    content: toList(s?.content),
    ...(typeof s?.path === 'string' ? { path: s.path } : {}),
    shared: toBool(s?.shared),
    disabled: toBool(s?.disable),
    ...(typeof s?.nodes === 'string' && s.nodes ? { nodes: toList(s.nodes) } : {}),
  };
}

/** Form/query encoding as Proxmox wants it: booleans as 1/0, empty values left out. */
export function encodeParams(params: ApiParams): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    q.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return q.toString();
}
