// Small helpers the API handler modules share.
import { handlerError } from '../api-error.js';
import type { SimContext } from '../sim-context.js';

/** A node that is not part of the simulated cluster fails like a proxied call to an unknown host. */
export function requireNode(sim: SimContext, node: unknown): string {
  const name = String(node);
  if (!sim.nodes.includes(name)) throw handlerError(`hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`);
  return name;
}

export const ok = (data: unknown, total?: number) => (total === undefined ? { data } : { data, total });
