// Maps `METHOD /path` (relative to /api2/json, already URI-unescaped as pveproxy does) to a route
// and its path parameters. `{volume}` as the last segment takes the rest of the path, like the
// storage content router (fragmentDelimiter '').
import type { RouteDef } from './sim-context.js';

interface Compiled {
  def: RouteDef;
  re: RegExp;
  names: string[];
}

export interface RouteMatch {
  def: RouteDef;
  pathParams: Record<string, string>;
}

export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: RouteDef[]) {
    this.compiled = routes.map((def) => {
      const names: string[] = [];
      const source = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return name === 'volume' ? '(.+)' : '([^/]+)';
      });
      return { def, re: new RegExp(`^${source}$`), names };
    });
  }

  match(method: string, path: string): RouteMatch | undefined {
    const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
    for (const c of this.compiled) {
      if (c.def.method !== method) continue;
      const m = c.re.exec(clean);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      c.names.forEach((n, i) => (pathParams[n] = m[i + 1]!));
      return { def: c.def, pathParams };
    }
    return undefined;
  }
}
