// The ISO mirror: files of a directory and generated deterministic ISO-like files, with
// SHA256SUMS/SHA512SUMS, HEAD, single byte ranges, a redirect (`redirect/<name>` → 302) and the
// mirror-side faults (connection cut at an offset, rate limit, a corrupted byte).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { FaultSet } from './faults.js';
import { generatedRange } from './generated-iso.js';
import type { StatsCounter } from './stats.js';

interface MirrorFile {
  name: string;
  size: number;
  /** Absolute path for directory files; undefined for generated ones. */
  path?: string;
  mtimeMs: number;
}

const SUMS: Record<string, string> = { SHA256SUMS: 'sha256', SHA512SUMS: 'sha512' };

function contentType(name: string): string {
  if (/\.(iso|img)$/i.test(name)) return 'application/x-iso9660-image';
  if (SUMS[name] || /\.(txt|sum|sha256|sha512|asc)$/i.test(name)) return 'text/plain; charset=utf-8';
  if (/\.gz$/i.test(name)) return 'application/gzip';
  return 'application/octet-stream';
}

/** Waits `ms`, or less when the response closes (so a stopped simulator leaves no timer behind). */
function sleepUnlessClosed(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

export class Mirror {
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly dir: string | undefined,
    private readonly generated: Record<string, number>,
    private readonly faults: FaultSet,
    private readonly stats: StatsCounter,
  ) {}

  async files(): Promise<MirrorFile[]> {
    const out: MirrorFile[] = Object.entries(this.generated).map(([name, size]) => ({ name, size, mtimeMs: 0 }));
    if (this.dir) {
      const walk = async (d: string): Promise<void> => {
        for (const e of await fsp.readdir(d, { withFileTypes: true }).catch(() => [])) {
          const p = join(d, e.name);
          if (e.isDirectory()) await walk(p);
          else if (e.isFile()) {
            const st = await fsp.stat(p);
            const name = relative(this.dir!, p).split(sep).join('/');
            if (!(name in this.generated)) out.push({ name, size: st.size, path: p, mtimeMs: st.mtimeMs });
          }
        }
      };
      await walk(this.dir);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async find(name: string): Promise<MirrorFile | undefined> {
    if (name in this.generated) return { name, size: this.generated[name]!, mtimeMs: 0 };
    if (!this.dir) return undefined;
    const root = resolve(this.dir);
    const p = resolve(root, name);
    if (p !== root && !p.startsWith(root + sep)) return undefined;
    const st = await fsp.stat(p).catch(() => undefined);
    return st?.isFile() ? { name, size: st.size, path: p, mtimeMs: st.mtimeMs } : undefined;
  }

  private open(f: MirrorFile, start: number, end: number): Readable {
    if (end <= start) return generatedRange(f.name, 0, 0);
    return f.path ? createReadStream(f.path, { start, end: end - 1 }) : generatedRange(f.name, start, end);
  }

  /** Hex digest of a file (cached per name, size and mtime). */
  async digest(f: MirrorFile, algorithm: string): Promise<string> {
    const key = `${algorithm}:${f.name}:${f.size}:${f.mtimeMs}`;
    const cached = this.hashes.get(key);
    if (cached) return cached;
    const hash = createHash(algorithm);
    for await (const chunk of this.open(f, 0, f.size) as AsyncIterable<Buffer>) hash.update(chunk);
    const hex = hash.digest('hex');
    this.hashes.set(key, hex);
    return hex;
  }

  private async sums(algorithm: string): Promise<string> {
    const lines: string[] = [];
    for (const f of await this.files()) if (!SUMS[f.name]) lines.push(`${await this.digest(f, algorithm)}  ${f.name}`);
    return lines.map((l) => `${l}\n`).join('');
  }

  /** Serves `sub` (the path after `/mirror/`, still URL-encoded). */
  async handle(req: IncomingMessage, res: ServerResponse, sub: string, baseUrl: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
      res.end();
      return;
    }
    let name: string;
    try {
      name = decodeURIComponent(sub);
    } catch {
      return this.notFound(res);
    }
    if (name.startsWith('redirect/')) {
      const target = name.slice('redirect/'.length);
      res.writeHead(302, { Location: `${baseUrl}${encodeURI(target)}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (name === '') return this.index(req, res);
    if (SUMS[name] && !(await this.find(name))) {
      const body = Buffer.from(await this.sums(SUMS[name]!));
      res.writeHead(200, { 'Content-Type': contentType(name), 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const file = await this.find(name);
    if (!file) return this.notFound(res);
    let start = 0;
    let end = file.size;
    let status = 200;
    const headers: Record<string, string | number> = { 'Content-Type': contentType(name), 'Accept-Ranges': 'bytes', 'Last-Modified': new Date(file.mtimeMs || 0).toUTCString() };
    const range = req.headers.range;
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const a = m?.[1] ? Number(m[1]) : undefined;
      const b = m?.[2] ? Number(m[2]) : undefined;
      if (m && a !== undefined && a < file.size) {
        start = a;
        end = b !== undefined ? Math.min(b + 1, file.size) : file.size;
        status = 206;
      } else if (m && a === undefined && b !== undefined && b > 0) {
        start = Math.max(0, file.size - b);
        status = 206;
      } else {
        res.writeHead(416, { 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0 });
        res.end();
        return;
      }
      if (status === 206) headers['Content-Range'] = `bytes ${start}-${end - 1}/${file.size}`;
    }
    headers['Content-Length'] = end - start;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await this.sendBody(req, res, file, start, end);
  }

  private async sendBody(req: IncomingMessage, res: ServerResponse, file: MirrorFile, start: number, end: number): Promise<void> {
    const drop = this.faults.take('mirror-drop', (f) => !f.path || file.name.includes(f.path));
    const corrupt = this.faults.take('corrupt-download', (f) => f.target === 'mirror');
    const bps = this.faults.peek('rate-limit', (f) => f.target === 'mirror')?.bytesPerSec;
    res.flushHeaders();
    const stream = this.open(file, start, end);
    let pos = start;
    const began = Date.now();
    let sent = 0;
    try {
      for await (const raw of stream as AsyncIterable<Buffer>) {
        if (res.destroyed) break;
        let chunk = raw;
        if (corrupt && corrupt.offset! >= pos && corrupt.offset! < pos + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[corrupt.offset! - pos] = chunk[corrupt.offset! - pos]! ^ 0xff;
        }
        let cut = false;
        if (drop && pos + chunk.length >= drop.after!) {
          chunk = chunk.subarray(0, Math.max(0, drop.after! - pos));
          cut = true;
        }
        if (chunk.length) {
          await new Promise<void>((resolve) => {
            res.write(chunk, () => resolve());
          });
          this.stats.served(chunk.length);
          pos += chunk.length;
          sent += chunk.length;
        }
        if (cut) {
          // A clean close in mid-body (FIN after what was written): the client sees fewer bytes
          // than Content-Length, exactly `after` of them.
          req.socket.end();
          return;
        }
        if (bps) {
          const due = began + (sent / bps) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await sleepUnlessClosed(res, wait);
        }
      }
      if (!res.destroyed) res.end();
    } finally {
      stream.destroy();
    }
  }

  private async index(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const files = await this.files();
    const rows = files.map((f) => `<a href="${encodeURI(f.name)}">${f.name}</a> ${f.size}`);
    const body = Buffer.from(`<html><body><pre>\n<a href="SHA256SUMS">SHA256SUMS</a>\n<a href="SHA512SUMS">SHA512SUMS</a>\n${rows.join('\n')}\n</pre></body></html>\n`);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private notFound(res: ServerResponse): void {
    const body = Buffer.from('Not Found\n');
    res.writeHead(404, 'Not Found', { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  }
}
