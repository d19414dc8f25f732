// Reads, once per cluster, what the planner needs to know about it: the nodes, each node's storages,
// the ISO listing of each storage (one listing per shared storage, one per node for local ones) and
// the downloads already running. Failures are recorded, not thrown, so the pre-flight can report
// every problem together.

import type { ContentItem, PveNode, StorageStatus, TaskListItem } from '../pve/types.js';
import type { IsoRequest, NodeApi } from './request.js';

export type Fact<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface ClusterInventory {
  nodes: Fact<PveNode[]>;
  /** node → its storages (GET /nodes/{node}/storage, unfiltered so disabled ones show). */
  storages: Map<string, Fact<StorageStatus[]>>;
  /** listing key (see listingKey) → ISO content. */
  content: Map<string, Fact<ContentItem[]>>;
  /** node → running download tasks (typefilter=download, source=active). */
  activeDownloads: Map<string, Fact<TaskListItem[]>>;
}

/** One listing serves every node of a shared storage. */
export function listingKey(node: string, storage: StorageStatus | { storage: string; shared: boolean }): string {
  return storage.shared ? `*/${storage.storage}` : `${node}/${storage.storage}`;
}

async function fact<T>(fn: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Gathers the inventory of one cluster for the given requests (all of the same endpoint). */
export async function readInventory(api: NodeApi, requests: readonly IsoRequest[], signal?: AbortSignal): Promise<ClusterInventory> {
  const opts = signal ? { signal } : {};
  const inventory: ClusterInventory = { nodes: await fact(() => api.nodes(opts)), storages: new Map(), content: new Map(), activeDownloads: new Map() };
  const known = inventory.nodes.ok ? new Set(inventory.nodes.value.map((n) => n.node)) : undefined;
  const nodes = [...new Set(requests.map((r) => r.node))].filter((n) => !known || known.has(n));
  await Promise.all(
    nodes.map(async (node) => {
      const [storages, active] = await Promise.all([
        fact(() => api.storages(node, {}, opts)),
        fact(() => api.tasks(node, { typefilter: 'download', source: 'active' }, opts)),
      ]);
      inventory.storages.set(node, storages);
      inventory.activeDownloads.set(node, active);
    }),
  );
  const listings = new Map<string, { node: string; storage: string }>();
  for (const r of requests) {
    const storages = inventory.storages.get(r.node);
    if (!storages?.ok) continue;
    const s = storages.value.find((x) => x.storage === r.storage);
    if (!s || !s.enabled || !s.active || !s.content.includes('iso')) continue;
    const key = listingKey(r.node, s);
    if (!listings.has(key)) listings.set(key, { node: r.node, storage: r.storage });
  }
  await Promise.all(
    [...listings].map(async ([key, { node, storage }]) => {
      inventory.content.set(key, await fact(() => api.content(node, storage, { content: 'iso' }, opts)));
    }),
  );
  return inventory;
}
