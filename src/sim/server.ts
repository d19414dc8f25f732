// The simulator's HTTP(S) front: /api2/json (auth, routing, permissions, parameter verification,
// PVE's response envelope and error shapes), /mirror/ and the test endpoints under /sim/.
// Tracks every socket so stop() can close keep-alive connections too.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError, AuthLayerError, permError } from './api-error.js';
import { methodInfo } from './api-schema.js';
import type { Identity } from './auth.js';
import type { Mirror } from './mirror.js';
import { verifyParams } from './param-schema.js';
import { MAX_BODY, queryParams, readBodyParams } from './request-body.js';
import type { Router } from './router.js';
import type { SimContext } from './sim-context.js';
import { isHclxError } from '../errors.js';

export const API_PREFIX = '/api2/json';

function reasonText(text: string): string {
  // The status line cannot carry control characters; PVE puts the first message line there.
  return text.split('\n')[0]!.replace(/[^\x20-\x7e\t]/g, '?') || 'Error';
}

function sendJson(res: ServerResponse, status: number, reason: string | undefined, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  if (res.headersSent) return;
  res.writeHead(status, reason ? reasonText(reason) : undefined, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': text.length,
    'Cache-Control': 'max-age=0',
    Pragma: 'no-cache',
  });
  res.end(text);
}

export interface SimServerOptions {
  sim: SimContext;
  router: Router;
  mirror: Mirror;
  tls?: { key: string; cert: string };
}

export class SimServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly scheme: string;

  constructor(private readonly opts: SimServerOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.dispatch(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, (e as Error).message, { data: null, message: `${(e as Error).message}\n` });
        else res.destroy();
      });
    };
    this.server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
    this.scheme = opts.tls ? 'https' : 'http';
    // Uploads of whole ISOs may take longer than node's default 5 minutes per request.
    this.server.requestTimeout = 0;
    this.server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => this.track(s));
    if (opts.tls) this.server.on('connection', (s: Socket) => this.track(s));
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections?.();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private baseUrl(req: IncomingMessage): string {
    return `${this.scheme}://${req.headers.host ?? 'localhost'}`;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const { sim } = this.opts;
    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) return this.api(req, res, url);
    if (url.pathname === '/mirror') {
      sim.stats.request(`${req.method} /mirror`);
      res.writeHead(301, { Location: '/mirror/', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (url.pathname.startsWith('/mirror/')) {
      sim.stats.request(`${req.method} /mirror`);
      return this.opts.mirror.handle(req, res, url.pathname.slice('/mirror/'.length), `${this.baseUrl(req)}/mirror/`);
    }
    if (url.pathname.startsWith('/sim/')) return this.simEndpoint(req, res, url);
    sendJson(res, 404, 'Not Found', { data: null, message: 'Not Found\n' });
  }

  /** Test endpoints (no authentication): stats, faults, VM records. */
  private async simEndpoint(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { sim } = this.opts;
    const key = `${req.method} ${url.pathname}`;
    if (key === 'GET /sim/stats') return sendJson(res, 200, undefined, { data: sim.stats.snapshot() });
    if (key === 'DELETE /sim/stats') {
      sim.stats.reset();
      return sendJson(res, 200, undefined, { data: null });
    }
    if (key === 'GET /sim/vms') return sendJson(res, 200, undefined, { data: sim.vms.list() });
    if (key === 'GET /sim/faults') return sendJson(res, 200, undefined, { data: sim.faults.list() });
    if (key === 'DELETE /sim/faults') {
      sim.faults.clear();
      return sendJson(res, 200, undefined, { data: null });
    }
    if (key === 'POST /sim/faults') {
      try {
        const body = await readBodyParams(req);
        const fromQuery = url.searchParams.getAll('spec');
        const specs = [...fromQuery, ...([] as unknown[]).concat(body.spec ?? body.fault ?? [])].map(String);
        if (specs.length === 0) throw new ApiError(400, 'give the fault as spec=KIND[:k=v,...] (form, query or JSON)');
        const added = specs.map((s) => sim.faults.add(s));
        return sendJson(res, 200, undefined, { data: added });
      } catch (e) {
        const msg = isHclxError(e) ? e.describe() : (e as Error).message;
        return sendJson(res, 400, msg, { data: null, message: `${msg}\n` });
      }
    }
    sendJson(res, 404, 'Not Found', { data: null, message: 'Not Found\n' });
  }

  /** An error of pve-http-server itself (`$self->error`): status and reason, no body, connection closed. */
  private bare(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
    req.resume();
    if (res.headersSent) return;
    res.writeHead(status, reasonText(reason), { 'Content-Length': 0, Connection: 'close', 'Cache-Control': 'max-age=0', Pragma: 'no-cache' });
    res.end();
  }

  private async api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { sim, router } = this.opts;
    const method = (req.method ?? 'GET').toUpperCase();
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname.slice(API_PREFIX.length)) || '/';
    } catch {
      rel = url.pathname.slice(API_PREFIX.length);
    }
    const match = router.match(method, rel);
    sim.stats.request(`${method} ${match ? match.def.path : '(no route)'}`);
    const faultMatches = (f: { path?: string; method?: string }) => (!f.path || rel.includes(f.path)) && (!f.method || f.method === method);
    if (sim.faults.take('api-drop', faultMatches)) {
      req.socket.destroy();
      return;
    }
    const injected = sim.faults.take('api-error', faultMatches);
    if (injected) {
      const reason = http.STATUS_CODES[injected.status!] ?? 'Error';
      return sendJson(res, injected.status!, reason, { data: null, message: `${reason}\n` });
    }
    try {
      const info = match ? methodInfo(match.def.path, method) : undefined;
      let identity: Identity | undefined;
      const open = info?.permissions?.user === 'world';
      if (!open) {
        identity = sim.auth.authenticate(req, method !== 'GET' && !match?.def.upload);
        if (!identity) throw new AuthLayerError('No ticket');
      }
      // pve-http-server, after authentication: only PUT and POST may carry a body, at most 64 KiB,
      // form-encoded or JSON (uploads stream their multipart body to the handler).
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > 0 && !match?.def.upload) {
        if (method !== 'PUT' && method !== 'POST') return this.bare(req, res, 501, `Unexpected content for method '${method}'`);
        if (length > MAX_BODY) return this.bare(req, res, 501, 'for data too large');
        const ctype = req.headers['content-type'];
        const ct = ctype?.split(/\s*[;,]\s*/)[0];
        if (ct && ct !== 'application/x-www-form-urlencoded' && ct !== 'application/json') return this.bare(req, res, 506, `upload 'Content-Type '${ctype}' not implemented`);
      }
      // Body first, then the query string: a query value overrides the body's (extract_params).
      const params: Record<string, unknown> = method === 'PUT' || method === 'POST' ? (match?.def.upload ? {} : await readBodyParams(req)) : {};
      Object.assign(params, queryParams(url));
      if (!match || !info) throw new ApiError(501, `Method '${method} ${rel}' not implemented`);
      for (const [k, v] of Object.entries(match.pathParams)) {
        if (params[k] !== undefined && String(params[k]) !== v) throw new ApiError(400, 'Parameter verification failed.', { [k]: 'duplicate parameter (already defined in URI) with conflicting values!' });
        params[k] = v;
      }
      if (identity?.tokenid && !info.allowtoken) throw permError(`URI '${rel}' not available with API token, need proper ticket.`);
      const who = identity ?? { userid: '' };
      const perms = info.permissions;
      if (!perms) {
        if (who.userid !== 'root@pam' || who.tokenid) throw permError();
      } else if (perms.check) sim.perms.evaluate(who, perms.check, params);
      if (!match.def.upload) {
        const errors = verifyParams(info.parameters, params);
        if (Object.keys(errors).length) throw new ApiError(400, 'Parameter verification failed.', errors);
      }
      const result = await match.def.handle({ sim, method, route: match.def.path, params, identity: who, req, res });
      if ('raw' in result) return;
      sendJson(res, 200, undefined, result.total === undefined ? { data: result.data } : { data: result.data, total: result.total });
    } catch (e) {
      if (e instanceof AuthLayerError) {
        const delay = sim.authFailureDelayMs();
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        req.resume();
        if (!res.headersSent) {
          res.writeHead(401, e.reason, { 'Content-Length': 0 });
          res.end();
        }
        return;
      }
      req.resume();
      const msg = (e as Error).message ?? String(e);
      // response(): a reason (the message's first line) holding a CR becomes a bare 400.
      if (msg.split('\n')[0]!.includes('\r')) return this.bare(req, res, 400, 'Bad Request');
      if (e instanceof ApiError) return sendJson(res, e.status, e.reason, { data: null, message: e.message, ...(e.errors ? { errors: e.errors } : {}) });
      sendJson(res, 500, msg, { data: null, message: msg.endsWith('\n') ? msg : `${msg}\n` });
    }
  }
}
