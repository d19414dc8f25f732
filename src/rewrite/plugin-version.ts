// hashicorp/go-version constraints as `required_plugins` writes them (">= 1.1.5", "~> 1.1.8",
// "= 1.1.8, != 1.1.9", "v1.2.4"), reduced to the question hclx asks: may the template run with a
// Proxmox plugin older than 1.2.0 (no boot_iso, no type/index), and with 1.2.0 or newer?

export type Version = [number, number, number];

export interface Constraint {
  op: '=' | '!=' | '>' | '>=' | '<' | '<=' | '~>';
  version: Version;
  /** How many segments were written (for ~>). */
  segments: number;
}

export function parseVersion(text: string): { version: Version; segments: number } | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return undefined;
  const segments = m[3] !== undefined ? 3 : m[2] !== undefined ? 2 : 1;
  return { version: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], segments };
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** Parses a constraint string; undefined when it is not valid go-version syntax. */
export function parseConstraint(text: string): Constraint[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  const result: Constraint[] = [];
  for (const part of parts) {
    const m = /^(~>|>=|<=|!=|=|>|<)?\s*(.+)$/.exec(part);
    if (!m) return undefined;
    const v = parseVersion(m[2]!);
    if (!v) return undefined;
    result.push({ op: (m[1] ?? '=') as Constraint['op'], version: v.version, segments: v.segments });
  }
  return result.length > 0 ? result : undefined;
}

function satisfies(v: Version, c: Constraint): boolean {
  const cmp = compareVersions(v, c.version);
  switch (c.op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '~>': {
      if (cmp < 0) return false;
      // ~> 1.1.8 allows >= 1.1.8, < 1.2.0; ~> 1.2 allows >= 1.2, < 2.0.
      const upper: Version = c.segments >= 3 ? [c.version[0], c.version[1] + 1, 0] : [c.version[0] + 1, 0, 0];
      return compareVersions(v, upper) < 0;
    }
  }
}

/** Whether a version meets every constraint (a list as parseConstraint returns it). */
export function admits(constraints: readonly Constraint[], version: Version): boolean {
  return constraints.every((c) => satisfies(version, c));
}

/** Candidate versions around every bound, enough to decide the two questions below exactly. */
function candidates(constraints: Constraint[]): Version[] {
  const out: Version[] = [
    [0, 0, 0],
    [1, 1, 999],
    [1, 2, 0],
    [99, 0, 0],
  ];
  for (const c of constraints) {
    const [a, b, p] = c.version;
    out.push([a, b, p], [a, b, p + 1], [a, b + 1, 0], [a + 1, 0, 0]);
    if (p > 0) out.push([a, b, p - 1]);
    else if (b > 0) out.push([a, b - 1, 999]);
    else if (a > 0) out.push([a - 1, 999, 999]);
  }
  return out;
}

export const MODERN_PLUGIN: Version = [1, 2, 0];

/** Which plugin generations a constraint admits. */
export function admittedGenerations(constraints: Constraint[]): { legacy: boolean; modern: boolean } {
  const ok = candidates(constraints).filter((v) => constraints.every((c) => satisfies(v, c)));
  return {
    legacy: ok.some((v) => compareVersions(v, MODERN_PLUGIN) < 0),
    modern: ok.some((v) => compareVersions(v, MODERN_PLUGIN) >= 0),
  };
}
