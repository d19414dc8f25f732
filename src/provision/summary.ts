// The end-of-run table: each ISO, its volid, what happened (downloaded / reused / verified / awaited
// / failed), size and time.

import type { ProvisionEvent, SummaryRow } from './events.js';
import { formatBytes, formatElapsed } from './units.js';

export function formatSummary(summary: Extract<ProvisionEvent, { event: 'summary' }>): string {
  const rows = summary.isos;
  if (rows.length === 0) return 'no ISO needs downloading (no block has iso_download_pve = true)';
  const header = ['ISO', 'NODE', 'RESULT', 'SIZE', 'TIME'];
  const table = rows.map((r) => [r.volid, r.node, r.outcome, formatBytes(r.size), formatElapsed(r.seconds)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const counts = countOutcomes(rows);
  const tally = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const title = `${summary.ok ? 'ISOs ready' : 'ISO download failed'}: ${tally} in ${formatElapsed(summary.seconds)}`;
  const errors = rows.filter((r) => r.error).map((r) => `  ${r.volid}: ${r.error}`);
  return [title, `  ${line(header)}`, ...table.map((row) => `  ${line(row)}`), ...errors].join('\n');
}

export function countOutcomes(rows: readonly SummaryRow[]): Record<SummaryRow['outcome'], number> {
  const counts: Record<SummaryRow['outcome'], number> = { downloaded: 0, reused: 0, verified: 0, awaited: 0, failed: 0 };
  for (const r of rows) counts[r.outcome]++;
  return counts;
}
