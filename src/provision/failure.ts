// Which download failures are worth another attempt. A task's exit status is Proxmox's `TASK ERROR`
// text (pve-api.md §1.5): wget's network errors are transient; an HTTP 4xx from the mirror means this
// URL will not work (try the next mirror); a checksum mismatch, `refusing to override` or a failed
// file check will fail again however often it is retried.

export type FailureKind =
  /** Connection reset, timeout, 5xx from the mirror: retry (with backoff), then the next mirror. */
  | 'transient'
  /** This URL cannot work (404, 403, bad host): go to the next mirror at once, no retry. */
  | 'url'
  /** Retrying cannot help (checksum mismatch, refusing to override, invalid file, stopped). */
  | 'fatal';

export function classifyTaskFailure(exitstatus: string): FailureKind {
  const text = exitstatus.trim();
  if (/checksum mismatch/i.test(text)) return 'fatal';
  if (/refusing to override/i.test(text)) return 'fatal';
  if (/failed to verify file|decompression|no decompression method/i.test(text)) return 'fatal';
  if (/received interrupt/i.test(text)) return 'fatal';
  const http = /ERROR (\d{3})/.exec(text);
  if (http) {
    const status = Number(http[1]);
    if (status === 408 || status === 429 || status >= 500) return 'transient';
    return 'url';
  }
  // wget's DNS failure and bad URLs: another attempt at the same host will not do better.
  if (/unable to resolve host address|Name or service not known|Invalid host name|Unsupported scheme|No such file/i.test(text)) return 'url';
  if (/certificate|SSL|TLS|handshake/i.test(text)) return 'url';
  // `download failed: <wget's last line>` for resets, refused connections, read timeouts; and
  // `unexpected status` when the worker died without writing its verdict.
  if (/^download failed|unexpected status|connection|timed out|timeout|reset|refused|read error|broken pipe/i.test(text)) return 'transient';
  return 'fatal';
}

/** Task exit statuses Proxmox counts as success (`status_is_error` is false for these). */
export function isTaskSuccess(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || /^WARNINGS: \d+$/.test(exitstatus ?? '');
}
