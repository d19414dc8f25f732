// Turns a failure below HTTP (socket, DNS, TLS, timeout, proxy) into a NetworkError that names the
// URL and the fix. undici nests the system error in `cause` and happy-eyeballs failures in an
// AggregateError, so the whole chain is searched for the most telling code.

import { NetworkError } from '../errors.js';

export interface NetworkFailureContext {
  /** What was being contacted, e.g. `https://pve:8006/api2/json/version` (no credentials). */
  url: string;
  /** Who is talking: decides the TLS hint (`proxmox` mentions insecure_skip_tls_verify). */
  peer: 'proxmox' | 'mirror';
  caFile?: string;
  /** Whether HTTPS_PROXY/HTTP_PROXY applied to this URL. */
  viaProxy?: boolean;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

interface Found {
  code?: string;
  message: string;
}

/** The most specific code/message in an error's cause chain. */
export function rootCause(error: unknown): Found {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let first: Found | undefined;
  let best: Found | undefined;
  while (queue.length && seen.size < 20) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    const found: Found = { ...(typeof code === 'string' ? { code } : {}), message: typeof message === 'string' ? message : String(e) };
    first ??= found;
    if (found.code && (!best?.code || (best.code.startsWith('UND_ERR') && !found.code.startsWith('UND_ERR')))) best = found;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return best ?? first ?? { message: String(error) };
}

export function networkErrorFrom(error: unknown, ctx: NetworkFailureContext): NetworkError {
  const { code, message } = rootCause(error);
  const host = safeHost(ctx.url);
  const details = { url: ctx.url, cause: code ?? message };
  const make = (c: string, msg: string, hint: string) => new NetworkError(msg, { code: c, hint, cause: error, details });
  const proxyNote = ctx.viaProxy ? ' The request went through the proxy from HTTPS_PROXY/HTTP_PROXY; add the host to NO_PROXY if it should be reached directly.' : '';

  if (code && (TLS_CODES.has(code) || /^ERR_TLS_|^ERR_SSL_/.test(code) || /certificate/i.test(message))) {
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') {
      return make('E_NET_TLS', `TLS handshake with ${ctx.url} failed (${code}: ${message}).`, `The server may not speak HTTPS on that port; check the scheme and port of the URL.${proxyNote}`);
    }
    const fix =
      ctx.peer === 'proxmox'
        ? `Give hclx the CA that signed the Proxmox certificate with \`--ca-file <pem>\` (or NODE_EXTRA_CA_CERTS=<pem>; on the node it is /etc/pve/pve-root-ca.pem), or set insecure_skip_tls_verify = true in the source block to skip verification.`
        : 'Give hclx the CA that signed the server certificate with NODE_EXTRA_CA_CERTS=<pem>.';
    const altName = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ` The certificate is not valid for '${host}'; use the host name the certificate was issued for.` : '';
    const caNote = ctx.caFile ? ` The CA file ${ctx.caFile} did not verify it.` : '';
    return make('E_NET_TLS', `Could not verify the TLS certificate of ${ctx.url} (${code}: ${message}).${caNote}${altName}`, `${fix}${proxyNote}`);
  }
  switch (code) {
    case 'ECONNREFUSED':
      return make('E_NET_REFUSED', `Connection to ${ctx.url} was refused.`, `Check the host and port (Proxmox listens on 8006) and that the service is running.${proxyNote}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make('E_NET_DNS', `Could not resolve the host name '${host}' of ${ctx.url} (${code}).`, 'Check the spelling of the host in the URL and your DNS settings.');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return make('E_NET_RESET', `The connection to ${ctx.url} was closed unexpectedly (${code}: ${message}).`, `A firewall, a proxy or the server dropped it; hclx retries such failures.${proxyNote}`);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return make('E_NET_TIMEOUT', `${ctx.url} did not answer in time (${code}).`, `Check that the host is reachable from here (firewall, VPN, routing).${proxyNote}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return make('E_NET_UNREACHABLE', `${ctx.url} is unreachable (${code}).`, 'Check the network route to the host (VPN, VLAN, firewall).');
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
      return make('E_NET_PROTOCOL', `${ctx.url} did not answer with HTTP (${code}).`, 'Check the port and the scheme of the URL: Proxmox speaks HTTPS on port 8006.');
  }
  if (/does not match the HTTP|Parse Error|HPE_/.test(message)) {
    return make('E_NET_PROTOCOL', `${ctx.url} did not answer with HTTP (${message}).`, 'Check the port and the scheme of the URL: Proxmox speaks HTTPS on port 8006.');
  }
  if (/proxy/i.test(message)) {
    return make('E_NET_PROXY', `The proxy refused the connection to ${ctx.url} (${message}).`, 'Check HTTPS_PROXY/HTTP_PROXY (and proxy credentials), or add the host to NO_PROXY.');
  }
  return make('E_NET', `Could not talk to ${ctx.url} (${code ? `${code}: ` : ''}${message}).`, `Check that the URL is right and reachable from here.${proxyNote}`);
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
