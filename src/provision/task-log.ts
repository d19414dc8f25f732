// Reads what a download-url task writes into its log (pve-api.md §1.5, §2.4): wget's `Length:` line,
// its `--progress=dot:giga` lines (1 dot = 1 MiB, 32 MiB per line), the checksum phases and the final
// verdict. Pure: feed lines in, read the state out. The log is the only progress signal Proxmox gives.

export type DownloadPhase =
  /** Task started, wget has not reported a length yet. */
  | 'connecting'
  /** wget is transferring (progress lines). */
  | 'downloading'
  /** Hashing the downloaded temp file. */
  | 'verifying'
  /** Hashing a file that was already on the storage (no transfer). */
  | 'verifying-existing'
  /** The task logged its final line. */
  | 'finished';

export interface DownloadProgress {
  phase: DownloadPhase;
  /** Bytes received so far (from the last progress line; wget's log lags one line behind). */
  bytes: number;
  /** Total size from `Length:`; undefined when unknown (`Length: unspecified`) or not yet seen. */
  total: number | undefined;
  /** Percent reported by wget (0-100), when the total is known. */
  percent: number | undefined;
  /** Transfer rate of the last progress line in bytes/s. */
  bytesPerSecond: number | undefined;
  /** wget's estimate of the remaining seconds. */
  etaSeconds: number | undefined;
  /** The existing file matched the checksum: nothing was transferred. */
  existingFileVerified: boolean;
  /** A fresh download was checksum-verified by Proxmox. */
  checksumVerified: boolean;
  /** Number of log lines consumed. */
  lines: number;
}

export function initialProgress(): DownloadProgress {
  return {
    phase: 'connecting',
    bytes: 0,
    total: undefined,
    percent: undefined,
    bytesPerSecond: undefined,
    etaSeconds: undefined,
    existingFileVerified: false,
    checksumVerified: false,
    lines: 0,
  };
}

const MIB = 1024 * 1024;
const LENGTH_RE = /^Length:\s+(\d+|unspecified)/;
// `<offset>K <dots in groups> [<pct>%] <speed>[ =]<eta|elapsed>`; percent is absent without a Length.
const DOT_LINE_RE = /^\s*(\d+)K\s+([.\s]*?)\s*(?:(\d{1,3})%\s+)?(\d+(?:[.,]\d+)?[KMG]?)(?:(?:\s+|=)(\S+))?\s*$/;
const SAVED_RE = /saved \[(\d+)(?:\/(\d+))?\]/;

/** wget prints rates with a K/M/G suffix in 1024 units (`33.4M` = 33.4 MiB/s). */
export function parseWgetRate(text: string): number | undefined {
  const m = /^(\d+(?:[.,]\d+)?)([KMG]?)$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]!.replace(',', '.'));
  const scale = m[2] === 'G' ? 1024 ** 3 : m[2] === 'M' ? MIB : m[2] === 'K' ? 1024 : 1;
  return value * scale;
}

/** wget's ETA/elapsed: `19s`, `1m30s`, `2h5m`, `1d3h`, `0.5s`. */
export function parseWgetDuration(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:[.,]\d+)?)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number((s ?? '0').replace(',', '.'));
}

/** Consumes one log line and returns the new state (the input is not modified). */
export function applyLogLine(state: DownloadProgress, line: string): DownloadProgress {
  const next: DownloadProgress = { ...state, lines: state.lines + 1 };
  const text = line.replace(/\r$/, '');
  const length = LENGTH_RE.exec(text);
  if (length) {
    next.total = length[1] === 'unspecified' ? undefined : Number(length[1]);
    next.phase = 'downloading';
    return next;
  }
  const dots = DOT_LINE_RE.exec(text);
  if (dots) {
    const dotCount = (dots[2] ?? '').replace(/\s/g, '').length;
    const isLast = text.includes('=');
    next.phase = 'downloading';
    next.bytes = Number(dots[1]) * 1024 + dotCount * MIB;
    if (next.total !== undefined) next.bytes = Math.min(next.bytes, next.total);
    if (dots[3] !== undefined) next.percent = Number(dots[3]);
    next.bytesPerSecond = parseWgetRate(dots[4]!);
    next.etaSeconds = isLast ? 0 : dots[5] === undefined ? undefined : parseWgetDuration(dots[5]);
    if (isLast && next.total !== undefined) next.bytes = next.total;
    return next;
  }
  const saved = SAVED_RE.exec(text);
  if (saved) {
    next.bytes = Number(saved[1]);
    next.total ??= Number(saved[2] ?? saved[1]);
    next.percent = 100;
    next.etaSeconds = 0;
    return next;
  }
  if (text.startsWith('calculating checksum of existing file')) {
    next.phase = 'verifying-existing';
  } else if (text.startsWith('calculating checksum')) {
    next.phase = 'verifying';
  }
  // Proxmox prints "calculating checksum..." and "OK, ..." on the same line (no newline between them).
  if (text.includes('OK, got correct file already')) next.existingFileVerified = true;
  if (text.includes('OK, checksum verified')) next.checksumVerified = true;
  if (/^TASK (?:OK|ERROR|WARNINGS)/.test(text)) next.phase = 'finished';
  return next;
}

/** Applies several lines in order. */
export function applyLogLines(state: DownloadProgress, lines: readonly string[]): DownloadProgress {
  return lines.reduce(applyLogLine, state);
}
