// Decides when a download has to be given up: no progress for `stallMs` (a stall) or longer than
// `overallMs` in total. There is deliberately no fixed short timeout (the plugin's 60 s default is
// what users trip over): a slow but moving download may take as long as it needs.
// Pure apart from the injected clock, so tests drive time by hand.

import { UsageError } from '../errors.js';

export type Clock = () => number;

export interface WatchdogOptions {
  /** No progress for this long = stalled. 0 or undefined disables the check. */
  stallMs?: number;
  /** Whole download longer than this = timed out. 0 or undefined disables the check. */
  overallMs?: number;
  now?: Clock;
}

export type WatchdogVerdict =
  | { kind: 'ok' }
  | { kind: 'stalled'; idleMs: number }
  | { kind: 'timeout'; elapsedMs: number };

export class Watchdog {
  private readonly now: Clock;
  private readonly startedAt: number;
  private lastProgressAt: number;
  private lastMark: string | undefined;

  constructor(private readonly options: WatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.lastProgressAt = this.startedAt;
  }

  /**
   * Reports the current progress mark (any string that changes when the download moves: bytes,
   * log line count, phase). A changed mark resets the stall timer.
   */
  observe(mark: string): void {
    if (mark !== this.lastMark) {
      this.lastMark = mark;
      this.lastProgressAt = this.now();
    }
  }

  verdict(): WatchdogVerdict {
    const t = this.now();
    const { stallMs, overallMs } = this.options;
    if (overallMs && t - this.startedAt >= overallMs) return { kind: 'timeout', elapsedMs: t - this.startedAt };
    if (stallMs && t - this.lastProgressAt >= stallMs) return { kind: 'stalled', idleMs: t - this.lastProgressAt };
    return { kind: 'ok' };
  }

  /** Milliseconds until the next deadline (stall or overall), for sleeping no longer than needed. */
  msUntilDeadline(): number {
    const t = this.now();
    const candidates: number[] = [];
    if (this.options.overallMs) candidates.push(this.startedAt + this.options.overallMs - t);
    if (this.options.stallMs) candidates.push(this.lastProgressAt + this.options.stallMs - t);
    return candidates.length ? Math.max(0, Math.min(...candidates)) : Infinity;
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }
}

/** Parses `--stall-timeout` / `--download-timeout` values: `90`, `90s`, `5m`, `1h30m`, `0`/`none` = off. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || trimmed === 'off' || trimmed === '0') return 0;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(trimmed);
  if (!m || trimmed === '') throw new DurationSyntaxError(flag, text);
  const [, h, min, s, ms] = m;
  return Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Math.round(Number(s ?? 0) * 1000) + Number(ms ?? 0);
}

class DurationSyntaxError extends UsageError {
  constructor(flag: string, text: string) {
    super(`${flag} '${text}' is not a duration.`, { hint: `Write it like 90s, 5m or 1h30m (a bare number is seconds; 0 or none turns the limit off).` });
  }
}
