// The HTTP layer under the Proxmox client (and the sums-file fetch): one undici dispatcher with
// keep-alive, TLS verification with optional extra CAs, and HTTPS_PROXY/HTTP_PROXY/NO_PROXY.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { UsageError } from '../errors.js';

/**
 * undici's fetch, for the sums-file download (src/resolve/checksum.ts). Re-exported from here, a
 * static import, because the CLI bundle (scripts/bundle.mjs) includes undici: importing the
 * bundled CommonJS package dynamically would give a module without named exports.
 */
export { fetch } from 'undici';

export interface TransportOptions {
  insecureSkipTlsVerify?: boolean;
  /** Extra CA certificates (PEM file), trusted in addition to the system roots. */
  caFile?: string;
  /** Environment for proxy variables and NODE_EXTRA_CA_CERTS (default process.env). */
  env?: NodeJS.ProcessEnv;
  connectTimeoutMs?: number;
}

export interface Transport {
  dispatcher: Dispatcher;
  /** Whether a request to `url` goes through a proxy (for error hints). */
  viaProxy(url: string): boolean;
  close(): Promise<void>;
}

function readPem(path: string, what: string): string {
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (e) {
    throw new UsageError(`${what} '${path}' cannot be used: ${(e as Error).message}.`, {
      hint: 'Give a PEM file with the CA certificate, e.g. a copy of /etc/pve/pve-root-ca.pem from the Proxmox node.',
    });
  }
}

/** The CA list to trust, or undefined for Node's default (system roots + NODE_EXTRA_CA_CERTS at start-up). */
export function trustedCas(options: TransportOptions): string[] | undefined {
  const env = options.env ?? process.env;
  const extra: string[] = [];
  if (env.NODE_EXTRA_CA_CERTS) extra.push(readPem(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS'));
  if (options.caFile) extra.push(readPem(options.caFile, 'The CA file'));
  return extra.length ? [...rootCertificates, ...extra] : undefined;
}

export function createTransport(options: TransportOptions = {}): Transport {
  const env = options.env ?? process.env;
  const ca = options.insecureSkipTlsVerify ? undefined : trustedCas(options);
  const tls = { rejectUnauthorized: !options.insecureSkipTlsVerify, ...(ca ? { ca } : {}) };
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? '';
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? '';
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  const dispatcher = new EnvHttpProxyAgent({
    // Explicit values (possibly '') so an injected env is not overridden by process.env.
    httpProxy,
    httpsProxy,
    noProxy,
    connect: { ...tls, timeout: options.connectTimeoutMs ?? 10_000 },
    requestTls: tls,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });
  return {
    dispatcher,
    viaProxy: (url) => proxyApplies(url, { httpProxy, httpsProxy, noProxy }),
    close: () => dispatcher.close(),
  };
}

/** Same rules as undici's EnvHttpProxyAgent: `*`, exact hosts, `.suffix`/`*.suffix`, optional `:port`. */
export function proxyApplies(url: string, cfg: { httpProxy: string; httpsProxy: string; noProxy: string }): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const proxy = u.protocol === 'https:' ? cfg.httpsProxy || cfg.httpProxy : cfg.httpProxy;
  if (!proxy) return false;
  const host = u.hostname.toLowerCase();
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  for (const raw of cfg.noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (raw === '*') return false;
    const [h = '', p] = raw.toLowerCase().split(/:(?=\d+$)/);
    if (p && p !== port) continue;
    if (/^[.*]/.test(h) ? host.endsWith(h.replace(/^\*/, '')) : host === h) return false;
  }
  return true;
}
