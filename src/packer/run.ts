// Runs `packer build|validate` the way a user would have run it: the flags verbatim before the
// template path, Packer's stdout and stderr streamed through unchanged as they come, its exit code
// passed through (128+n when a signal killed it), and hclx's SIGINT/SIGTERM forwarded exactly once.
//
// Signals. Packer runs as a panicwrap parent (ignores SIGINT, forwards SIGTERM to its child), the
// real Packer (cancels the build on SIGINT or SIGTERM, then cleans up) and plugin processes (ignore
// SIGINT). A terminal's Ctrl-C reaches that whole process group; `kill PID` reaches one process. So:
// - interactive (stdin is a TTY): Packer stays in hclx's process group, so it stays in the
//   terminal's foreground and can prompt (-debug, -on-error=ask). Ctrl-C already reaches Packer
//   from the terminal, so hclx does not forward SIGINT (Packer would get it twice); SIGTERM, which
//   `kill` sends to hclx alone, is forwarded to Packer's process.
// - otherwise (CI, pipes, services): Packer gets its own session and process group, so a signal
//   sent to hclx's group does not reach it directly; hclx forwards SIGINT to Packer's group (as a
//   terminal would) and SIGTERM to Packer's process (as `kill` would).
// Then hclx waits for Packer to clean up and exit, however long that takes. If hclx exits anyway
// (a second Ctrl-C), or `escalate` is aborted, Packer gets SIGKILL: its whole group off-terminal
// (no cleanup; the VM it was building may stay on the node), only its main process on a terminal
// (hclx cannot kill its own group; Packer's inner processes, already signalled, finish alone).

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';
import type { PackerCommand, PackerFlag } from './flags.js';
import { InterruptedError, ToolError } from '../errors.js';
import type { PackerInfo } from './locate.js';

export interface RunPackerOptions {
  packer: Pick<PackerInfo, 'path'>;
  command: PackerCommand;
  /** Packer flags as the user gave them; their tokens are passed verbatim, before the template. */
  flags: readonly PackerFlag[];
  template: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted with reason 'SIGINT' or 'SIGTERM' when hclx receives that signal. */
  signal: AbortSignal;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether hclx runs in a terminal session (default: stdin is a TTY); see the signal notes above. */
  interactive?: boolean;
  /** Also keep Packer's stdout (where its errors are) in the result, up to 4 MiB. */
  captureStdout?: boolean;
  /** Aborting it kills Packer at once (SIGKILL), without waiting for its cleanup. */
  escalate?: AbortSignal;
  /** Called once Packer is running. */
  onSpawn?: (pid: number) => void;
}

export interface PackerRunResult {
  /** Packer's exit code; 128+n when signal n killed it. */
  exitCode: number;
  /** The signal that killed Packer, if one did. */
  signal?: NodeJS.Signals;
  /** The hclx signal received while Packer ran, and what was sent to Packer for it. */
  interrupted?: { reason: NodeJS.Signals; forwarded?: SignalForwarding };
  /** Packer's stdout, when captureStdout was set (possibly truncated). */
  stdout?: string;
}

export interface SignalForwarding {
  signal: NodeJS.Signals;
  /** 'group': Packer's whole process group (as a terminal does); 'process': its main process. */
  to: 'group' | 'process';
}

const CAPTURE_LIMIT = 4 * 1024 * 1024;
/** After Packer exits, how long output still held open by its leftover children may keep flowing. */
const DRAIN_AFTER_EXIT_MS = 2000;

/** The argv after the executable: command, flags verbatim, then the template (Go flag parsing stops there). */
export function packerArgv(command: PackerCommand, flags: readonly PackerFlag[], template: string): string[] {
  // A template named like a flag would be parsed as one; `./` keeps its directory (path.root) the same.
  const path = template.startsWith('-') ? `./${template}` : template;
  return [command, ...flags.flatMap((f) => f.tokens), path];
}

/** What to send Packer when hclx gets `reason` (see the notes at the top of this file). */
export function signalForwarding(reason: unknown, interactive: boolean): SignalForwarding | undefined {
  if (reason === 'SIGINT') return interactive ? undefined : { signal: 'SIGINT', to: 'group' };
  // SIGTERM, or an abort from code: ask Packer to stop the way `kill` does.
  return { signal: 'SIGTERM', to: 'process' };
}

/** The shell convention for an exit: the code, or 128 + the number of the signal that killed it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}

/** Streams `from` into `to` chunk by chunk, pausing while `to` is full; optionally keeps a copy. */
function pump(from: Readable, to: NodeJS.WritableStream, keep?: { chunks: Buffer[]; size: number }): void {
  from.on('data', (chunk: Buffer) => {
    if (keep && keep.size < CAPTURE_LIMIT) {
      keep.chunks.push(chunk);
      keep.size += chunk.length;
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}

/** hclx's own stdout/stderr are handed to Packer as they are, so it sees the real terminal. */
function inheritableFd(stream: NodeJS.WritableStream): number | undefined {
  if (stream === process.stdout) return 1;
  if (stream === process.stderr) return 2;
  return undefined;
}

function interruptReason(signal: AbortSignal): NodeJS.Signals {
  return signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
}

/** Runs Packer to its end and returns its exit code; throws ToolError when it cannot be started. */
export function runPacker(options: RunPackerOptions): Promise<PackerRunResult> {
  if (options.signal.aborted) {
    return Promise.reject(new InterruptedError(`interrupted (${interruptReason(options.signal)}) before Packer started.`));
  }
  // isatty(0) rather than process.stdin, which would open a stream on stdin just to ask.
  const interactive = options.interactive ?? isatty(0);
  // Own process group only off-terminal, and never on Windows (no process groups there).
  const ownGroup = !interactive && process.platform !== 'win32';
  const stdoutFd = options.captureStdout ? undefined : inheritableFd(options.stdout);
  const stderrFd = inheritableFd(options.stderr);

  return new Promise<PackerRunResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(options.packer.path, packerArgv(options.command, options.flags, options.template), {
        cwd: options.cwd,
        env: options.env,
        stdio: ['inherit', stdoutFd ?? 'pipe', stderrFd ?? 'pipe'],
        detached: ownGroup,
      });
    } catch (error) {
      reject(spawnError(options.packer.path, error));
      return;
    }
    const kept = options.captureStdout ? { chunks: [] as Buffer[], size: 0 } : undefined;
    if (child.stdout) pump(child.stdout, options.stdout, kept);
    if (child.stderr) pump(child.stderr, options.stderr);

    let interrupted: PackerRunResult['interrupted'];
    const send = (signal: NodeJS.Signals, to: 'group' | 'process') => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(to === 'group' && ownGroup ? -child.pid : child.pid, signal);
      } catch {
        // Already gone (ESRCH): nothing left to signal.
      }
    };
    const onAbort = () => {
      const reason = interruptReason(options.signal);
      const forwarded = signalForwarding(reason, interactive);
      interrupted = forwarded ? { reason, forwarded } : { reason };
      if (forwarded) send(forwarded.signal, forwarded.to);
    };
    const kill = () => send('SIGKILL', 'group');
    options.signal.addEventListener('abort', onAbort, { once: true });
    options.escalate?.addEventListener('abort', kill, { once: true });
    // hclx exiting while Packer runs (main exits on a second signal): do not leave Packer behind.
    process.once('exit', kill);

    let settled = false;
    const finish = (result: PackerRunResult | Error) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      options.escalate?.removeEventListener('abort', kill);
      process.off('exit', kill);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    child.once('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      if (options.escalate?.aborted) kill();
    });
    child.once('error', (error) => finish(spawnError(options.packer.path, error)));
    child.once('exit', (code, signal) => {
      const result = (): PackerRunResult => ({
        exitCode: exitCodeOf(code, signal),
        ...(signal ? { signal } : {}),
        ...(interrupted ? { interrupted } : {}),
        ...(kept ? { stdout: Buffer.concat(kept.chunks).toString('utf8') } : {}),
      });
      if (!child.stdout && !child.stderr) return finish(result());
      // Let the rest of the output through; a leftover process still holding the pipes must not hang hclx.
      const timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(result());
      }, DRAIN_AFTER_EXIT_MS);
      timer.unref();
      child.once('close', () => {
        clearTimeout(timer);
        finish(result());
      });
    });
  });
}

function spawnError(path: string, error: unknown): ToolError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (not executable)' : String((error as Error)?.message ?? error);
  return new ToolError(`could not start Packer at ${path}: ${why}.`, {
    code: 'E_PACKER_SPAWN',
    hint: 'Check the path given by --packer or PACKER_BIN (or `which packer`), and that it is an executable Packer binary.',
    cause: error,
  });
}
