// The node's hash passes over files (download-url's check of an existing file and its verification
// after a download, an upload's checksum), optionally paced to a stated rate so that a simulated
// multi-GB check costs what it costs on a real node's disk.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { taskSleep } from './tasks.js';

/** Waits until `bytes` would have been hashed at `bytesPerSec` since `startMs` (no wait when unpaced). */
export async function paceTo(bytes: number, bytesPerSec: number | undefined, startMs: number, signal: AbortSignal): Promise<void> {
  if (!bytesPerSec) return;
  const due = startMs + (bytes / bytesPerSec) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await taskSleep(wait, signal);
}

/** Hashes a file; with `bytesPerSec`, reads no faster than that. */
export async function hashFile(path: string, algorithm: string, signal?: AbortSignal, bytesPerSec?: number): Promise<{ hex: string; size: number }> {
  const hash = createHash(algorithm);
  const started = Date.now();
  const abort = signal ?? new AbortController().signal;
  let size = 0;
  for await (const chunk of createReadStream(path, { signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    await paceTo(size, bytesPerSec, started, abort);
  }
  return { hex: hash.digest('hex'), size };
}
