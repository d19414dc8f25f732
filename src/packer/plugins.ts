// Which Proxmox plugin a Packer >= 1.7 would load: `packer plugins installed` lists the plugin
// binaries Packer found (its own discovery: PACKER_PLUGIN_PATH, else the plugins directory of its
// config dir), one path a line, named packer-plugin-<name>_v<version>_x<api>_<os>_<arch>.
// `--target auto` asks this only when required_plugins leaves the dialect open.

import { execFile } from 'node:child_process';

export interface InstalledPlugin {
  /** As listed. */
  path: string;
  /** e.g. `github.com/hashicorp/proxmox` (the directories above the binary). */
  source: string;
  /** Without the `v`: `1.1.1`. */
  version: string;
}

const BINARY = /^packer-plugin-[a-z0-9-]+_v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)_x\d+\.\d+_[a-z0-9]+_[a-z0-9]+(?:\.exe)?$/;

/** Parses `packer plugins installed` output; lines that are not plugin binaries are skipped. */
export function parseInstalledPlugins(output: string): InstalledPlugin[] {
  const found: InstalledPlugin[] = [];
  for (const raw of output.split('\n')) {
    const path = raw.trim();
    const parts = path.split(/[\\/]/);
    const m = BINARY.exec(parts.at(-1) ?? '');
    // The source is the three directories above the binary (host/namespace/name), as Packer lays them out.
    if (m && parts.length >= 4) found.push({ path, source: parts.slice(-4, -1).join('/'), version: m[1]! });
  }
  return found;
}

/** Versions of the installed `github.com/hashicorp/proxmox` plugin (or any `.../proxmox` source). */
export function proxmoxVersions(plugins: readonly InstalledPlugin[]): string[] {
  return plugins.filter((p) => /(^|\/)proxmox$/.test(p.source)).map((p) => p.version);
}

/**
 * Runs `packer plugins installed` (bounded) and returns the installed proxmox plugin versions;
 * undefined when Packer cannot say (no such command before Packer 1.8, an error, a timeout): the
 * caller then decides without it.
 */
export function installedProxmoxPlugins(packerPath: string, env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile(packerPath, ['plugins', 'installed'], { env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout) => {
      resolve(error ? undefined : proxmoxVersions(parseInstalledPlugins(stdout ?? '')));
    });
  });
}

/**
 * The probe `--target auto` hands to the render when Packer loads external plugins (>= 1.7);
 * undefined for Packer < 1.7 (built-in builder) or when Packer's version was not asked.
 */
export function installedPluginsProbe(packer: { path: string; builtinProxmox?: boolean } | undefined, env: NodeJS.ProcessEnv): (() => Promise<string[] | undefined>) | undefined {
  if (!packer || packer.builtinProxmox !== false) return undefined;
  return () => installedProxmoxPlugins(packer.path, env);
}
