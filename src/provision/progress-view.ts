// Shows engine events to a person or a pipeline: NDJSON for CI (`--json`), plain periodic lines when
// the output is not a terminal, and one live progress bar per ISO on a terminal. The engine itself
// knows nothing about terminals; the caller picks the view.

import { Chalk } from 'chalk';
import { redactSecrets } from '../log.js';
import type { EventSink, JobRef, ProvisionEvent } from './events.js';
import type { Clock } from './watchdog.js';
import { formatBytes, formatClock, formatElapsed, formatRate } from './units.js';
import { formatSummary } from './summary.js';

type Stream = NodeJS.WritableStream & { columns?: number };

/** `--json`: one JSON object per line, each with `event` and an ISO-8601 `time`. */
export function createJsonView(stream: Stream, now: Clock = Date.now): EventSink {
  return {
    emit(event) {
      stream.write(redactSecrets(JSON.stringify({ ...event, time: new Date(now()).toISOString() })) + '\n');
    },
  };
}

const PREFIX = 'hclx:';

function jobKey(e: JobRef): string {
  return `${e.node}/${e.volid}`;
}

/** A line for every event but progress, which is printed at most once per `intervalMs` per ISO. */
function describeEvent(event: ProvisionEvent): string | undefined {
  switch (event.event) {
    case 'start': {
      const verb = { download: 'downloading', verify: 'verifying existing', await: 'waiting for the running download of', overwrite: 'replacing' }[event.action];
      return `${verb} ${event.volid} on ${event.node} from ${event.url}`;
    }
    case 'reused':
      return `reusing ${event.volid} on ${event.node} (${formatBytes(event.size)}, content-addressed name: no hashing needed)`;
    case 'verified':
      return `verified ${event.volid} on ${event.node} (${formatBytes(event.size)} hashed by Proxmox, nothing transferred) in ${formatElapsed(event.seconds)}`;
    case 'downloaded':
      return `downloaded ${event.volid} on ${event.node} (${formatBytes(event.size)}) in ${formatElapsed(event.seconds)}`;
    case 'awaited':
      return `${event.volid} on ${event.node} was downloaded by another run (${formatBytes(event.size)}), waited ${formatElapsed(event.seconds)}`;
    case 'retry':
      return event.nextUrl
        ? `${event.volid}: ${event.reason}; trying the next mirror ${event.nextUrl}`
        : `${event.volid}: ${event.reason}; retry ${event.attempt} in ${formatElapsed(event.delayMs / 1000)}`;
    case 'error': {
      const log = event.taskLog?.length ? `\n  task log:\n${event.taskLog.map((l) => `    ${l}`).join('\n')}` : '';
      return `error: ${event.volid} on ${event.node}: ${event.message}${log}`;
    }
    case 'warning':
      return `warning: ${event.message}`;
    case 'progress':
      return undefined;
    case 'summary':
      return formatSummary(event);
  }
}

function describeProgress(e: Extract<ProvisionEvent, { event: 'progress' }>): string {
  if (e.phase === 'verifying' || e.phase === 'verifying-existing') return `${e.volid}: Proxmox is verifying the checksum`;
  if (e.phase === 'connecting') return `${e.volid}: connecting`;
  const pct = e.percent !== undefined ? `${e.percent}% of ` : '';
  const eta = e.etaSeconds !== undefined ? `, ETA ${formatClock(e.etaSeconds)}` : '';
  return `${e.volid}: ${pct}${formatBytes(e.total ?? e.bytes)} (${formatBytes(e.bytes)}) at ${formatRate(e.bytesPerSecond)}${eta}`;
}

/** Not a terminal: plain lines, progress at most every `intervalMs` per ISO (default 10 s). */
export function createPlainView(stream: Stream, options: { intervalMs?: number; now?: Clock } = {}): EventSink {
  const interval = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  const lastPrinted = new Map<string, { at: number; phase: string }>();
  const write = (text: string) => stream.write(redactSecrets(text.split('\n').map((l, i) => (i === 0 ? `${PREFIX} ${l}` : l)).join('\n')) + '\n');
  return {
    emit(event) {
      if (event.event === 'progress') {
        const key = jobKey(event);
        const last = lastPrinted.get(key);
        const t = now();
        if (last && last.phase === event.phase && t - last.at < interval) return;
        lastPrinted.set(key, { at: t, phase: event.phase });
        write(describeProgress(event));
        return;
      }
      const text = describeEvent(event);
      if (text !== undefined) write(text);
    },
  };
}

interface BarState {
  label: string;
  progress?: Extract<ProvisionEvent, { event: 'progress' }>;
  note?: string;
}

/** A terminal: one live bar per running ISO below the scrolling event lines (redrawn at most every `redrawMs`). */
export function createTtyView(stream: Stream, options: { color?: boolean; now?: Clock; redrawMs?: number } = {}): EventSink {
  const chalk = new Chalk({ level: options.color === false ? 0 : 1 });
  const now = options.now ?? Date.now;
  const redrawMs = options.redrawMs ?? 100;
  const bars = new Map<string, BarState>();
  let drawnLines = 0;
  let lastDraw = 0;

  const width = () => Math.max(40, Math.min(stream.columns ?? 80, 160));
  const clear = () => {
    if (drawnLines > 0) stream.write(`\x1b[${drawnLines}A\x1b[0J`);
    drawnLines = 0;
  };
  const renderBar = (b: BarState): string => {
    const p = b.progress;
    const cols = width();
    const label = b.label.length > 40 ? `…${b.label.slice(-39)}` : b.label;
    if (!p || p.phase === 'connecting') return `${chalk.cyan(label)} ${chalk.dim(b.note ?? 'starting…')}`;
    if (p.phase === 'verifying' || p.phase === 'verifying-existing') return `${chalk.cyan(label)} ${chalk.yellow('verifying checksum on the node…')}`;
    const fraction = p.percent !== undefined ? p.percent / 100 : p.total ? p.bytes / p.total : undefined;
    const stats = `${fraction !== undefined ? `${String(Math.floor(fraction * 100)).padStart(3)}%` : formatBytes(p.bytes)} ${formatRate(p.bytesPerSecond).padStart(11)} ETA ${formatClock(p.etaSeconds)}`;
    const barWidth = Math.max(10, cols - label.length - stats.length - 6);
    const filled = fraction === undefined ? 0 : Math.round(fraction * barWidth);
    const bar = chalk.green('█'.repeat(filled)) + chalk.dim('░'.repeat(barWidth - filled));
    return `${chalk.cyan(label)} ${bar} ${stats}`;
  };
  const draw = (force = false) => {
    const t = now();
    if (!force && t - lastDraw < redrawMs) return;
    lastDraw = t;
    clear();
    const lines = [...bars.values()].map(renderBar);
    if (lines.length) stream.write(redactSecrets(lines.join('\n')) + '\n');
    drawnLines = lines.length;
  };
  const print = (text: string) => {
    clear();
    stream.write(redactSecrets(text) + '\n');
    draw(true);
  };

  return {
    emit(event) {
      if (event.event === 'progress') {
        const bar = bars.get(jobKey(event)) ?? { label: event.volid };
        bar.progress = event;
        bars.set(jobKey(event), bar);
        draw();
        return;
      }
      if (event.event === 'start') bars.set(jobKey(event), { label: event.volid, note: event.action === 'await' ? 'waiting for another run…' : 'starting…' });
      if (event.event === 'reused' || event.event === 'verified' || event.event === 'downloaded' || event.event === 'awaited' || event.event === 'error') bars.delete(jobKey(event));
      const text = describeEvent(event);
      if (text === undefined) return;
      const colored =
        event.event === 'error' ? chalk.red(text) : event.event === 'warning' || event.event === 'retry' ? chalk.yellow(text) : event.event === 'summary' ? text : `${chalk.dim(PREFIX)} ${text}`;
      print(event.event === 'error' || event.event === 'warning' ? `${chalk.dim(PREFIX)} ${colored}` : colored);
    },
    close() {
      bars.clear();
      clear();
    },
  };
}

/** Picks the view: JSON when asked, bars on a terminal, plain lines otherwise. */
export function createView(stream: Stream & { isTTY?: boolean }, options: { json?: boolean; color?: boolean; now?: Clock }): EventSink {
  if (options.json) return createJsonView(stream, options.now);
  if (stream.isTTY) return createTtyView(stream, { color: options.color ?? true, now: options.now });
  return createPlainView(stream, { now: options.now });
}
