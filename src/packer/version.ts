// Packer versions: reading `packer version` output and what a version implies for hclx.

/** A release version, e.g. 1.6.6 or 1.9.0-dev. */
export interface PackerVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
  /** As printed, without the `v`: `1.11.2`. */
  text: string;
}

// `Packer v1.6.6` (1.6), `Packer v1.11.2` followed by an out-of-date notice or plugin lines (newer),
// `Packer v1.9.0-dev (abcdef0)` (source builds); `packer --version` prints the bare `1.11.2`.
const VERSION_LINE = /^\s*(?:Packer\s+)?v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\s|$)/m;

/** Parses `packer version` / `packer --version` output; undefined when there is no version in it. */
export function parsePackerVersion(output: string): PackerVersion | undefined {
  const line = output.split('\n').find((l) => /^\s*Packer\s+v\d/.test(l)) ?? output.split('\n').find((l) => VERSION_LINE.test(l));
  const m = line === undefined ? null : VERSION_LINE.exec(line);
  if (!m) return undefined;
  const [, major, minor, patch, prerelease] = m;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    ...(prerelease ? { prerelease } : {}),
    text: `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}`,
  };
}

/** Orders versions by major, minor, patch; a prerelease sorts before its release. */
export function compareVersions(a: PackerVersion, b: PackerVersion): number {
  const order = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (order !== 0) return order;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

/**
 * Packer before 1.7 carries its own proxmox builder: the legacy dialect only (no boot_iso, no
 * iso_download_pve, no `token`), and no `required_plugins`/`packer init`. From 1.7 on the builder is
 * the external plugin, whose version (and so `boot_iso`, plugin >= 1.2) the template's
 * required_plugins decide, not the core version.
 */
export function hasBuiltinProxmox(version: PackerVersion): boolean {
  return version.major < 1 || (version.major === 1 && version.minor < 7);
}
