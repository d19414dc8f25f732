// Text of wget's output as the Proxmox task log shows it (`wget --progress=dot:giga`): the request
// and response lines, `Length:`, the dot progress lines and the final `saved` line. Pure functions.

/** wget's human_readable(): 1024-based, one decimal below 10, `K M G T` suffixes. */
export function humanSize(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i < 0) return String(n);
  return v < 10 ? `${(Math.floor(v * 10) / 10).toFixed(1)}${units[i]}` : `${Math.floor(v)}${units[i]}`;
}

/** `2026-05-03 11:09:55` in local time, as wget prints timestamps. */
export function wgetTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function lengthLine(total: number | undefined, contentType: string | undefined, remaining?: number): string {
  const type = contentType ? ` [${contentType.split(';')[0]!.trim()}]` : '';
  if (total === undefined) return `Length: unspecified${type}`;
  const human = total >= 1024 ? ` (${humanSize(total)})` : '';
  const rest = remaining !== undefined && remaining !== total ? `, ${remaining}${remaining >= 1024 ? ` (${humanSize(remaining)})` : ''} remaining` : '';
  return `Length: ${total}${human}${rest}${type}`;
}

/**
 * Bytes one dot stands for. dot:giga uses 1 MiB (32 MiB a line); for files under 256 MiB the
 * simulator shrinks the dot (down to 1 KiB) so that a small test file still shows several lines.
 * This is a documented deviation from real wget.
 */
export function dotBytes(total: number | undefined): number {
  const giga = 1024 * 1024;
  if (total === undefined || total >= 256 * giga) return giga;
  let dot = 1024;
  while (dot * 2 * 32 * 8 <= total) dot *= 2;
  return dot;
}

function rate(bytesPerSec: number): string {
  if (bytesPerSec >= 1024 * 1024) return `${(bytesPerSec / 1024 / 1024).toFixed(bytesPerSec >= 100 * 1024 * 1024 ? 0 : 1)}M`;
  if (bytesPerSec >= 1024) return `${(bytesPerSec / 1024).toFixed(bytesPerSec >= 100 * 1024 ? 0 : 1)}K`;
  return `${Math.round(bytesPerSec)}`;
}

function eta(seconds: number): string {
  if (seconds < 100) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 100) return `${m}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

/** One progress line: offset in K, dots in groups of 8, percent, speed, ETA (or `=elapsed` when done). */
export function progressLine(opts: {
  lineStart: number;
  lineBytes: number;
  dot: number;
  done: number;
  total: number | undefined;
  lineSeconds: number;
  elapsedSeconds: number;
  final: boolean;
}): string {
  const dots = Math.min(32, Math.ceil(opts.lineBytes / opts.dot));
  let body = '';
  for (let i = 0; i < 32; i++) {
    if (i % 8 === 0) body += ' ';
    body += i < dots ? '.' : ' ';
  }
  const offsetK = `${Math.floor(opts.lineStart / 1024)}K`.padStart(7);
  const speed = rate(opts.lineBytes / Math.max(opts.lineSeconds, 0.001));
  const pct = opts.total ? `${Math.floor((opts.done * 100) / opts.total)}%`.padStart(4) : '';
  if (opts.final) return `${offsetK}${body}${pct} ${speed.padStart(5)}=${opts.elapsedSeconds.toFixed(opts.elapsedSeconds < 10 ? 1 : 0)}s`;
  const rest = opts.total ? eta(((opts.total - opts.done) / Math.max(opts.done, 1)) * opts.elapsedSeconds) : '';
  return `${offsetK}${body}${pct} ${speed.padStart(5)} ${rest}`.trimEnd();
}
