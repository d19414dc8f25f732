// The simulated node's outgoing HTTP(S): one request at a time, no connection reuse (so stopping a
// task or the simulator leaves no socket behind), certificate checks as asked.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface OutgoingOptions {
  method: 'GET' | 'HEAD';
  verify: boolean;
  signal: AbortSignal;
  headers?: Record<string, string>;
}

export function sendRequest(url: URL, opts: OutgoingOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: opts.method,
      headers: opts.headers,
      agent: false,
      rejectUnauthorized: opts.verify,
      signal: opts.signal,
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Text after wget's `Connecting to ...` / LWP's `Can't connect` for a socket-level error. */
export function connectErrorText(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'EHOSTUNREACH':
      return 'No route to host';
    case 'ENETUNREACH':
      return 'Network is unreachable';
    case 'ECONNRESET':
      return 'Connection reset by peer';
    default:
      return err.message;
  }
}

export function isCertificateError(err: NodeJS.ErrnoException): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/.test(err.code ?? '');
}
