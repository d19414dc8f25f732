// Public contract of the Proxmox VE simulator (`hclx sim`), used by tests, benchmarks and the demo.
// The implementation lives beside this file; `startSimulator` is exported from ./index.ts.

export interface SimUser {
  /** `user@realm`, e.g. `root@pam`. */
  userid: string;
  password: string;
}

export interface SimToken {
  /** `user@realm!tokenid`. */
  tokenid: string;
  secret: string;
  /** Privilege separation (default true, as in Proxmox). */
  privsep?: boolean;
}

export interface SimAcl {
  /** ACL path: `/`, `/storage/local`, `/nodes/pve`, ... */
  path: string;
  /** A userid or a tokenid. */
  ugid: string;
  /** Privileges granted on that path (propagating to sub-paths). */
  privs: string[];
}

export interface SimStorage {
  /** Storage id, e.g. `local`. */
  storage: string;
  /** `dir`, `nfs`, `cifs`, `cephfs` are file-based; `lvmthin`, `lvm`, `zfspool`, `rbd` are not. */
  type: string;
  content: string[];
  shared?: boolean;
  disable?: boolean;
  /** Nodes where the storage is available (default: all). */
  nodes?: string[];
  /** Capacity in bytes reported as `total` (default 100 GiB); `avail` = total - bytes on disk. */
  total?: number;
}

export interface SimConfig {
  /** Listen host (default 127.0.0.1) and port (default 0 = pick a free port). */
  host?: string;
  port?: number;
  tls?: boolean;
  /** Where storages keep their files; a temporary directory when omitted (removed on stop). */
  dataDir?: string;
  nodes?: string[];
  storages?: SimStorage[];
  users?: SimUser[];
  tokens?: SimToken[];
  /** When omitted: root@pam has every privilege on `/`. */
  acls?: SimAcl[];
  /** Ticket lifetime in seconds (Proxmox: 7200). */
  ticketLifetime?: number;
  /** Delay of 401 answers in ms (Proxmox: 3000; the simulator defaults to 0 unless the `slow-401` fault is on). */
  authFailureDelayMs?: number;
  /** Serve this directory as the ISO mirror. */
  mirrorDir?: string;
  /** Generate deterministic ISO-like files in the mirror: name -> size in bytes. */
  mirrorFiles?: Record<string, number>;
  /** Fault specs, as for `--fault` (see faults.ts for the grammar). */
  faults?: string[];
  /** The Proxmox VE version the simulator reports (`GET /version`), default `9.1.2`. */
  version?: string;
  /**
   * Rate in bytes per second at which the node hashes files (download-url's check of an existing
   * file, the verification after a download, an upload's checksum). Default: unpaced. A real node
   * hashes at disk speed, which is what a re-run with a checksum over a multi-GB ISO costs.
   */
  hashRate?: number;
  /**
   * IPv4 address the simulated guest agent reports on the VMs' first NIC
   * (`GET .../agent/network-get-interfaces`). Default: none (only an IPv6 link-local address).
   */
  guestAddress?: string;
}

export interface SimStats {
  requests: number;
  requestsByRoute: Record<string, number>;
  tasksStarted: number;
  tasksByType: Record<string, number>;
  /** Bytes the simulated node fetched through download-url tasks. */
  bytesDownloadedByNode: number;
  /** Bytes received through the upload endpoint. */
  bytesReceivedByUpload: number;
  /** Bytes the mirror served (GET bodies), all clients together. */
  bytesServedByMirror: number;
  /** Full-file hash passes done by the node (checksum verification of a new or existing file). */
  hashPasses: number;
  /** Bytes hashed by the node. */
  bytesHashed: number;
}

export interface SimVmRecord {
  vmid: number;
  node: string;
  name: string;
  template: boolean;
  status: 'running' | 'stopped';
  /** The VM's configuration as Proxmox stores it (`ide2: local:iso/x.iso,media=cdrom`, ...). */
  config: Record<string, string>;
  /** Key events sent with `PUT .../sendkey`, in order (`shift-a`, `ret`, ...). */
  keys?: string[];
}

export interface SimHandle {
  /** `http(s)://host:port/api2/json` */
  apiUrl: string;
  /** `http(s)://host:port/mirror/` (same server), serving the mirror files and SHA256SUMS/SHA512SUMS. */
  mirrorUrl: string;
  /** PEM file of the CA that signed the server certificate (TLS only). */
  caFile?: string;
  dataDir: string;
  /** Absolute directory of a storage's ISO files on `node` (e.g. `<dataDir>/local/template/iso`). */
  isoDir(storage: string): string;
  stats(): SimStats;
  resetStats(): void;
  vms(): SimVmRecord[];
  /** Tasks still running (for asserting nothing is left behind). */
  runningTasks(): string[];
  /** Add/replace faults at run time (same grammar as `--fault`); `clearFaults()` removes all. */
  addFault(spec: string): void;
  clearFaults(): void;
  stop(): Promise<void>;
}
