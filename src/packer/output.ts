// hclx's own lines while it wraps Packer, shaped like Packer's so the two read as one log yet stay
// easy to tell apart:
//   normal:            `==> hclx: message`  (say / error; `    hclx: message` for details), one
//                      prefix per line as Packer's TargetedUI does; colour only on a TTY, never with
//                      -color=false or NO_COLOR
//   -machine-readable: `<unix time>,,ui,say|message|error,<message>` in Packer's encoding, so a
//                      consumer of Packer's machine-readable stream reads hclx's lines too.
// Everything passes through redactSecrets() first.

import { Chalk, supportsColor } from 'chalk';
import { flagIsSet, type PackerFlag } from './flags.js';
import { redactSecrets } from '../log.js';
import { formatMachineReadable } from './machine-readable.js';

export interface ProgressUpdate {
  /** What is progressing, e.g. the ISO's file name. */
  label: string;
  /** Bytes (or units) done so far. */
  done: number;
  /** Total when known. */
  total?: number | undefined;
}

/** What the build and validate commands report through while Packer's own output flows. */
export interface HclxReporter {
  /** A step: `==> hclx: ...`. */
  say(message: string): void;
  /** A detail under the last step: `    hclx: ...`. */
  message(message: string): void;
  /** A failure: `==> hclx: ...` in red. */
  error(message: string): void;
  progress?(update: ProgressUpdate): void;
}

export interface ReporterOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  machineReadable: boolean;
  /** false when `-color=false` was given. */
  color: boolean;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch (for machine-readable timestamps); injectable for tests. */
  now?: () => number;
}

/** The reporter options implied by the Packer flags the user gave (-machine-readable, -color=false). */
export function reporterOptionsFromFlags(flags: readonly PackerFlag[], stream: ReporterOptions['stream'], env: NodeJS.ProcessEnv): ReporterOptions {
  const colorFlags = flags.filter((f) => f.name === 'color');
  return {
    stream,
    machineReadable: flagIsSet(flags, 'machine-readable'),
    color: colorFlags.length === 0 || flagIsSet(colorFlags, 'color'),
    env,
  };
}

/** Colour depth for hclx's lines: none unless a TTY, colour wanted, and the terminal can. */
export function colorLevel(options: ReporterOptions): 0 | 1 | 2 | 3 {
  const env = options.env ?? process.env;
  if (options.machineReadable || !options.color || !options.stream.isTTY) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.TERM === 'dumb') return 0;
  return supportsColor ? supportsColor.level : 1;
}

/** Human-readable units for a progress line: 1.5 GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatProgress(update: ProgressUpdate): string {
  if (update.total === undefined || update.total <= 0) return `${update.label}: ${formatBytes(update.done)}`;
  const percent = Math.min(100, Math.floor((update.done / update.total) * 100));
  return `${update.label}: ${percent}% (${formatBytes(update.done)} of ${formatBytes(update.total)})`;
}

export function createReporter(options: ReporterOptions): HclxReporter {
  const now = options.now ?? Date.now;
  const chalk = new Chalk({ level: colorLevel(options) });
  // Packer paints each build's lines in one of green, cyan, magenta, yellow, blue (steps bold) and
  // errors bold red; hclx's steps are bold without a hue, so they never look like a build's.
  const paint = {
    say: (s: string) => chalk.bold(s),
    message: (s: string) => s,
    error: (s: string) => chalk.bold.red(s),
  };
  const write = (kind: 'say' | 'message' | 'error', message: string) => {
    const text = redactSecrets(message);
    if (options.machineReadable) {
      options.stream.write(formatMachineReadable({ timestamp: now() / 1000, target: '', type: 'ui', data: [kind, text] }));
      return;
    }
    const prefix = kind === 'message' ? '    hclx: ' : '==> hclx: ';
    options.stream.write(
      text
        .split('\n')
        .map((line) => paint[kind](prefix + line))
        .join('\n') + '\n',
    );
  };
  return {
    say: (m) => write('say', m),
    message: (m) => write('message', m),
    error: (m) => write('error', m),
    progress: (u) => write('message', formatProgress(u)),
  };
}
