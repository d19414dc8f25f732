// Permissions as PVE evaluates them: ACL entries on paths propagate down, and for each subject the
// entries on the most specific path that has any replace those inherited from above. root@pam
// holds every privilege. A token with privilege separation gets the intersection of its user's
// and its own privileges; without it, its user's. Permission expressions (`perm`, `and`, `or`)
// fail with the same messages as RPCEnvironment.pm.
import { permError } from './api-error.js';
import type { Identity } from './auth.js';
import { KNOWN_PRIVILEGES } from './param-schema.js';
import type { SimAcl, SimToken } from './types.js';

export type PermCheck = ['perm', string, string[], ...unknown[]] | ['and', ...PermCheck[]] | ['or', ...PermCheck[]];

function pathPrefixes(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out = ['/'];
  for (let i = 1; i <= parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

export class Permissions {
  constructor(
    private readonly acls: SimAcl[],
    private readonly token: (tokenid: string) => SimToken | undefined,
  ) {}

  private subjectPrivs(ugid: string, path: string): Set<string> {
    let privs = new Set<string>();
    for (const prefix of pathPrefixes(path)) {
      const entries = this.acls.filter((a) => a.ugid === ugid && a.path.replace(/\/+$/, '') === prefix.replace(/\/+$/, ''));
      if (entries.length > 0) privs = new Set(entries.flatMap((e) => e.privs));
    }
    return privs;
  }

  /** Whether `id` holds `priv` on `path`. */
  has(id: Identity, path: string, priv: string): boolean {
    const userHas = id.userid === 'root@pam' || this.subjectPrivs(id.userid, path).has(priv);
    if (!id.tokenid) return userHas;
    const token = this.token(id.tokenid);
    if (token && token.privsep === false) return userHas;
    return userHas && this.subjectPrivs(id.tokenid, path).has(priv);
  }

  /** RPCEnvironment check(): all privileges, failing on the first missing one. */
  check(id: Identity, path: string, privs: string[]): void {
    for (const p of privs) if (!this.has(id, path, p)) throw permError(`${path}, ${p}`);
  }

  /** RPCEnvironment check_any(). */
  checkAny(id: Identity, path: string, privs: string[]): void {
    if (!privs.some((p) => this.has(id, path, p))) throw permError(`${path}, ${privs.join('|')}`);
  }

  anyOf(id: Identity, path: string, privs: string[]): boolean {
    return privs.some((p) => this.has(id, path, p));
  }

  /** The privileges `id` holds on `path`, each mapped to its propagate flag (always 1 here: ACLs propagate). */
  privilegesOn(id: Identity, path: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of KNOWN_PRIVILEGES) if (this.has(id, path, p)) out[p] = 1;
    return out;
  }

  /**
   * RPCEnvironment get_effective_permissions: the top-level paths plus every path an ACL names,
   * each with the privileges held there; paths without any privilege are left out.
   */
  effective(id: Identity): Record<string, Record<string, number>> {
    const paths = new Set(['/', '/access', '/access/groups', '/nodes', '/pool', '/sdn', '/storage', '/vms']);
    for (const a of this.acls) paths.add(a.path.length > 1 ? a.path.replace(/\/+$/, '') : a.path);
    const out: Record<string, Record<string, number>> = {};
    for (const path of [...paths].sort()) {
      const privs = this.privilegesOn(id, path);
      if (Object.keys(privs).length) out[path] = privs;
    }
    return out;
  }

  /** Evaluates a schema `check` expression with `{param}` placeholders filled from the request. */
  evaluate(id: Identity, check: PermCheck, params: Record<string, unknown>): void {
    const [op, ...rest] = check;
    if (op === 'perm') {
      const [tmpl, privs, ...opts] = rest as [string, string[], ...unknown[]];
      const path = tmpl.replace(/\{([^}]+)\}/g, (_, name: string) => String(params[name] ?? ''));
      const anyIdx = opts.indexOf('any');
      if (anyIdx >= 0 && opts[anyIdx + 1]) this.checkAny(id, path, privs);
      else this.check(id, path, privs);
      return;
    }
    if (op === 'and') {
      for (const sub of rest as PermCheck[]) this.evaluate(id, sub, params);
      return;
    }
    if (op === 'or') {
      for (const sub of rest as PermCheck[]) {
        try {
          this.evaluate(id, sub, params);
          return;
        } catch {
          // try the next alternative
        }
      }
      throw permError();
    }
    throw new Error(`unknown permission check '${String(op)}'`);
  }
}
