// Raising a Packer plugin version constraint (hashicorp/go-version syntax: `>= 1.1.6`, `~> 1`,
// `1.1.8`, `>= 1.0, < 2.0`) to a minimum version, keeping the user's style and upper bounds.

import { compareVersions } from './catalogue.js';

interface Clause {
  op: '=' | '!=' | '>' | '>=' | '<' | '<=' | '~>';
  version: string;
  segments: number;
}

function parseClauses(constraint: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const raw of constraint.split(',')) {
    const m = /^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})(?:-[0-9A-Za-z.-]+)?\s*$/.exec(raw);
    if (!m) return undefined;
    clauses.push({ op: (m[1] ?? '=') as Clause['op'], version: m[2]!, segments: m[2]!.split('.').length });
  }
  return clauses.length > 0 ? clauses : undefined;
}

/** The exclusive upper bound a `~>` clause implies (`~> 1.2` → `2.0`, `~> 1.2.3` → `1.3`). */
function pessimisticUpper(c: Clause): string {
  const parts = c.version.split('.').map(Number);
  if (parts.length <= 2) return `${parts[0]! + 1}.0.0`;
  return `${parts[0]}.${parts[1]! + 1}.0`;
}

/**
 * The constraint rewritten so it allows no version below `minimum`; undefined when it already does
 * not. Upper bounds that still admit `minimum` are kept; a lone `~>` keeps its form.
 */
export function raiseConstraint(constraint: string, minimum: string): string | undefined {
  const clauses = parseClauses(constraint);
  if (!clauses) return `>= ${minimum}`;
  const lower = clauses
    .filter((c) => c.op === '>=' || c.op === '>' || c.op === '=' || c.op === '~>')
    .map((c) => c.version)
    .sort(compareVersions)
    .at(-1);
  const uppers = clauses.flatMap((c) => (c.op === '<' || c.op === '<=' ? [{ op: c.op, version: c.version }] : c.op === '~>' ? [{ op: '<', version: pessimisticUpper(c) }] : []));
  const upperOk = uppers.every((u) => compareVersions(u.version, minimum) > 0 || (u.op === '<=' && compareVersions(u.version, minimum) === 0));
  const pinned = clauses.some((c) => c.op === '=');
  if (lower !== undefined && compareVersions(lower, minimum) >= 0 && upperOk) return undefined;
  const [maj, min, patch] = minimum.split('.');
  if (clauses.length === 1 && clauses[0]!.op === '~>' && clauses[0]!.version.split('.')[0] === maj) {
    return clauses[0]!.segments === 3 ? `~> ${maj}.${min}.${patch}` : `~> ${maj}.${min}`;
  }
  const kept = pinned ? [] : uppers.filter((u) => compareVersions(u.version, minimum) > 0).map((u) => `${u.op} ${u.version}`);
  return [`>= ${minimum}`, ...kept].join(', ');
}
