// What `hclx build` and `hclx validate` print of their own while Packer's output flows unchanged:
// `==> hclx:` steps and `    hclx:` details (Packer's -machine-readable format with that flag),
// or with --json one NDJSON event per line for pipelines. The download engine's events reach the
// same place: as progress bars on a terminal, plain lines otherwise, NDJSON with --json.

import { Writable } from 'node:stream';
import type { PackerFlag } from '../packer/flags.js';
import { redactSecrets } from '../log.js';
import { createReporter, reporterOptionsFromFlags } from '../packer/output.js';
import type { HclxReporter } from '../packer/output.js';
// The views directly, not the provision barrel: that would load the engine, the Proxmox client and undici.
import { createJsonView, createPlainView, createTtyView } from '../provision/progress-view.js';
import type { EventSink } from '../provision/index.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** hclx's own events of a build (the download engine's events are separate, see engineSink). */
export type BuildEvent =
  | { event: 'packer'; path: string; version?: string; builtinProxmox?: boolean }
  | { event: 'packer-missing'; message: string }
  | { event: 'selection'; downloading: string[]; skipped: string[] }
  | { event: 'rendered'; dir: string; template: string; dialect: string; dialectReason: string; changes: Array<{ label: string; from: string; to: string }> }
  | { event: 'packer-start'; argv: string[] }
  | { event: 'packer-exit'; exitCode: number; interrupted?: string }
  | { event: 'packer-error'; summary: string; at?: string; build?: string }
  | { event: 'cleanup'; deleted: string[]; kept: Array<{ volid: string; reason: string }>; failed: Array<{ volid: string; message: string }> }
  | { event: 'warning'; message: string }
  | { event: 'result'; exitCode: number; stage: 'packer' | 'download' | 'render' | 'validate' };

export interface BuildOutput {
  /** A step (`==> hclx: ...`); ignored with --json (the event carries it). */
  say(message: string): void;
  /** A detail under the step. */
  message(message: string): void;
  error(message: string): void;
  warn(message: string): void;
  /** A machine event: printed as NDJSON with --json, nothing otherwise. */
  event(event: BuildEvent): void;
  /** Where the download engine reports. */
  engineSink(): EventSink;
}

export interface BuildOutputOptions {
  stdout: Stream;
  env: NodeJS.ProcessEnv;
  flags: readonly PackerFlag[];
  json: boolean;
  /** Plain progress line interval (default 10 s, the engine's). */
  progressIntervalMs?: number;
  now?: () => number;
}

/** Turns the engine's plain `hclx: ...` lines into reporter details. */
function linesTo(reporter: HclxReporter): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) reporter.message(line.replace(/^hclx: /, ''));
      done();
    },
  });
}

export function createBuildOutput(options: BuildOutputOptions): BuildOutput {
  const now = options.now ?? Date.now;
  const reporterOptions = reporterOptionsFromFlags(options.flags, options.stdout, options.env);
  const reporter = createReporter({ ...reporterOptions, now });
  const json = (e: object) => options.stdout.write(redactSecrets(JSON.stringify({ ...e, time: new Date(now()).toISOString() })) + '\n');
  const quiet = options.json;
  return {
    say: (m) => void (quiet ? undefined : reporter.say(m)),
    message: (m) => void (quiet ? undefined : reporter.message(m)),
    error: (m) => (quiet ? json({ event: 'error', message: redactSecrets(m) }) : reporter.error(m)),
    warn: (m) => (quiet ? json({ event: 'warning', message: m }) : reporter.say(`warning: ${m}`)),
    event: (e) => void (quiet ? json(e) : undefined),
    engineSink: () => {
      if (options.json) return createJsonView(options.stdout, now);
      if (options.stdout.isTTY && !reporterOptions.machineReadable) return createTtyView(options.stdout, { color: reporterOptions.color, now });
      return createPlainView(linesTo(reporter), { now, ...(options.progressIntervalMs !== undefined ? { intervalMs: options.progressIntervalMs } : {}) });
    },
  };
}
