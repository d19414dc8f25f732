// What the Proxmox API returns for the calls hclx makes, normalised: 0/1 integers become booleans
// and comma lists become arrays, so callers never re-parse wire formats.

export interface PveVersion {
  /** Full pve-manager version, e.g. `8.2.4` (`7.4-3` on PVE ≤ 7). */
  version: string;
  /** `major.minor`, e.g. `8.2`. */
  release: string;
  repoid: string;
}

export interface PveNode {
  node: string;
  status: string;
}

/** One entry of `GET /nodes/{node}/storage`. */
export interface StorageStatus {
  storage: string;
  type: string;
  content: string[];
  enabled: boolean;
  active: boolean;
  shared: boolean;
  /** Bytes; absent when the storage is inactive. */
  total?: number;
  used?: number;
  avail?: number;
}

/** One section of storage.cfg (`GET /storage`). */
export interface StorageConfig {
  storage: string;
  type: string;
  content: string[];
  path?: string;
  shared: boolean;
  disabled: boolean;
  /** Nodes the storage is restricted to; undefined = all nodes. */
  nodes?: string[];
}

export interface ContentItem {
  /** `local:iso/debian-12.iso` */
  volid: string;
  format: string;
  size: number;
  /** Content type (`iso`, `vztmpl`, ...). */
  content?: string;
  ctime?: number;
  notes?: string;
}

export interface ContentInfo {
  path?: string;
  size: number;
  used?: number;
  format?: string;
}

export type TaskState = 'running' | 'stopped';

export interface TaskStatus {
  upid: string;
  node: string;
  status: TaskState;
  /** When stopped: `OK`, `WARNINGS: n`, or the error text after `TASK ERROR: `. */
  exitstatus?: string;
  type: string;
  id: string;
  user: string;
  starttime: number;
  pid: number;
}

export interface TaskLogLine {
  /** 1-based line number. */
  n: number;
  t: string;
}

export interface TaskLogPage {
  lines: TaskLogLine[];
  /** Lines in the whole log, when Proxmox reports it. */
  total?: number;
}

export interface TaskListItem {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  starttime: number;
  endtime?: number;
  /** `RUNNING` for active tasks, else the exit status. */
  status?: string;
}

export interface UrlMetadata {
  filename?: string;
  size?: number;
  mimetype?: string;
}

export type ChecksumAlgorithm = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface DownloadUrlParams {
  url: string;
  /** Target file name (Proxmox normalises it; see src/resolve/names.ts). */
  filename: string;
  content?: 'iso' | 'vztmpl' | 'import';
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** Whether the node verifies the mirror's TLS certificate (Proxmox default: true). */
  verifyCertificates?: boolean;
  compression?: 'gz' | 'lzo' | 'zst' | 'bz2';
}
