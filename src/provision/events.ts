// What the engine reports while it works. The same events feed the TTY progress bars, the plain
// periodic lines and the `--json` NDJSON stream for CI, so all three always agree.

import type { DownloadPhase } from './task-log.js';

/** How an ISO ended up on the storage. */
export type IsoOutcome =
  /** Transferred by the node in this run. */
  | 'downloaded'
  /** Already there under its content-addressed name: reused after a listing, no hashing. */
  | 'reused'
  /** Already there under its URL name: Proxmox hashed it against the checksum, no transfer. */
  | 'verified'
  /** Another process (another hclx run) was downloading it; this run waited for that task. */
  | 'awaited';

/** Identifies one download job: one file on one storage (on one node, unless the storage is shared). */
export interface JobRef {
  volid: string;
  node: string;
  storage: string;
}

export type ProvisionEvent =
  | (JobRef & { event: 'start'; url: string; filename: string; action: 'download' | 'verify' | 'await' | 'overwrite'; specs: string[]; upid?: string })
  | (JobRef & {
      event: 'progress';
      phase: DownloadPhase;
      bytes: number;
      total?: number;
      percent?: number;
      bytesPerSecond?: number;
      etaSeconds?: number;
    })
  | (JobRef & { event: 'reused' | 'verified' | 'downloaded' | 'awaited'; size?: number; seconds: number; url?: string })
  | (JobRef & { event: 'retry'; attempt: number; delayMs: number; reason: string; url: string; nextUrl?: string })
  | (JobRef & { event: 'error'; code: string; message: string; taskLog?: string[] })
  | { event: 'warning'; message: string; volid?: string }
  | { event: 'summary'; ok: boolean; seconds: number; isos: SummaryRow[] };

export interface SummaryRow extends JobRef {
  outcome: IsoOutcome | 'failed';
  size?: number;
  seconds: number;
  /** Labels of the specs (source + block) that use this file. */
  specs: string[];
  url?: string;
  error?: string;
}

export interface EventSink {
  emit(event: ProvisionEvent): void;
  /** Called once at the end (flushes, clears progress bars). */
  close?(): void;
}

/** Fans events out to several sinks. */
export function fanOut(...sinks: EventSink[]): EventSink {
  return {
    emit: (e) => sinks.forEach((s) => s.emit(e)),
    close: () => sinks.forEach((s) => s.close?.()),
  };
}

/** Collects events in memory (tests, and the summary). */
export function collectEvents(): EventSink & { events: ProvisionEvent[] } {
  const events: ProvisionEvent[] = [];
  return { events, emit: (e) => events.push(e) };
}
