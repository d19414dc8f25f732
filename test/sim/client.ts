// A plain node:http(s) client for the simulator tests: raw status line, headers and body, so the
// tests see exactly what a Proxmox client would.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { SimHandle } from '../../src/sim/index.js';

export interface RawResponse {
  status: number;
  reason: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Form-encoded (object) or raw (string/Buffer) body. */
  form?: Record<string, string | number>;
  json?: unknown;
  body?: string | Buffer;
  ca?: string;
}

export function request(url: string, opts: RequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    let body: Buffer | undefined;
    if (opts.form) {
      body = Buffer.from(new URLSearchParams(Object.entries(opts.form).map(([k, v]) => [k, String(v)])).toString());
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      body = Buffer.from(JSON.stringify(opts.json));
      headers['Content-Type'] = 'application/json';
    } else if (opts.body !== undefined) body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
    if (body) headers['Content-Length'] = body.length;
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method: opts.method ?? 'GET', headers, agent: false, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Session {
  ticket: string;
  csrf: string;
  headers: Record<string, string>;
}

export async function login(sim: SimHandle, username = 'root@pam', password = 'hclx-sim'): Promise<Session> {
  const r = await request(`${sim.apiUrl}/access/ticket`, { method: 'POST', form: { username, password }, ca: caOf(sim) });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.reason}`);
  const { ticket, CSRFPreventionToken: csrf } = r.json.data;
  return { ticket, csrf, headers: { Cookie: `PVEAuthCookie=${ticket}`, CSRFPreventionToken: csrf } };
}

export function caOf(sim: SimHandle): string | undefined {
  return sim.caFile ? readFileSync(sim.caFile, 'utf8') : undefined;
}

/** API call with a session (or explicit headers). */
export function api(sim: SimHandle, auth: Session | Record<string, string> | undefined, method: string, path: string, params?: Record<string, string | number>): Promise<RawResponse> {
  const headers = auth ? ('headers' in auth ? (auth as Session).headers : (auth as Record<string, string>)) : {};
  const isGet = method === 'GET' || method === 'DELETE';
  const qs = isGet && params ? `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}` : '';
  return request(`${sim.apiUrl}${path}${qs}`, { method, headers, ...(!isGet && params ? { form: params } : {}), ca: caOf(sim) });
}

export function tokenHeader(tokenid: string, secret: string): Record<string, string> {
  return { Authorization: `PVEAPIToken=${tokenid}=${secret}` };
}

/** Polls a task until it stops (bounded), returns its status and full log. */
export async function waitTask(sim: SimHandle, auth: Session | Record<string, string>, upid: string, maxPolls = 400): Promise<{ exitstatus: string; log: string[] }> {
  const node = upid.split(':')[1];
  for (let i = 0; i < maxPolls; i++) {
    const s = await api(sim, auth, 'GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
    if (s.json?.data?.status === 'stopped') {
      const log = await api(sim, auth, 'GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`, { limit: 0 });
      return { exitstatus: s.json.data.exitstatus, log: log.json.data.map((l: { t: string }) => l.t) };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${upid} did not finish`);
}

/** Polls until `cond` holds (bounded). */
export async function until(cond: () => Promise<boolean> | boolean, maxPolls = 400): Promise<void> {
  for (let i = 0; i < maxPolls; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}
