// A short cross-process lock around "is anyone downloading this file? no: start the download", so two
// hclx runs on the same machine started together create one download task, not two. It is held only
// until the task exists; after that, other runs find it in the node's active task list and wait for
// it. Runs on different machines rely on that task list alone.

import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../pve/retry.js';

export interface StartLock {
  /** Whether another run held the lock first (it may have downloaded the file meanwhile). */
  waited: boolean;
  release(): void;
}

export interface StartLockOptions {
  dir?: string;
  /** A lock older than this is considered abandoned (default 2 min). */
  staleMs?: number;
  /** Give up waiting after this long and go on without the lock (default 2 min). */
  maxWaitMs?: number;
  signal?: AbortSignal;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Acquires the lock for `key` (e.g. cluster URL + node + volid). */
export async function acquireStartLock(key: string, options: StartLockOptions = {}): Promise<StartLock> {
  const dir = options.dir ?? join(tmpdir(), 'hclx-locks');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
  const staleMs = options.staleMs ?? 120_000;
  const deadline = Date.now() + (options.maxWaitMs ?? 120_000);
  for (let i = 0; ; i++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, at: Date.now(), key }));
      closeSync(fd);
      let released = false;
      return {
        waited: i > 0,
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { pid?: number; at?: number } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
    } catch {
      // being written right now, or unreadable: treat as held, it goes stale eventually
    }
    const stale = (holder.pid !== undefined && !alive(holder.pid)) || (holder.at !== undefined && Date.now() - holder.at > staleMs);
    if (stale) {
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it
      }
      continue;
    }
    if (Date.now() > deadline) return { waited: true, release() {} };
    await realClock.sleep(25 + Math.min(200, i * 10), options.signal);
  }
}
