// What `hclx migrate` tells the user on stderr: each change, each ISO it could not map (with how
// to map it), and the notes (raised plugin constraints, new variables, things left for a human).

import { formatRange } from '../errors.js';
import type { MigrationPlan, PlanMessage } from './plan.js';

function line(m: PlanMessage): string {
  return m.range ? `${formatRange(m.range)}: ${m.message}` : m.message;
}

/** The summary lines, without a trailing newline; empty when there is nothing to say. */
export function formatReport(plan: MigrationPlan): string {
  const out: string[] = [];
  for (const c of plan.changes) out.push(`change: ${line(c)}`);
  for (const u of plan.unmapped) out.push(`not mapped: ${formatRange(u.range)}: ${u.volid} is left as an iso_file reference. ${u.hint}`);
  for (const n of plan.notes) out.push(`note: ${line(n)}`);
  return out.join('\n');
}
