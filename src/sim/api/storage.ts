// Storage endpoints: status list per node, storage.cfg list, content list/info/delete (imgdel
// task, `delay`), download-url (sync checks, then the download task) and query-url-metadata.
import { promises as fsp } from 'node:fs';
import { handlerError, paramError } from '../api-error.js';
import { principal } from '../auth.js';
import type { Identity } from '../auth.js';
import { downloadWorker } from '../download-task.js';
import { connectErrorText, isCertificateError, sendRequest } from '../http-client.js';
import { boolParam, intParam, splitList, strParam } from '../param-schema.js';
import type { RouteDef, SimContext } from '../sim-context.js';
import { extensionError, normalizeFilename, parseDirVolname, splitVolid } from '../storage.js';
import type { VolumeRef } from '../storage.js';
import type { SimStorage } from '../types.js';
import { encodeWorkerId } from '../upid.js';
import { ok, requireNode } from './common.js';

const canSee = (sim: SimContext, id: Identity, storage: string) => sim.perms.anyOf(id, `/storage/${storage}`, ['Datastore.Audit', 'Datastore.AllocateSpace']);

function formats(sim: SimContext, s: SimStorage) {
  return sim.storages.isFileBased(s) ? { default: 'raw', supported: ['raw', 'qcow2', 'vmdk'] } : { default: 'raw', supported: ['raw'] };
}

/** The sync checks download-url and upload share (ST Status.pm): storage usable, file-based, content allowed, name valid. */
export function checkTarget(sim: SimContext, node: string, storage: string, content: string, filename: string): { s: SimStorage; name: string } {
  const s = sim.storages.checkEnabled(storage, node);
  if (!sim.storages.isFileBased(s)) throw handlerError(`can't upload to storage type '${s.type}', not a file based storage!`);
  if (!s.content.includes(content)) throw handlerError(`storage '${storage}' is not configured for content-type '${content}'`);
  const name = normalizeFilename(filename);
  const bad = extensionError(content, name);
  if (bad) throw paramError({ filename: bad });
  return { s, name };
}

/** ST Content.pm $real_volume_id. */
function volumeRef(sim: SimContext, storage: string | undefined, volume: string): VolumeRef {
  let volid = volume;
  if (volume.includes(':')) {
    const split = splitVolid(volume);
    if (!split) throw handlerError(`unable to parse volume ID '${volume}'`);
    if (storage !== undefined && split.storage !== storage) throw paramError({ volume: `storage ID mismatch (${split.storage} != ${storage}).` });
  } else {
    if (storage === undefined) throw paramError({ storage: 'property is missing and it is not optional' });
    volid = `${storage}:${volume}`;
  }
  const split = splitVolid(volid)!;
  const s = sim.storages.get(split.storage);
  if (!s) throw handlerError(`storage '${split.storage}' does not exist`);
  if (!sim.storages.isFileBased(s)) {
    if (!sim.storages.virtual.some((v) => v.volid === volid)) throw handlerError(`unable to parse lvm volume name '${split.volname}'`);
    return { storage: split.storage, vtype: 'images', name: split.volname, volid };
  }
  return parseDirVolname(split.storage, split.volname);
}

/** ST Config.pm $api_storage_config: the storage.cfg section with its id, the file's digest, content as a list. */
function storageConfig(sim: SimContext, s: SimStorage): Record<string, unknown> {
  return {
    storage: s.storage,
    type: s.type,
    content: s.content.join(','),
    ...(sim.storages.isFileBased(s) ? { path: sim.storages.root(s.storage, sim.nodes[0]!) } : { vgname: 'pve', thinpool: 'data' }),
    ...(s.shared ? { shared: 1 } : {}),
    ...(s.disable ? { disable: 1 } : {}),
    ...(s.nodes && s.nodes.length ? { nodes: s.nodes.join(',') } : {}),
    digest: 'b4c6b5d0e9bd8de0bda5e0c2c0f1d1f6a1c3e5d7',
  };
}

async function fileSize(path: string): Promise<number | undefined> {
  return fsp.stat(path).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
}

export const storageRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/storage',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const only = strParam(params.storage);
      if (only !== undefined && !sim.storages.get(only)) throw paramError({ storage: 'No such storage.' });
      const content = params.content !== undefined ? splitList(String(params.content)) : undefined;
      const enabledOnly = boolParam(params.enabled, false);
      const target = strParam(params.target);
      const out = [];
      for (const s of sim.storages.configs) {
        if (only !== undefined && s.storage !== only) continue;
        if (!canSee(sim, identity, s.storage)) continue;
        if (!sim.storages.availableOn(s, node)) continue;
        if (target !== undefined && target !== node && !(s.shared && sim.storages.availableOn(s, target))) continue;
        if (enabledOnly && s.disable) continue;
        if (content) {
          if (s.disable) continue;
          if (!content.some((c) => s.content.includes(c))) continue;
        }
        const active = !s.disable;
        const space = active ? await sim.storages.space(s.storage, node) : { total: 0, used: 0, avail: 0 };
        out.push({
          storage: s.storage,
          type: s.type,
          content: [...s.content].sort().join(','),
          enabled: s.disable ? 0 : 1,
          active: active ? 1 : 0,
          shared: s.shared ? 1 : 0,
          total: space.total,
          used: space.used,
          avail: space.avail,
          ...(space.total > 0 ? { used_fraction: space.used / space.total } : {}),
          ...(boolParam(params.format, false) ? { formats: formats(sim, s), ...(s.type === 'lvm' ? { select_existing: 1 } : {}) } : {}),
        });
      }
      return ok(out);
    },
  },
  {
    method: 'GET',
    path: '/storage',
    async handle({ sim, params, identity }) {
      const type = strParam(params.type);
      const out = sim.storages.configs.filter((s) => (!type || s.type === type) && canSee(sim, identity, s.storage)).map((s) => storageConfig(sim, s));
      return ok(out);
    },
  },
  {
    method: 'GET',
    path: '/storage/{storage}',
    async handle({ sim, params }) {
      const s = sim.storages.get(String(params.storage));
      if (!s) throw handlerError(`storage '${String(params.storage)}' does not exist`);
      return ok(storageConfig(sim, s));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content',
    async handle({ sim, params }) {
      const node = requireNode(sim, params.node);
      const storage = String(params.storage);
      const s = sim.storages.get(storage);
      if (!s) throw handlerError(`storage '${storage}' does not exist`);
      if (!sim.storages.availableOn(s, node)) throw handlerError(`storage '${storage}' is not available on node '${node}'`);
      if (s.disable) throw handlerError(`storage '${storage}' is disabled`);
      const items = await sim.storages.listContent(storage, node, strParam(params.content), intParam(params.vmid));
      return ok(items);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content/{volume}',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const ref = volumeRef(sim, strParam(params.storage), String(params.volume));
      sim.perms.checkAny(identity, `/storage/${ref.storage}`, ['Datastore.AllocateSpace', 'Datastore.Audit']);
      if (ref.vtype === 'images') {
        const v = sim.storages.virtual.find((x) => x.volid === ref.volid)!;
        return ok({ path: `/dev/pve/${ref.name}`, size: v.size, used: v.size, format: 'raw' });
      }
      const path = sim.storages.volumePath(ref, node);
      const size = await fileSize(path);
      if (size === undefined) throw handlerError(`volume_size_info on '${ref.volid}' failed - no format`);
      return ok({ path, size, used: size, format: 'raw' });
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/storage/{storage}/content/{volume}',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const ref = volumeRef(sim, strParam(params.storage), String(params.volume));
      sim.perms.check(identity, `/storage/${ref.storage}`, ['Datastore.Allocate']);
      sim.storages.checkEnabled(ref.storage, node);
      const task = sim.tasks.start(node, 'imgdel', ref.storage, principal(identity), async (t) => {
        if (ref.vtype === 'images') {
          const keep = sim.storages.virtual.filter((v) => v.volid !== ref.volid);
          sim.storages.virtual.splice(0, sim.storages.virtual.length, ...keep);
        } else {
          const path = sim.storages.volumePath(ref, node);
          try {
            await fsp.unlink(path);
          } catch {
            t.warn(`disk image '${path}' does not exist`);
          }
        }
        t.log(`Removed volume '${ref.volid}'`);
      });
      const delay = intParam(params.delay);
      if (delay !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([task.done, new Promise<void>((r) => (timer = setTimeout(r, delay * 1000)))]);
        clearTimeout(timer);
        if (task.status === 'stopped') {
          if (task.exitstatus === 'OK' || task.exitstatus?.startsWith('WARNINGS')) return ok(null);
          throw handlerError(task.exitstatus ?? 'unexpected status');
        }
      }
      return ok(task.upid);
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/storage/{storage}/download-url',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const storage = String(params.storage);
      const content = String(params.content);
      const { name } = checkTarget(sim, node, storage, content, String(params.filename));
      const dir = sim.storages.contentDir(storage, node, content);
      await fsp.mkdir(dir, { recursive: true });
      const task = sim.tasks.start(
        node,
        'download',
        encodeWorkerId(name),
        principal(identity),
        downloadWorker(sim, {
          node,
          storage,
          content,
          url: String(params.url),
          dest: `${dir}/${name}`,
          checksum: strParam(params.checksum),
          algorithm: strParam(params['checksum-algorithm']),
          compression: strParam(params.compression),
          verify: boolParam(params['verify-certificates'], true),
        }),
      );
      return ok(task.upid);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/query-url-metadata',
    async handle({ sim, params }) {
      requireNode(sim, params.node);
      const original = new URL(String(params.url));
      const verify = boolParam(params['verify-certificates'], true);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 30_000);
      try {
        let url = original;
        for (let hops = 0; ; hops++) {
          let res;
          try {
            res = await sendRequest(url, { method: 'HEAD', verify, signal: abort.signal, headers: { 'User-Agent': 'Proxmox VE' } });
          } catch (e) {
            const err = e as NodeJS.ErrnoException;
            const why = isCertificateError(err) ? 'certificate verify failed' : connectErrorText(err);
            throw handlerError(`invalid server response: '500 Can't connect to ${url.host} (${why})'`);
          }
          res.resume();
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location && hops < 7) {
            url = new URL(res.headers.location, url);
            continue;
          }
          if (status !== 200) throw handlerError(`invalid server response: '${status} ${res.statusMessage ?? ''}'`);
          const disposition = res.headers['content-disposition'];
          const fromHeader = disposition ? /filename="?([^";]+)"?/.exec(disposition)?.[1] : undefined;
          const filename = fromHeader ?? original.pathname.split('/').pop();
          const size = Number(res.headers['content-length'] ?? 0);
          const mimetype = res.headers['content-type']?.split(';')[0]?.trim();
          return ok({ ...(filename ? { filename } : {}), ...(size > 0 ? { size } : {}), ...(mimetype ? { mimetype } : {}) });
        }
      } finally {
        clearTimeout(timer);
      }
    },
  },
];

