// `iso_checksum` as Packer reads it (go-getter's GetChecksum, packer-plugin-proxmox.md §2.3):
// `<type>:<hex>`, bare hex typed by its length, `file:<URL or path>` (the sums file is fetched
// here, on the machine running hclx, never by the node), or `none`. The result is the algorithm
// and lowercase hex that download-url takes, so Proxmox verifies before the file appears.

import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { NetworkError, TemplateError, type SourceRange } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChecksumAlgorithm } from '../pve/types.js';
import { HEX_LENGTH, algorithmFromName, candidateNames, findSumsEntry, parseSumsFile } from './checksum-file.js';

export type { ChecksumAlgorithm } from '../pve/types.js';

export type Checksum = { algorithm: ChecksumAlgorithm; value: string } | { algorithm: 'none' };

/** What `iso_checksum` says before anything is fetched. */
export type ChecksumSpec = { kind: 'value'; checksum: { algorithm: ChecksumAlgorithm; value: string } } | { kind: 'none' } | { kind: 'file'; location: string };

const LENGTH_TYPES: Record<number, ChecksumAlgorithm> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };

function templateError(message: string, hint: string, range: SourceRange | undefined, code = 'E_CHECKSUM'): TemplateError {
  return new TemplateError(message, { code, hint, ...(range ? { range } : {}) });
}

/** Parses `iso_checksum` without any I/O. */
export function parseChecksumSpec(raw: string, options: { range?: SourceRange } = {}): ChecksumSpec {
  const range = options.range;
  const text = raw.trim();
  if (text === 'none') return { kind: 'none' };
  if (text === '') {
    throw templateError('iso_checksum is empty.', 'Give the ISO\'s checksum, e.g. "sha256:<64 hex digits>", "file:<URL of SHA256SUMS>", or "none" to skip verification.', range);
  }
  if (/\.iso$/i.test(text)) {
    throw templateError(`iso_checksum '${text}' ends in .iso, which is not a checksum.`, 'Give the checksum itself ("sha256:<hex>") or the sums file ("file:https://.../SHA256SUMS"), not the ISO.', range);
  }
  const colon = text.indexOf(':');
  if (colon < 0) {
    const algorithm = LENGTH_TYPES[text.length];
    if (!algorithm || !/^[0-9a-fA-F]+$/.test(text)) {
      throw templateError(
        `iso_checksum '${text}' is not a checksum: ${/^[0-9a-fA-F]+$/.test(text) ? `${text.length} hex digits match no algorithm` : 'it is not hexadecimal'}.`,
        'Write "<type>:<hex>" (md5, sha1, sha224, sha256, sha384, sha512), bare hex of 32, 40, 64 or 128 digits, "file:<sums file>", or "none".',
        range,
      );
    }
    return { kind: 'value', checksum: { algorithm, value: text.toLowerCase() } };
  }
  const type = text.slice(0, colon);
  const rest = text.slice(colon + 1).trim();
  if (type.toLowerCase() === 'file') {
    if (!rest) throw templateError('iso_checksum "file:" names no sums file.', 'Write "file:https://<mirror>/SHA256SUMS" or "file:./SHA256SUMS".', range);
    return { kind: 'file', location: rest };
  }
  const algorithm = algorithmFromName(type);
  if (/^https?$/i.test(type)) {
    throw templateError(`iso_checksum '${text}' is a URL without the file: prefix.`, `Write "file:${text}" to use a sums file.`, range);
  }
  if (!algorithm) {
    throw templateError(`iso_checksum type '${type}' is not supported.`, 'Use md5, sha1, sha224, sha256, sha384 or sha512 (or file: for a sums file).', range);
  }
  if (!/^[0-9a-fA-F]+$/.test(rest)) {
    throw templateError(`iso_checksum '${text}': the ${algorithm} value is not hexadecimal.`, `Give the ${HEX_LENGTH[algorithm]} hex digits of the ISO's ${algorithm} sum.`, range);
  }
  if (rest.length !== HEX_LENGTH[algorithm]) {
    const guess = LENGTH_TYPES[rest.length];
    throw templateError(
      `iso_checksum '${text}': a ${algorithm} checksum has ${HEX_LENGTH[algorithm]} hex digits, this one has ${rest.length}.`,
      guess ? `${rest.length} digits is a ${guess} sum: write "${guess}:${rest.toLowerCase()}".` : 'Copy the whole checksum from the sums file.',
      range,
    );
  }
  return { kind: 'value', checksum: { algorithm, value: rest.toLowerCase() } };
}

export interface ResolveChecksumOptions {
  /** URL of the ISO (the first of iso_urls): its file name selects the sums-file entry. */
  isoUrl: string;
  /** Directory relative `file:` paths are resolved against (Packer's working directory). */
  cwd: string;
  range?: SourceRange;
  signal?: AbortSignal;
  /** HTTP dispatcher for sums files (default: one honouring HTTPS_PROXY/NO_PROXY, closed afterwards). */
  dispatcher?: Dispatcher;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Time allowed for fetching a sums file (default 30 s). */
  timeoutMs?: number;
}

export type ResolvedChecksum = Checksum & {
  /** For `file:` checksums: the sums file and the entry that was used. */
  source?: { file: string; line: number; name?: string };
};

/** Resolves `iso_checksum` to an algorithm and value, fetching a `file:` sums file when needed. */
export async function resolveChecksum(raw: string, options: ResolveChecksumOptions): Promise<ResolvedChecksum> {
  const spec = parseChecksumSpec(raw, options.range ? { range: options.range } : {});
  if (spec.kind === 'none') return { algorithm: 'none' };
  if (spec.kind === 'value') return spec.checksum;

  const { text, path, shown } = await readSumsFile(spec.location, options);
  const isoPath = isoUrlPath(options.isoUrl);
  const entries = parseSumsFile(text);
  const entry = findSumsEntry(entries, candidateNames(isoPath, path));
  const fileName = isoPath.slice(isoPath.lastIndexOf('/') + 1);
  if (!entry) {
    const named = entries.filter((e) => e.name).map((e) => e.name!);
    const listed = named.length ? ` It lists ${named.slice(0, 5).join(', ')}${named.length > 5 ? `, and ${named.length - 5} more` : ''}.` : ' It contains no checksum lines.';
    throw templateError(
      `The sums file ${shown} has no entry for '${fileName}'.${listed}`,
      'Check that the ISO URL and the sums file belong to the same release, or give the checksum directly as "sha256:<hex>".',
      options.range,
      'E_CHECKSUM_NOT_FOUND',
    );
  }
  options.logger?.debug(`iso_checksum: ${entry.algorithm} of '${fileName}' from ${shown} line ${entry.line}`);
  return { algorithm: entry.algorithm, value: entry.value, source: { file: shown, line: entry.line, ...(entry.name ? { name: entry.name } : {}) } };
}

function isoUrlPath(isoUrl: string): string {
  try {
    return decodeURIComponent(new URL(isoUrl).pathname);
  } catch {
    return isoUrl.split(/[?#]/)[0]!;
  }
}

const MAX_SUMS_BYTES = 8 * 1024 * 1024;

async function readSumsFile(location: string, options: ResolveChecksumOptions): Promise<{ text: string; path: string; shown: string }> {
  if (/^https?:\/\//i.test(location)) return { ...(await fetchSumsFile(location, options)), shown: location };
  let local: string;
  if (/^file:\/\//i.test(location)) {
    local = fileURLToPath(location);
  } else if (/^[a-z][a-z0-9+.-]*::|^(s3|gcs|git|hg|ftp|sftp):/i.test(location)) {
    throw templateError(
      `iso_checksum sums file '${location}' uses a scheme hclx cannot fetch.`,
      'Use an http(s) URL or a local path for the sums file.',
      options.range,
    );
  } else {
    local = isAbsolute(location) ? location : resolvePath(options.cwd, location);
  }
  try {
    const text = await readFile(local, { encoding: 'utf8', ...(options.signal ? { signal: options.signal } : {}) });
    return { text, path: local, shown: local };
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw templateError(
      `The sums file ${local} of iso_checksum cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
      `Relative paths are taken from the directory hclx runs in (${options.cwd}); fix the path or use the sums file's URL.`,
      options.range,
      'E_CHECKSUM_FILE',
    );
  }
}

async function fetchSumsFile(url: string, options: ResolveChecksumOptions): Promise<{ text: string; path: string }> {
  // The HTTP stack loads only when a sums file is really fetched (not for literal checksums or --offline).
  const [{ createTransport, fetch }, { networkErrorFrom }] = await Promise.all([import('../pve/transport.js'), import('../pve/network-error.js')]);
  const transport = options.dispatcher ? undefined : createTransport(options.env ? { env: options.env } : {});
  const dispatcher = options.dispatcher ?? transport!.dispatcher;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const where = options.range ? ' (iso_checksum)' : '';
  try {
    const { href, authorization } = splitUserinfo(url);
    const res = await fetch(href, { dispatcher, signal, redirect: 'follow', ...(authorization ? { headers: { authorization } } : {}) });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new NetworkError(`The sums file ${url}${where} could not be fetched: the server answered ${res.status} ${res.statusText}.`, {
        code: 'E_CHECKSUM_FILE_HTTP',
        hint: 'Open the URL in a browser: mirrors move old releases to an archive; point iso_checksum at the sums file of the same release as iso_url.',
        details: { url, status: res.status },
        ...(options.range ? { range: options.range } : {}),
      });
    }
    const text = await readLimited(res.body, url);
    options.logger?.debug(`GET ${url} 200 (${text.length} bytes of checksums)`);
    // go-getter matches entries against paths relative to the sums file's URL path.
    return { text, path: decodeURIComponent(new URL(res.url || url).pathname) };
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new NetworkError(`The sums file ${url}${where} did not arrive within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s.`, {
        code: 'E_NET_TIMEOUT',
        hint: 'Check that the mirror is reachable from here (the sums file is fetched by hclx, not by the Proxmox node).',
        details: { url },
      });
    }
    throw networkErrorFrom(e, { url, peer: 'mirror', viaProxy: transport?.viaProxy(url) ?? false });
  } finally {
    await transport?.close();
  }
}

/**
 * A URL's userinfo as go-getter (Go's net/http) sends it: HTTP basic auth. fetch() refuses a URL
 * that carries credentials, so they move to an Authorization header (which fetch drops on a
 * redirect to another origin, as Go does for another host).
 */
export function splitUserinfo(url: string): { href: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { href: url };
  }
  if (!parsed.username && !parsed.password) return { href: url };
  const user = percentDecoded(parsed.username);
  const password = percentDecoded(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { href: parsed.href, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Go's url.User decoding; a stray `%` that is no escape stays as written. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function readLimited(body: { getReader(): ReadableStreamDefaultReader<Uint8Array> } | null, url: string): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_SUMS_BYTES) {
      await reader.cancel();
      throw new NetworkError(`${url} is larger than ${MAX_SUMS_BYTES / 1024 / 1024} MiB, too large for a sums file.`, {
        code: 'E_CHECKSUM_FILE_SIZE',
        hint: 'iso_checksum = "file:..." must name the checksum list (e.g. SHA256SUMS), not the ISO.',
        details: { url },
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
