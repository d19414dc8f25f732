// The built-in catalogue of official download locations. From an ISO's file name alone it derives
// where the distribution publishes that exact file and the checksum file that lists it, so a
// migrated template can say `iso_checksum = "file:<url>"` without any hash written into hclx.
//
// One entry per distribution: a file-name pattern and a function that builds the locations from
// the pattern's groups. Where a distribution moves superseded releases to an archive host, the
// entry knows which releases had moved when this table was last checked (the `archived` tables);
// the other host is always returned as an alternate so messages can point to it.
//
// Patterns were checked against the distributions' own download trees and real templates (the
// corpus in ../shared/corpus uses most of these URLs verbatim).

/** One place a file can be downloaded from, with its checksum file (`file:` form), if one is published. */
export interface DownloadLocation {
  url: string;
  /** `file:<url of the checksum file>`; undefined when the publisher has no checksum file. */
  checksum: string | undefined;
}

/** What the catalogue knows about one ISO file name. */
export interface OfficialDownload extends DownloadLocation {
  /** Human name of the distribution, e.g. `Ubuntu`. */
  distribution: string;
  /** The ISO file name that was looked up. */
  name: string;
  /**
   * The values taken from the file name that also appear in the URL's directory (e.g. the version
   * `24.04.3`). A rewrite that keeps expressions replaces these substrings with the variables
   * that hold them.
   */
  parameters: string[];
  /**
   * The parts of the file name the pattern reads, where they are, and how the location depends on
   * them: `parameter` (it appears as written in the directory and may be an expression there too),
   * `name-only` (the location does not depend on it) or `location` (it picks the host, directory or
   * checksum file in a way an expression cannot follow: it must be written out in the name).
   */
  nameParts: NamePart[];
  /** Other official locations of the same file (archive/vault hosts), in order of preference. */
  alternates: DownloadLocation[];
  /** Anything the user should know about this location (why there is no checksum, ...). */
  note?: string;
}

export interface NamePart {
  group: string;
  value: string;
  start: number;
  end: number;
  role: 'parameter' | 'name-only' | 'location';
}

interface CatalogueEntry {
  distribution: string;
  pattern: RegExp;
  /** Groups that are not `location` (the default). */
  roles: Record<string, 'parameter' | 'name-only'>;
  build(groups: Record<string, string>, name: string): Omit<OfficialDownload, 'distribution' | 'name' | 'nameParts'> | undefined;
}

// ---- version helpers ----------------------------------------------------------------------------

/** Compares dotted numeric versions (`24.04.3` < `24.04.10`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * True when `version` is known to have moved to the archive host: its series (the key, matched as
 * the version's prefix) has a newest-archived release at or above it, or the whole series is older
 * than `allBefore`.
 */
function isArchived(version: string, table: { series: Record<string, string>; allBefore: string }, seriesOf: (v: string) => string): boolean {
  if (compareVersions(seriesOf(version), table.allBefore) < 0) return true;
  const lastArchived = table.series[seriesOf(version)];
  return lastArchived !== undefined && compareVersions(version, lastArchived) <= 0;
}

const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');
const major = (v: string) => v.split('.')[0]!;

function location(dir: string, name: string, checksumFile: string | undefined): DownloadLocation {
  return { url: `${dir}/${name}`, checksum: checksumFile === undefined ? undefined : `file:${dir}/${checksumFile}` };
}

/** Primary location first: the archive when the release is known to have moved there. */
function ordered(archived: boolean, current: DownloadLocation, archive: DownloadLocation): { primary: DownloadLocation; alternates: DownloadLocation[] } {
  return archived ? { primary: archive, alternates: [current] } : { primary: current, alternates: [archive] };
}

// ---- what had moved to archive hosts when these tables were checked ----------------------------

// Ubuntu: point releases superseded within their series live on old-releases.ubuntu.com; the
// newest point release of a supported series stays on releases.ubuntu.com.
const UBUNTU_ARCHIVED = {
  allBefore: '18.04',
  series: { '18.04': '18.04.5', '20.04': '20.04.5', '22.04': '22.04.4', '24.04': '24.04.2', '26.04': '26.04.1' } as Record<string, string>,
};
// Debian: only the current stable point release is under debian-cd/; everything else is archived.
const DEBIAN_ARCHIVED = { allBefore: '13', series: { '13': '13.5.0' } as Record<string, string> };
// Rocky / AlmaLinux: every minor release but the newest of a major goes to the vault.
const ROCKY_ARCHIVED = { allBefore: '8', series: { '8': '8.9', '9': '9.7', '10': '10.1' } as Record<string, string> };
const ALMA_ARCHIVED = { allBefore: '8', series: { '8': '8.9', '9': '9.7', '10': '10.1' } as Record<string, string> };
// Fedora: releases move to archives.fedoraproject.org about a month after they reach end of life.
const FEDORA_FIRST_CURRENT = 42;
// FreeBSD: end-of-life releases move to ftp-archive.freebsd.org.
const FREEBSD_ARCHIVED = { allBefore: '14', series: { '14': '14.2' } as Record<string, string> };

const UBUNTU_ARCHES: Record<string, true> = { amd64: true, arm64: true, ppc64el: true, s390x: true, riscv64: true };

// ---- the catalogue ------------------------------------------------------------------------------

export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    distribution: 'Ubuntu',
    // ubuntu-24.04.3-live-server-amd64.iso, ubuntu-22.04-desktop-amd64.iso, ubuntu-18.04.5-server-amd64.iso
    pattern: /^ubuntu-(?<version>\d{2}\.\d{2}(?:\.\d+)?)-(?<kind>live-server|desktop|server)-(?<arch>[a-z0-9]+)\.iso$/,
    roles: { version: 'parameter' },
    build({ version, kind, arch }, name) {
      if (!UBUNTU_ARCHES[arch!]) return undefined;
      const archived = isArchived(version!, UBUNTU_ARCHIVED, majorMinor);
      const archive = location(`https://old-releases.ubuntu.com/releases/${version}`, name, 'SHA256SUMS');
      // releases.ubuntu.com carries amd64 only; other architectures (and the legacy
      // alternative-installer `server` image) are published on cdimage.ubuntu.com.
      const onCdimage = arch !== 'amd64' || kind === 'server';
      const current = onCdimage
        ? location(`https://cdimage.ubuntu.com/releases/${version}/release`, name, 'SHA256SUMS')
        : location(`https://releases.ubuntu.com/${version}`, name, 'SHA256SUMS');
      const { primary, alternates } = ordered(archived, current, archive);
      return { ...primary, alternates, parameters: [version!] };
    },
  },
  {
    distribution: 'Debian',
    // debian-12.5.0-amd64-netinst.iso, debian-13.4.0-amd64-DVD-1.iso, debian-live-13.1.0-amd64-standard.iso
    pattern: /^debian-(?<live>live-)?(?<version>\d+\.\d+\.\d+)-(?<arch>amd64|arm64|i386|ppc64el|s390x|armhf|armel|mips64el|riscv64)-(?<kind>netinst|DVD-\d+|[a-z]+)\.iso$/,
    roles: { version: 'parameter' },
    build({ live, version, arch, kind }, name) {
      const dir = live ? 'iso-hybrid' : kind === 'netinst' ? 'iso-cd' : /^DVD-\d+$/.test(kind!) ? 'iso-dvd' : undefined;
      if (dir === undefined) return undefined;
      const archived = isArchived(version!, DEBIAN_ARCHIVED, major);
      const current = location(`https://cdimage.debian.org/debian-cd/${version}/${arch}/${dir}`, name, 'SHA256SUMS');
      const archive = location(`https://cdimage.debian.org/cdimage/archive/${version}/${arch}/${dir}`, name, 'SHA256SUMS');
      const { primary, alternates } = ordered(archived, current, archive);
      return { ...primary, alternates, parameters: [version!] };
    },
  },
  {
    distribution: 'Rocky Linux',
    // Rocky-9.4-x86_64-minimal.iso, Rocky-8.7-x86_64-dvd1.iso, Rocky-9-latest-x86_64-boot.iso
    pattern: /^Rocky-(?<version>\d+(?:\.\d+)?|\d+-latest)-(?<arch>x86_64|aarch64|ppc64le|s390x)-(?<kind>minimal|dvd|dvd1|boot)\.iso$/,
    roles: { version: 'parameter', kind: 'name-only' },
    build({ version, arch }, name) {
      const latest = version!.endsWith('-latest');
      const dirVersion = latest ? version!.slice(0, -'-latest'.length) : version!;
      const current = location(`https://download.rockylinux.org/pub/rocky/${dirVersion}/isos/${arch}`, name, 'CHECKSUM');
      if (latest) return { ...current, alternates: [], parameters: [dirVersion] };
      const archive = location(`https://dl.rockylinux.org/vault/rocky/${dirVersion}/isos/${arch}`, name, 'CHECKSUM');
      const { primary, alternates } = ordered(isArchived(dirVersion, ROCKY_ARCHIVED, major), current, archive);
      return { ...primary, alternates, parameters: [dirVersion] };
    },
  },
  {
    distribution: 'AlmaLinux',
    // AlmaLinux-9.4-x86_64-minimal.iso, AlmaLinux-10.0-x86_64-dvd.iso, AlmaLinux-9-latest-x86_64-boot.iso
    pattern: /^AlmaLinux-(?<version>\d+(?:\.\d+)?|\d+-latest)-(?<arch>x86_64|x86_64_v2|aarch64|ppc64le|s390x)-(?<kind>minimal|dvd|boot)\.iso$/,
    roles: { version: 'parameter', kind: 'name-only' },
    build({ version, arch }, name) {
      const latest = version!.endsWith('-latest');
      const dirVersion = latest ? version!.slice(0, -'-latest'.length) : version!;
      const current = location(`https://repo.almalinux.org/almalinux/${dirVersion}/isos/${arch}`, name, 'CHECKSUM');
      if (latest) return { ...current, alternates: [], parameters: [dirVersion] };
      const archive = location(`https://vault.almalinux.org/${dirVersion}/isos/${arch}`, name, 'CHECKSUM');
      const { primary, alternates } = ordered(isArchived(dirVersion, ALMA_ARCHIVED, major), current, archive);
      return { ...primary, alternates, parameters: [dirVersion] };
    },
  },
  {
    distribution: 'Fedora',
    // Fedora-Server-netinst-x86_64-42-1.1.iso, Fedora-Server-dvd-x86_64-43-1.6.iso, Fedora-Everything-netinst-x86_64-42-1.1.iso
    pattern: /^Fedora-(?<edition>Server|Everything)-(?<kind>netinst|dvd)-(?<arch>x86_64|aarch64|ppc64le|s390x)-(?<release>\d+)-(?<compose>\d+\.\d+)\.iso$/,
    roles: { release: 'parameter', compose: 'parameter', kind: 'name-only' },
    build({ edition, arch, release, compose }, name) {
      const sums = `Fedora-${edition}-${release}-${compose}-${arch}-CHECKSUM`;
      const path = `${release}/${edition}/${arch}/iso`;
      const current = location(`https://download.fedoraproject.org/pub/fedora/linux/releases/${path}`, name, sums);
      const archive = location(`https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/${path}`, name, sums);
      const { primary, alternates } = ordered(Number(release) < FEDORA_FIRST_CURRENT, current, archive);
      return { ...primary, alternates, parameters: [release!, compose!] };
    },
  },
  {
    distribution: 'CentOS Stream',
    // CentOS-Stream-9-latest-x86_64-dvd1.iso, CentOS-Stream-10-20250101.0-x86_64-boot.iso
    pattern: /^CentOS-Stream-(?<release>\d+)-(?<build>latest|\d{8}\.\d+)-(?<arch>x86_64|aarch64|ppc64le|s390x)-(?<kind>dvd1|boot)\.iso$/,
    roles: { release: 'parameter', build: 'name-only', kind: 'name-only' },
    build({ release, build, arch }, name) {
      const current = location(`https://mirror.stream.centos.org/${release}-stream/BaseOS/${arch}/iso`, name, `${name}.SHA256SUM`);
      return {
        ...current,
        alternates: [],
        parameters: [release!],
        ...(build === 'latest' ? {} : { note: 'CentOS Stream keeps only recent dated composes on its mirrors; the `latest` image name stays valid.' }),
      };
    },
  },
  {
    distribution: 'openSUSE Leap',
    // openSUSE-Leap-15.6-DVD-x86_64-Build709.1-Media.iso, openSUSE-Leap-15.6-NET-x86_64-Current.iso
    pattern: /^openSUSE-Leap-(?<version>\d+\.\d+)-(?<kind>DVD|NET)-(?<arch>x86_64|aarch64|ppc64le|s390x)-(?<build>Build[\d.]+-Media|Media|Current)\.iso$/,
    roles: { version: 'parameter', kind: 'name-only', build: 'name-only' },
    build({ version, arch }, name) {
      const base = arch === 'x86_64' ? 'https://download.opensuse.org/distribution' : `https://download.opensuse.org/ports/${arch}/distribution`;
      return { ...location(`${base}/leap/${version}/iso`, name, `${name}.sha256`), alternates: [], parameters: [version!] };
    },
  },
  {
    distribution: 'FreeBSD',
    // FreeBSD-14.1-RELEASE-amd64-disc1.iso, FreeBSD-14.2-RELEASE-amd64-dvd1.iso, FreeBSD-14.1-RELEASE-arm64-aarch64-bootonly.iso
    pattern: /^FreeBSD-(?<version>\d+\.\d+)-RELEASE-(?<arch>amd64|i386|arm64-aarch64|powerpc-powerpc64|riscv-riscv64)-(?<kind>disc1|dvd1|bootonly)\.iso$/,
    roles: { version: 'parameter', kind: 'name-only' },
    build({ version, arch }, name) {
      const sums = `CHECKSUM.SHA256-FreeBSD-${version}-RELEASE-${arch}`;
      const current = location(`https://download.freebsd.org/releases/ISO-IMAGES/${version}`, name, sums);
      const platform = arch!.includes('-') ? arch!.split('-')[0]! : arch!;
      const archive = location(`http://ftp-archive.freebsd.org/pub/FreeBSD-Archive/old-releases/${platform}/ISO-IMAGES/${version}`, name, sums);
      const { primary, alternates } = ordered(isArchived(version!, FREEBSD_ARCHIVED, major), current, archive);
      return { ...primary, alternates, parameters: [version!] };
    },
  },
  {
    distribution: 'Proxmox',
    // proxmox-ve_8.4-1.iso, proxmox-backup-server_3.4-1.iso, proxmox-mail-gateway_8.2-1.iso
    pattern: /^(?<product>proxmox-ve|proxmox-backup-server|proxmox-mail-gateway)_(?<version>\d+\.\d+-\d+)\.iso$/,
    roles: { product: 'name-only', version: 'name-only' },
    build(_groups, name) {
      return { ...location('https://enterprise.proxmox.com/iso', name, 'SHA256SUMS'), alternates: [], parameters: [] };
    },
  },
  {
    distribution: 'virtio-win',
    // virtio-win-0.1.285.iso (the dated archive directory carries a package release suffix, `-1`)
    pattern: /^virtio-win-(?<version>\d+\.\d+\.\d+)\.iso$/,
    roles: { version: 'parameter' },
    build({ version }, name) {
      return {
        ...location(`https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/virtio-win-${version}-1`, name, undefined),
        alternates: [],
        parameters: [version!],
        note: 'fedorapeople.org publishes no checksum file for virtio-win ISOs; give the sha256 in --url-map (or iso_checksum = "none", which makes Proxmox refuse to re-download over an existing file).',
      };
    },
  },
];

/** Looks an ISO file name up in the catalogue; undefined when no distribution pattern matches. */
export function findOfficialDownload(name: string): OfficialDownload | undefined {
  for (const entry of CATALOGUE) {
    const match = new RegExp(entry.pattern.source, 'd').exec(name);
    if (!match) continue;
    const groups = { ...match.groups } as Record<string, string>;
    const built = entry.build(groups, name);
    if (!built) continue;
    const nameParts: NamePart[] = [];
    for (const [group, span] of Object.entries(match.indices?.groups ?? {})) {
      if (!span) continue;
      const value = groups[group] as string;
      // A parameter whose value the location does not show as written (Rocky's `9-latest` is `9` there) cannot be substituted.
      const role = entry.roles[group] === 'parameter' && !built.parameters.includes(value) ? 'location' : (entry.roles[group] ?? 'location');
      nameParts.push({ group, value, start: span[0], end: span[1], role });
    }
    return { distribution: entry.distribution, name, ...built, nameParts };
  }
  return undefined;
}
