// startSimulator(): builds the simulated Proxmox VE cluster from a SimConfig, serves it over
// HTTP(S) on a free port, and returns the handle tests, benchmarks and `hclx sim` use.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Permissions } from './acl.js';
import { accessRoutes } from './api/access.js';
import { clusterRoutes } from './api/cluster.js';
import { qemuRoutes } from './api/qemu.js';
import { guestRoutes } from './api/qemu-guest.js';
import { storageRoutes } from './api/storage.js';
import { taskRoutes } from './api/tasks.js';
import { uploadRoutes } from './api/upload.js';
import { Authenticator } from './auth.js';
import { resolveConfig } from './config.js';
import { FaultSet } from './faults.js';
import { Mirror } from './mirror.js';
import { Router } from './router.js';
import { API_PREFIX, SimServer } from './server.js';
import type { SimContext } from './sim-context.js';
import { StatsCounter } from './stats.js';
import { Storages } from './storage.js';
import { TaskManager } from './tasks.js';
import { makeTlsMaterial } from './tls.js';
import type { SimConfig, SimHandle } from './types.js';
import { VmRegistry } from './vms.js';
import { NetworkError } from '../errors.js';

export type { SimConfig, SimHandle, SimStats, SimVmRecord, SimStorage, SimUser, SimToken, SimAcl } from './types.js';
export { parseFault, parseSize } from './faults.js';
export { DEFAULT_PASSWORD, loadConfigFile, parseListen, parseMirrorFileSpec, parseTokenSpec, parseUserSpec } from './config.js';

function urlHost(host: string): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return h.includes(':') ? `[${h}]` : h;
}

export async function startSimulator(config: SimConfig = {}): Promise<SimHandle> {
  const c = resolveConfig(config);
  const faults = new FaultSet(c.faults);
  const runtimeDir = await mkdtemp(join(tmpdir(), 'hclx-sim-'));
  const dataDir = c.dataDir ?? join(runtimeDir, 'data');
  let server: SimServer | undefined;
  const tasks = new TaskManager((type) => stats.task(type));
  const stats = new StatsCounter();
  try {
    const storages = new Storages(dataDir, c.nodes, c.storages);
    storages.fullCheck = (id) => faults.peek('storage-full', (f) => !f.storage || f.storage === id) !== undefined;
    for (const s of c.storages) {
      if (!storages.isFileBased(s)) continue;
      for (const node of c.nodes) {
        if (!storages.availableOn(s, node)) continue;
        for (const content of s.content) if (['iso', 'vztmpl', 'import', 'snippets', 'backup'].includes(content)) await mkdir(storages.contentDir(s.storage, node, content), { recursive: true });
      }
    }
    const auth = new Authenticator(c.users, c.tokens, () => {
      const expire = faults.peek('ticket-expire');
      return expire ? Math.min(c.ticketLifetime, expire.ms! / 1000) : c.ticketLifetime;
    });
    const sim: SimContext = {
      nodes: c.nodes,
      storages,
      tasks,
      auth,
      perms: new Permissions(c.acls, (id) => auth.token(id)),
      faults,
      stats,
      vms: new VmRegistry(),
      version: c.version,
      spoolDir: join(dataDir, '.var-tmp'),
      authFailureDelayMs: () => faults.peek('slow-401')?.ms ?? c.authFailureDelayMs,
      hashRate: c.hashRate,
      guestAddress: c.guestAddress,
    };
    const router = new Router([...accessRoutes, ...clusterRoutes, ...storageRoutes, ...uploadRoutes, ...taskRoutes, ...qemuRoutes, ...guestRoutes]);
    const mirror = new Mirror(c.mirrorDir, c.mirrorFiles, faults, stats);
    let caFile: string | undefined;
    let tls: { key: string; cert: string } | undefined;
    if (c.tls) {
      const material = await makeTlsMaterial(c.host);
      caFile = join(runtimeDir, 'hclx-sim-ca.pem');
      await writeFile(caFile, material.caCert);
      tls = { key: material.key, cert: material.cert };
    }
    server = new SimServer({ sim, router, mirror, tls });
    const port = await server.listen(c.host, c.port).catch((e: NodeJS.ErrnoException) => {
      throw new NetworkError(`cannot listen on ${urlHost(c.host)}:${c.port}: ${e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message}.`, {
        hint: 'Choose another address with --listen HOST:PORT (port 0 picks a free one).',
        code: 'E_SIM_LISTEN',
      });
    });
    const origin = `${c.tls ? 'https' : 'http'}://${urlHost(c.host)}:${port}`;
    let stopped: Promise<void> | undefined;
    const running = server;
    return {
      apiUrl: `${origin}${API_PREFIX}`,
      mirrorUrl: `${origin}/mirror/`,
      caFile,
      dataDir,
      isoDir: (storage) => storages.contentDir(storage, c.nodes[0]!, 'iso'),
      stats: () => stats.snapshot(),
      resetStats: () => stats.reset(),
      vms: () => sim.vms.list(),
      runningTasks: () => tasks.running().map((t) => t.upid),
      addFault: (spec) => void faults.add(spec),
      clearFaults: () => faults.clear(),
      stop: () =>
        (stopped ??= (async () => {
          await tasks.stopAll();
          await running.close();
          await rm(runtimeDir, { recursive: true, force: true });
        })()),
    };
  } catch (e) {
    await tasks.stopAll();
    await server?.close().catch(() => undefined);
    await rm(runtimeDir, { recursive: true, force: true });
    throw e;
  }
}
