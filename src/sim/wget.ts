// What `wget --progress=dot:giga -O TMP URL` does inside a Proxmox download task, and the lines it
// leaves in the task log: follows redirects (max 20), reports HTTP errors as `ERROR 404: Not Found.`,
// refuses unverifiable certificates unless told not to check, retries a broken transfer up to 20
// times resuming with Range (without wget's back-off wait), and prints dot progress lines.
// PVE's run_command logs each stderr line only when the next one arrives and keeps the last one
// as the error text (`download failed: <last line>`); LaggedLog reproduces that.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { connectErrorText, isCertificateError, sendRequest } from './http-client.js';
import { INTERRUPT_MESSAGE, taskSleep } from './tasks.js';
import { dotBytes, lengthLine, progressLine, wgetTimestamp } from './wget-format.js';

export class WgetFailure extends Error {}

/** Logs each line only when the next arrives; the held line is the error message on failure. */
export class LaggedLog {
  private held: string | undefined;
  constructor(private readonly sink: (line: string) => void) {}
  line(text: string): void {
    if (text.trim() === '') return;
    if (this.held !== undefined) this.sink(this.held);
    this.held = text;
  }
  flush(): void {
    if (this.held !== undefined) this.sink(this.held);
    this.held = undefined;
  }
  last(): string {
    return this.held ?? '';
  }
}

export interface WgetOptions {
  url: string;
  dest: string;
  verify: boolean;
  signal: AbortSignal;
  out: LaggedLog;
  /** Bytes that may still be written before the disk is full. */
  spaceLeft: () => Promise<number>;
  /** Called with every chunk at its file offset before it is written; may return a changed chunk. */
  onData: (chunk: Buffer, offset: number) => Buffer;
  /** The transfer restarts from byte 0 (server ignored Range). */
  onRestart: () => void;
  /** Node-side faults: drop the connection after this many bytes (once per call to `take`). */
  takeDrop: () => number | undefined;
  rateLimit: () => number | undefined;
  userAgent?: string;
}

const MAX_TRIES = 20;
const MAX_REDIRECTS = 20;

function describeRate(bytes: number, seconds: number): string {
  const bps = bytes / Math.max(seconds, 0.001);
  if (bps >= 1024 * 1024) return `${(bps / 1024 / 1024).toFixed(1)} MB/s`;
  if (bps >= 1024) return `${(bps / 1024).toFixed(1)} KB/s`;
  return `${bps.toFixed(0)} B/s`;
}

export async function wget(opts: WgetOptions): Promise<number> {
  const { out, signal } = opts;
  const file = await open(opts.dest, 'w');
  let url = new URL(opts.url);
  let have = 0;
  let tries = 0;
  let redirects = 0;
  const started = Date.now();
  const fail: (text?: string) => never = (text) => {
    if (text) out.line(text);
    throw new WgetFailure(out.last());
  };
  try {
    for (;;) {
      if (signal.aborted) fail(INTERRUPT_MESSAGE);
      tries++;
      out.line(`--${wgetTimestamp(new Date())}--  ${tries > 1 ? `(try:${String(tries).padStart(2)})  ` : ''}${url.href}`);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      const connecting = isIP(host) ? `Connecting to ${host}:${port}... ` : `Connecting to ${host} (${host})|${host}|:${port}... `;
      if (!isIP(host)) out.line(`Resolving ${host} (${host})... ${host}`);
      let res: IncomingMessage;
      try {
        res = await sendRequest(url, {
          method: 'GET',
          verify: opts.verify,
          signal,
          headers: { 'User-Agent': opts.userAgent ?? 'Wget/1.25.0', Accept: '*/*', ...(have > 0 ? { Range: `bytes=${have}-` } : {}) },
        });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (signal.aborted) fail(INTERRUPT_MESSAGE);
        if (isCertificateError(err)) {
          out.line(`${connecting}connected.`);
          out.line(`ERROR: cannot verify ${host}'s certificate, issued by 'CN=hclx sim CA':`);
          out.line(err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? '  Self-signed certificate encountered.' : "  Unable to locally verify the issuer's authority.");
          fail(`To connect to ${host} insecurely, use \`--no-check-certificate'.`);
        }
        fail(`${connecting}failed: ${connectErrorText(err)}.`);
      }
      out.line(`${connecting}connected.`);
      const status = res.statusCode ?? 0;
      out.line(`HTTP request sent, awaiting response... ${status} ${res.statusMessage ?? ''}`.trimEnd());
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        const next = new URL(res.headers.location, url);
        out.line(`Location: ${res.headers.location} [following]`);
        if (++redirects > MAX_REDIRECTS) fail(`${MAX_REDIRECTS} redirections exceeded.`);
        url = next;
        tries--;
        continue;
      }
      if (status >= 400 || status < 200) {
        res.resume();
        fail(`${wgetTimestamp(new Date())} ERROR ${status}: ${res.statusMessage ?? ''}.`);
      }
      if (status === 200 && have > 0) {
        // The server ignored Range: start over.
        have = 0;
        await file.truncate(0);
        opts.onRestart();
      }
      const len = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
      const total = len === undefined ? undefined : status === 206 ? len + have : len;
      out.line(lengthLine(total, res.headers['content-type'], status === 206 ? len : undefined));
      out.line(`Saving to: '${opts.dest}'`);
      const result = await receiveBody(res, file, have, total, opts, started);
      have = result.have;
      if (result.ok) {
        out.line(`${wgetTimestamp(new Date())} (${describeRate(have, (Date.now() - started) / 1000)}) - '${opts.dest}' saved [${have}${total !== undefined ? `/${total}` : ''}]`);
        await file.close();
        out.flush();
        return have;
      }
      if (signal.aborted) fail(INTERRUPT_MESSAGE);
      if (result.fatal) fail(result.fatal);
      const totalText = total !== undefined ? `/${total}` : '';
      out.line(
        result.reset
          ? `${wgetTimestamp(new Date())} (${describeRate(have, (Date.now() - started) / 1000)}) - Read error at byte ${have}${totalText} (Connection reset by peer). Retrying.`
          : `${wgetTimestamp(new Date())} (${describeRate(have, (Date.now() - started) / 1000)}) - Connection closed at byte ${have}. Retrying.`,
      );
      if (tries >= MAX_TRIES) fail('Giving up.');
    }
  } finally {
    await file.close().catch(() => undefined);
  }
}

interface BodyResult {
  ok: boolean;
  have: number;
  reset?: boolean;
  fatal?: string;
}

async function receiveBody(res: IncomingMessage, file: FileHandle, start: number, total: number | undefined, opts: WgetOptions, started: number): Promise<BodyResult> {
  const chunks = drainingChunks(res, opts.signal);
  const dot = dotBytes(total);
  const lineSpan = dot * 32;
  let have = start;
  let lineStart = Math.floor(start / lineSpan) * lineSpan;
  let lineTime = Date.now();
  const dropAt = opts.takeDrop();
  let space = await opts.spaceLeft();
  const emitLine = (final: boolean) => {
    opts.out.line(
      progressLine({
        lineStart,
        lineBytes: have - lineStart,
        dot,
        done: have,
        total,
        lineSeconds: (Date.now() - lineTime) / 1000,
        elapsedSeconds: (Date.now() - started) / 1000,
        final,
      }),
    );
  };
  const bps = opts.rateLimit();
  const rateStart = Date.now();
  let rateBytes = 0;
  try {
    for await (const raw of chunks) {
      let chunk = raw;
      if (dropAt !== undefined && have + chunk.length >= dropAt) {
        const keep = Math.max(0, dropAt - have);
        chunk = chunk.subarray(0, keep);
        if (chunk.length) await write(file, opts.onData(chunk, have), have);
        have += chunk.length;
        res.destroy();
        return { ok: false, have, reset: true };
      }
      if (chunk.length > space) {
        space = await opts.spaceLeft();
        if (chunk.length > space) {
          res.destroy();
          return { ok: false, have, fatal: `Cannot write to '${opts.dest}' (No space left on device).` };
        }
      }
      space -= chunk.length;
      await write(file, opts.onData(chunk, have), have);
      have += chunk.length;
      while (have - lineStart >= lineSpan) {
        const save = have;
        have = lineStart + lineSpan;
        emitLine(false);
        have = save;
        lineStart += lineSpan;
        lineTime = Date.now();
      }
      if (bps) {
        rateBytes += chunk.length;
        const due = rateStart + (rateBytes / bps) * 1000;
        if (due > Date.now()) await taskSleep(due - Date.now(), opts.signal);
      }
    }
  } catch (e) {
    if (opts.signal.aborted) return { ok: false, have };
    const err = e as NodeJS.ErrnoException;
    return { ok: false, have, reset: err.code === 'ECONNRESET' && err.message !== 'aborted' };
  }
  if (total !== undefined && have < total) return { ok: false, have, reset: !res.complete };
  if (have > lineStart || total === 0) emitLine(true);
  return { ok: true, have };
}

/**
 * The body's chunks, including those already received when the connection breaks (a plain
 * `for await` over the response would drop them with the error), then the error if any.
 */
function drainingChunks(res: IncomingMessage, signal: AbortSignal): AsyncGenerator<Buffer> {
  // Listeners are attached now, not at the first next(): a close may come before the consumer.
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  res.on('data', (c: Buffer) => {
    queue.push(c);
    if (queue.length > 16) res.pause();
    notify();
  });
  res.on('end', () => {
    ended = true;
    notify();
  });
  res.on('error', (e: Error) => {
    failure ??= e;
    notify();
  });
  const broken = () => {
    if (!res.complete) failure ??= Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    ended = true;
    notify();
  };
  res.on('close', broken);
  res.on('aborted', broken);
  res.socket?.once('close', broken);
  const onAbort = () => {
    failure ??= new Error('aborted by task stop');
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  return (async function* () {
  try {
  for (;;) {
    const next = queue.shift();
    if (next) {
      if (queue.length < 4 && res.isPaused()) res.resume();
      yield next;
      continue;
    }
    if (failure) throw failure;
    if (ended) return;
    await new Promise<void>((r) => (wake = r));
  }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!res.complete) res.destroy();
  }
  })();
}

async function write(file: FileHandle, chunk: Buffer, offset: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) done += (await file.write(chunk, done, chunk.length - done, offset + done)).bytesWritten;
}

