// The node's storages: configuration (storage.cfg as SimStorage entries), where a file-based
// storage keeps each content type on disk, volume ids, filename normalisation and extension rules,
// and space accounting from the real bytes on disk against the configured capacity.
import { promises as fsp } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { handlerError } from './api-error.js';
import type { SimStorage } from './types.js';

export const DEFAULT_STORAGE_TOTAL = 100 * 1024 ** 3;
const FILE_BASED = new Set(['dir', 'nfs', 'cifs', 'cephfs', 'glusterfs', 'btrfs']);

/** ST `Plugin.pm` $vtype_subdirs. */
const SUBDIRS: Record<string, string> = {
  images: 'images',
  rootdir: 'private',
  iso: 'template/iso',
  vztmpl: 'template/cache',
  backup: 'dump',
  snippets: 'snippets',
  import: 'import',
};

const ISO_RE = /^[^/]+\.(?:iso|img)$/i;
const VZTMPL_RE = /^[^/]+\.(tar(?!\.)|tar\.(gz|xz|zst|bz2))$/i;
const IMPORT_RE = /^[a-zA-Z0-9\-.+=_]+\.(ova|qcow2|raw|vmdk)$/;

/** ST `Storage.pm` normalize_content_filename. */
export function normalizeFilename(name: string): string {
  let n = name.replace(/\n$/, '');
  n = n.replace(/^.*[/\\]/, '');
  return n.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

/** The `filename` error download-url/upload report for a name that does not fit the content type. */
export function extensionError(content: string, filename: string): string | undefined {
  if (content === 'iso') return ISO_RE.test(filename) ? undefined : 'wrong file extension';
  if (content === 'vztmpl') return VZTMPL_RE.test(filename) ? undefined : 'wrong file extension';
  if (content === 'import') return IMPORT_RE.test(filename) ? undefined : 'invalid filename or wrong extension';
  return 'wrong file extension';
}

export interface VolumeRef {
  storage: string;
  vtype: string;
  name: string;
  volid: string;
}

/** ST `Plugin.pm` parse_volname for directory storages (the subset the simulator stores). */
export function parseDirVolname(storage: string, volname: string): VolumeRef {
  const m = /^(iso|vztmpl|import|snippets|backup|images)\/(.+)$/.exec(volname);
  const ok =
    m &&
    ((m[1] === 'iso' && ISO_RE.test(m[2]!)) ||
      (m[1] === 'vztmpl' && VZTMPL_RE.test(m[2]!)) ||
      (m[1] === 'import' && IMPORT_RE.test(m[2]!)) ||
      (m[1] === 'snippets' && /^[^/]+$/.test(m[2]!)) ||
      (m[1] === 'backup' && /^[^/]+$/.test(m[2]!)) ||
      (m[1] === 'images' && /^\d+\/[^/]+$/.test(m[2]!)));
  if (!ok) throw handlerError(`unable to parse directory volume name '${volname}'`);
  return { storage, vtype: m[1]!, name: m[2]!, volid: `${storage}:${volname}` };
}

export function splitVolid(volid: string): { storage: string; volname: string } | undefined {
  const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.exec(volid);
  return m ? { storage: m[1]!, volname: m[2]! } : undefined;
}

export function contentFormat(vtype: string, name: string): string {
  if (vtype === 'iso') return 'iso';
  if (vtype === 'vztmpl') {
    const m = /\.tar\.(gz|xz|zst|bz2)$/i.exec(name);
    return m ? `t${m[1]!.toLowerCase()}` : 'tar';
  }
  if (vtype === 'import') return /\.([a-z0-9]+)$/.exec(name)?.[1] ?? 'raw';
  return 'raw';
}

/** A VM image volume (disks, cloud-init drives): only bookkept, on any storage type. */
export interface VirtualVolume {
  volid: string;
  /** Bytes the volume really has (LVM rounds up to whole 4 MiB extents). */
  size: number;
  vmid: number;
  node: string;
}

/** What PVE::Storage::parse_volname tells about a volume. */
export interface VolumeInfo {
  storage: string;
  volname: string;
  vtype: string;
  /** The VM the volume belongs to (images). */
  owner?: number;
  format: string;
}

const LVM_EXTENT = 4 * 1024 * 1024;

export interface ContentItem {
  volid: string;
  content: string;
  format: string;
  size: number;
  ctime: number;
  vmid?: number;
}

export class Storages {
  readonly virtual: VirtualVolume[] = [];
  /** Storages the `storage-full` fault currently fills. */
  fullCheck: (storage: string) => boolean = () => false;

  constructor(
    readonly dataDir: string,
    readonly nodes: string[],
    readonly configs: SimStorage[],
  ) {}

  get(id: string): SimStorage | undefined {
    return this.configs.find((s) => s.storage === id);
  }

  isFileBased(s: SimStorage): boolean {
    return FILE_BASED.has(s.type);
  }

  availableOn(s: SimStorage, node: string): boolean {
    return !s.nodes || s.nodes.length === 0 || s.nodes.includes(node);
  }

  /** Root directory of a file-based storage as seen from `node`. */
  root(id: string, node: string): string {
    const s = this.get(id);
    if (!s || s.shared || node === this.nodes[0]) return join(this.dataDir, id);
    return join(this.dataDir, '.nodes', node, id);
  }

  contentDir(id: string, node: string, content: string): string {
    return join(this.root(id, node), SUBDIRS[content] ?? content);
  }

  /** ST storage_check_enabled: the 500s download-url and upload give for an unusable storage. */
  checkEnabled(id: string, node: string): SimStorage {
    const s = this.get(id);
    if (!s) throw handlerError(`storage '${id}' does not exist`);
    if (s.disable) throw handlerError(`storage '${id}' is disabled`);
    if (!this.availableOn(s, node)) throw handlerError(`storage '${id}' is not available on node '${node}'`);
    return s;
  }

  /** Bytes used on disk by a storage on a node (file-based: real files; block: bookkept volumes). */
  async used(id: string, node: string): Promise<number> {
    const s = this.get(id);
    if (!s) return 0;
    if (!this.isFileBased(s)) return this.virtual.filter((v) => v.volid.startsWith(`${id}:`) && (s.shared || v.node === node)).reduce((a, v) => a + v.size, 0);
    return dirSize(this.root(id, node));
  }

  async space(id: string, node: string): Promise<{ total: number; used: number; avail: number }> {
    const s = this.get(id);
    const total = s?.total ?? DEFAULT_STORAGE_TOTAL;
    if (this.fullCheck(id)) return { total, used: total, avail: 0 };
    const used = await this.used(id, node);
    return { total, used, avail: Math.max(0, total - used) };
  }

  async listContent(id: string, node: string, content?: string, vmid?: number): Promise<ContentItem[]> {
    const s = this.get(id);
    if (!s) return [];
    const items: ContentItem[] = [];
    const types = s.content.filter((c) => !content || c === content);
    if (!this.isFileBased(s)) {
      if (types.includes('images')) {
        for (const v of this.virtual) {
          if (!v.volid.startsWith(`${id}:`) || (!s.shared && v.node !== node)) continue;
          if (vmid !== undefined && v.vmid !== vmid) continue;
          items.push({ volid: v.volid, content: 'images', format: 'raw', size: v.size, ctime: 0, vmid: v.vmid });
        }
      }
      return items;
    }
    for (const vtype of types) {
      if (!['iso', 'vztmpl', 'import', 'snippets', 'backup'].includes(vtype)) continue;
      if (vmid !== undefined) continue;
      const dir = this.contentDir(id, node, vtype);
      let names: string[] = [];
      try {
        names = await fsp.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        // pve-storage lists a directory with a shell glob (`<$path/*>`), which leaves out hidden files.
        if (name.startsWith('.')) continue;
        const ok = vtype === 'iso' ? ISO_RE.test(name) : vtype === 'vztmpl' ? VZTMPL_RE.test(name) : vtype === 'import' ? IMPORT_RE.test(name) : true;
        if (!ok) continue;
        try {
          const st = await fsp.stat(join(dir, name));
          if (!st.isFile()) continue;
          items.push({ volid: `${id}:${vtype}/${name}`, content: vtype, format: contentFormat(vtype, name), size: st.size, ctime: Math.floor(st.ctimeMs / 1000) });
        } catch {
          // vanished between readdir and stat
        }
      }
    }
    return items;
  }

  /** PVE::Storage::parse_volname for the plugins the simulator models (dir-like, lvm-like). */
  volumeInfo(volid: string): VolumeInfo {
    const split = splitVolid(volid);
    if (!split) throw handlerError(`unable to parse volume ID '${volid}'`);
    const s = this.get(split.storage);
    if (!s) throw handlerError(`storage '${split.storage}' does not exist`);
    const { storage, volname } = split;
    if (this.isFileBased(s)) {
      const img = /^(\d+)\/([^/]+)$/.exec(volname);
      if (img) {
        const fmt = /^(?:base-)?[^/\s]+\.(raw|qcow2|vmdk|subvol)$/.exec(img[2]!)?.[1];
        if (!fmt) throw handlerError(`unable to parse volume filename '${img[2]}'`);
        return { storage, volname, vtype: 'images', owner: Number(img[1]), format: fmt };
      }
      const ref = parseDirVolname(storage, volname);
      return { storage, volname, vtype: ref.vtype, format: ref.vtype === 'iso' || ref.vtype === 'snippets' ? 'raw' : contentFormat(ref.vtype, ref.name) };
    }
    const m = /^((vm|base)-(\d+)-\S+)$/.exec(volname);
    if (!m) throw handlerError(`unable to parse lvm volume name '${volname}'`);
    return { storage, volname, vtype: 'images', owner: Number(m[3]), format: 'raw' };
  }

  /** Where a file-based storage keeps a VM image (for log lines; images are only bookkept). */
  imagePath(storage: string, node: string, vmid: number, name: string): string {
    return join(this.contentDir(storage, node, 'images'), String(vmid), name);
  }

  /**
   * vdisk_alloc: a new image volume for `vmid` on `storage` (named `vm-VMID-disk-N` unless a name
   * is given), bookkept with its real size, and the lines the allocation prints to the task log.
   */
  allocImage(storage: string, node: string, vmid: number, fmt: string, name: string | undefined, sizeKib: number): { volid: string; log: string[] } {
    const s = this.get(storage);
    if (!s) throw handlerError(`storage '${storage}' does not exist`);
    const fileBased = this.isFileBased(s);
    let base = name;
    if (!base) {
      const taken = new Set(this.virtual.filter((v) => v.volid.startsWith(`${storage}:`)).map((v) => /vm-\d+-disk-(\d+)/.exec(v.volid)?.[0]));
      let i = 0;
      while (taken.has(`vm-${vmid}-disk-${i}`)) i++;
      base = fileBased ? `vm-${vmid}-disk-${i}.${fmt}` : `vm-${vmid}-disk-${i}`;
    }
    const volid = fileBased ? `${storage}:${vmid}/${base}` : `${storage}:${base}`;
    const bytes = sizeKib * 1024;
    if (this.virtual.some((v) => v.volid === volid)) {
      if (fileBased) throw handlerError(`disk image '${this.imagePath(storage, node, vmid, base)}' already exists`);
      throw handlerError(`lvcreate 'pve/${base}' error:   Logical Volume "${base}" already exists in volume group "pve"`);
    }
    const size = fileBased ? bytes : Math.ceil(bytes / LVM_EXTENT) * LVM_EXTENT;
    this.virtual.push({ volid, size, vmid, node });
    const log = fileBased
      ? [`Formatting '${this.imagePath(storage, node, vmid, base)}', fmt=${fmt}${fmt === 'qcow2' ? ' cluster_size=65536 extended_l2=off preallocation=metadata compression_type=zlib' : ''} size=${bytes}${fmt === 'qcow2' ? ' lazy_refcounts=off refcount_bits=16' : ''}`]
      : [`  Logical volume "${base}" created.`];
    return { volid, log };
  }

  /** Grows a bookkept image to `bytes`; the lines the storage tool prints. */
  resizeImage(volid: string, bytes: number): string[] {
    const v = this.virtual.find((x) => x.volid === volid);
    if (!v) throw handlerError(`volume '${volid}' does not exist`);
    const s = this.get(volid.split(':')[0]!)!;
    if (this.isFileBased(s)) {
      v.size = bytes;
      return ['Image resized.'];
    }
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
    const human = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : mib(n));
    const before = v.size;
    v.size = Math.ceil(bytes / LVM_EXTENT) * LVM_EXTENT;
    const lv = `pve/${volid.split(':')[1]}`;
    return [`  Size of logical volume ${lv} changed from ${human(before)} (${before / LVM_EXTENT} extents) to ${human(v.size)} (${v.size / LVM_EXTENT} extents).`, `  Logical volume ${lv} successfully resized.`];
  }

  /** vdisk_free of a bookkept image (no-op when it is already gone). */
  freeImage(volid: string): void {
    const keep = this.virtual.filter((v) => v.volid !== volid);
    this.virtual.splice(0, this.virtual.length, ...keep);
  }

  /** The file of a file-based volume. */
  volumePath(ref: VolumeRef, node: string): string {
    return join(this.contentDir(ref.storage, node, ref.vtype), ref.name);
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) {
      try {
        total += (await fsp.stat(p)).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}
