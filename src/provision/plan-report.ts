// How `hclx plan` shows its result: per ISO block, where it comes from, where it goes and what a
// run would do — or one JSON document with --json.

import { redactSecrets } from '../log.js';
import type { PlanEntry, PlanResult, PlanState } from './engine.js';
import { formatBytes } from './units.js';

const STATE_TEXT: Record<PlanState, string> = {
  present: 'present: reused as is (content-addressed name, no hashing)',
  'would-verify': 'present under its URL name: Proxmox would verify it against the checksum (no transfer)',
  'would-download': 'absent: the node would download it',
  'would-replace': 'present but unverifiable (iso_checksum none): --overwrite would delete and download it again',
  refused: 'present but unverifiable (iso_checksum none): refused; set iso_checksum or use --overwrite',
  downloading: 'being downloaded by another run: would wait for it',
  error: 'cannot be provisioned',
};

function entryText(e: PlanEntry): string {
  const lines = [`${e.label}`];
  lines.push(`  url      ${e.url}${e.urls.length > 1 ? ` (+${e.urls.length - 1} mirror${e.urls.length > 2 ? 's' : ''})` : ''}`);
  lines.push(`  target   ${e.volid ?? `${e.storage}:iso/?`} on node ${e.node}`);
  lines.push(`  state    ${STATE_TEXT[e.state]}${e.size !== undefined ? ` (${formatBytes(e.size)})` : ''}`);
  if (e.problem) lines.push(`  problem  ${e.problem}`);
  return lines.join('\n');
}

export function formatPlan(plan: PlanResult): string {
  if (plan.entries.length === 0) return 'No ISO block has iso_download_pve = true: nothing to download on the node.';
  const counts = new Map<PlanState, number>();
  for (const e of plan.entries) counts.set(e.state, (counts.get(e.state) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s.replace('-', ' ')}`).join(', ');
  const downloads = plan.jobs.filter((j) => j.action === 'download' || j.action === 'replace').length;
  const head = `${plan.entries.length} ISO block${plan.entries.length === 1 ? '' : 's'} with iso_download_pve: ${tally}; ${downloads} download${downloads === 1 ? '' : 's'} on the node.`;
  return redactSecrets([head, '', ...plan.entries.map(entryText)].join('\n'));
}

export function planJson(plan: PlanResult): string {
  return redactSecrets(
    JSON.stringify(
      {
        isos: plan.entries,
        problems: plan.problems.map((p) => ({ code: p.code, message: p.message, specs: p.specs, ...(p.range ? { at: `${p.range.file}:${p.range.start.line}:${p.range.start.column}` } : {}) })),
      },
      null,
      2,
    ),
  );
}
