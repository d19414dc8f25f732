// qemu drive strings as qemu-server parses and prints them (PVE::QemuServer::Drive): the volume
// (default key `file`), options printed in sorted key order, booleans normalised to 1/0, the
// `STORAGE:SIZE_GIB` allocation syntax (NEW_DISK_RE) and PVE's size conversions and formatting.

/** qemu-server Drive.pm $NEW_DISK_RE: `[STORAGE:]SIZE_IN_GIB` (fractions allowed). */
export const NEW_DISK_RE = /^(?:([^/:\s]+):)?(\d+(?:\.\d+)?)$/;

/** Keys of drive options: ide0-3, sata0-5, scsi0-30, virtio0-15, efidisk0, tpmstate0. */
export const DRIVE_KEY = /^(ide[0-3]|sata[0-5]|scsi([12]?\d|30)|virtio(1[0-5]|\d)|efidisk0|tpmstate0)$/;

/** Drive.pm valid_drive_names(), in PVE's order (the `disk` enum of the resize call). */
export const VALID_DRIVE_NAMES: string[] = [
  ...Array.from({ length: 4 }, (_, i) => `ide${i}`),
  ...Array.from({ length: 31 }, (_, i) => `scsi${i}`),
  ...Array.from({ length: 16 }, (_, i) => `virtio${i}`),
  ...Array.from({ length: 6 }, (_, i) => `sata${i}`),
  'efidisk0',
  'tpmstate0',
];

/** Drive options of type boolean in the drive schema: printed as 1/0 whatever the input spelling. */
const BOOLEAN_OPTS = new Set(['backup', 'iothread', 'replicate', 'ro', 'shared', 'snapshot', 'ssd', 'detect_zeroes']);

export interface Drive {
  file: string;
  opts: Map<string, string>;
}

/** PVE::JSONSchema parse_boolean. */
function parseBoolean(v: string): string {
  if (/^(1|on|yes|true)$/i.test(v)) return '1';
  if (/^(0|off|no|false)$/i.test(v)) return '0';
  return v;
}

/** Splits `VOLUME,key=value,...` (or `file=VOLUME,...`); undefined when no volume is given. */
export function parseDrive(value: string): Drive | undefined {
  const opts = new Map<string, string>();
  let file: string | undefined;
  for (const part of value.split(',')) {
    // PVE::JSONSchema parse_property_string: `key=value`, else the default key (`file`).
    const kv = /^([^=]+)=(.+)$/.exec(part);
    if (!kv) {
      if (file !== undefined) return undefined;
      file = part;
      continue;
    }
    const [, key, v] = kv as unknown as [string, string, string];
    if (key === 'file') file = v;
    else opts.set(key, BOOLEAN_OPTS.has(key) ? parseBoolean(v) : v);
  }
  return file === undefined ? undefined : { file, opts };
}

/** print_drive: the volume, then the options in sorted key order. */
export function printDrive(d: Drive): string {
  const keys = [...d.opts.keys()].sort();
  return [d.file, ...keys.map((k) => `${k}=${d.opts.get(k)!}`)].join(',');
}

export function isCdrom(d: Drive): boolean {
  return d.opts.get('media') === 'cdrom';
}

/** drive_is_cloudinit: the volume is a `vm-N-cloudinit` volume. */
export function isCloudinitVolume(file: string): boolean {
  return /[:/]vm-\d+-cloudinit(?:\.(?:qcow2|raw))?$/.test(file);
}

/** PVE::Tools::convert_size from GiB to KiB, rounding up like PVE (`0.001` -> 1049). */
export function gibToKib(gib: string): number {
  const kib = Number(gib) * 1024 * 1024;
  return kib > Math.floor(kib) ? Math.floor(kib) + 1 : kib;
}

/** PVE::JSONSchema format_size for drive `size=` values: the largest unit that divides exactly. */
export function formatDriveSize(bytes: number): string {
  const units: Array<[string, number]> = [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]];
  for (const [u, n] of units) if (bytes >= n && bytes % n === 0) return `${bytes / n}${u}`;
  return String(bytes);
}

/** The resize call's `size`: `[+]N[.N][KMGT]`, in bytes (int, as qemu-server computes it). */
export function parseResizeSize(text: string, current: number): number | undefined {
  const m = /^(\+)?(\d+(?:\.\d+)?)([KMGT])?$/.exec(text);
  if (!m) return undefined;
  const mult = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[3] as 'K'] ?? 1;
  let size = Number(m[2]) * mult;
  if (m[1]) size += current;
  return Math.floor(size);
}
