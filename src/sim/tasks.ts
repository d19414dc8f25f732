// Worker tasks as pvedaemon runs them: a UPID, a log that grows line by line (a trailing partial
// line is visible as it is), a status derived from the last line (`TASK OK`, `TASK WARNINGS: n`,
// `TASK ERROR: msg`), and stop = interrupt the worker and wait for it to clean up.
import { formatUpid } from './upid.js';
import type { Upid } from './upid.js';

export interface TaskContext {
  readonly upid: string;
  readonly pid: number;
  readonly signal: AbortSignal;
  /** Appends a complete line. */
  log(line: string): void;
  /** Appends text to the current line without ending it (`calculating checksum...`). */
  logPartial(text: string): void;
  /** Logs a `WARN: ` line and counts it for `TASK WARNINGS: n`. */
  warn(line: string): void;
}

export type Worker = (ctx: TaskContext) => Promise<void>;

/** Thrown (or rejected) by workers to end with `TASK ERROR: <message>`. */
export class TaskFailure extends Error {}

export const INTERRUPT_MESSAGE = 'received interrupt';

export class Task {
  readonly upid: string;
  readonly lines: string[] = [];
  private partial = false;
  status: 'running' | 'stopped' = 'running';
  exitstatus: string | undefined;
  endtime: number | undefined;
  warnings = 0;
  readonly abort = new AbortController();
  done: Promise<void> = Promise.resolve();

  constructor(readonly info: Upid) {
    this.upid = formatUpid(info);
  }

  append(text: string, endLine: boolean): void {
    if (this.partial) this.lines[this.lines.length - 1] += text;
    else this.lines.push(text);
    this.partial = !endLine;
  }

  finish(exitstatus: string, statusLine: string): void {
    if (this.partial) this.partial = false;
    this.lines.push(statusLine);
    this.exitstatus = exitstatus;
    this.status = 'stopped';
    this.endtime = Math.floor(Date.now() / 1000);
  }
}

export class TaskManager {
  private readonly tasks: Task[] = [];
  private pidCounter = 0;
  private readonly bootMs = Date.now() - 3600_000;

  constructor(private readonly onStart: (type: string) => void) {}

  start(node: string, type: string, id: string, user: string, worker: Worker): Task {
    this.pidCounter++;
    const info: Upid = {
      node,
      pid: 200000 + this.pidCounter,
      // pstart: clock ticks since boot (100 Hz), like /proc/<pid>/stat
      pstart: Math.floor((Date.now() - this.bootMs) / 10),
      starttime: Math.floor(Date.now() / 1000),
      type,
      id,
      user,
    };
    const task = new Task(info);
    this.tasks.push(task);
    this.onStart(type);
    const ctx: TaskContext = {
      upid: task.upid,
      pid: info.pid,
      signal: task.abort.signal,
      log: (line) => task.append(line, true),
      logPartial: (text) => task.append(text, false),
      warn: (line) => {
        task.warnings++;
        task.append(`WARN: ${line}`, true);
      },
    };
    task.done = (async () => {
      // Let the API answer with the UPID before the worker's first line, as a forked worker would.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await worker(ctx);
        if (task.warnings > 0) task.finish(`WARNINGS: ${task.warnings}`, `TASK WARNINGS: ${task.warnings}`);
        else task.finish('OK', 'TASK OK');
      } catch (e) {
        const msg = (task.abort.signal.aborted && !(e instanceof TaskFailure) ? INTERRUPT_MESSAGE : (e as Error).message)
          .replace(/\n+$/, '')
          .replace(/\n/g, ' ');
        task.finish(msg, `TASK ERROR: ${msg}`);
      }
    })();
    return task;
  }

  find(upid: string): Task | undefined {
    return this.tasks.find((t) => t.upid === upid);
  }

  all(): Task[] {
    return [...this.tasks];
  }

  running(): Task[] {
    return this.tasks.filter((t) => t.status === 'running');
  }

  /** Interrupts a task and waits (up to `graceMs`, like PVE's 5 s) for its worker to clean up. */
  async stop(task: Task, graceMs = 5000): Promise<void> {
    if (task.status !== 'running') return;
    task.abort.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([task.done, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (task.status === 'running') {
      // The worker did not exit in time (PVE would SIGKILL it): no TASK line, status unknown.
      task.status = 'stopped';
      task.exitstatus = 'unexpected status';
      task.endtime = Math.floor(Date.now() / 1000);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((t) => this.stop(t)));
  }
}

/** Waits until the signal aborts (a hung task); rejects with the interrupt message. */
export function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Error(INTERRUPT_MESSAGE));
    signal.addEventListener('abort', () => reject(new Error(INTERRUPT_MESSAGE)), { once: true });
  });
}

/** Sleeps `ms`, or rejects early with the interrupt message when the task is stopped. */
export function taskSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error(INTERRUPT_MESSAGE));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error(INTERRUPT_MESSAGE));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
