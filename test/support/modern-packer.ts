// The one place tests find modern Packer and the real Proxmox plugin: the manifest `npm run tools`
// writes (src/packer/tools-manifest.ts). Without it, tests that need them skip locally with the
// reason and FAIL in CI (CI=true; .ci/run runs `npm run tools`). Tests that need a plugin feature
// the built plugin lacks (boot_iso and iso_download_pve need plugin >= 1.2.0 / 1.1.2) skip with the
// manifest's own account of why that plugin could not be had (the Go module proxy's answers), in CI
// too: that is a fact about the proxy, recorded by the script, not a missing step.

import { spawnSync } from 'node:child_process';
import { readToolsManifest, toolsDir } from '../../src/packer/tools-manifest.js';
import type { ToolsManifest } from '../../src/packer/tools-manifest.js';
import { proxmoxPluginRequirement } from '../../src/rewrite/dialect.js';
import { admits, parseConstraint, parseVersion } from '../../src/rewrite/plugin-version.js';
import type { Template } from '../../src/template/load.js';

const CI = process.env.CI === 'true';
const read = readToolsManifest(process.env);

export type PluginFeature = keyof ToolsManifest['plugin']['features'];

const FIRST_WITH: Record<PluginFeature, string> = { isoDownloadPve: '1.1.2', isoDownloadPveAdditional: '1.1.7', bootIso: '1.2.0' };
const FEATURE_NAME: Record<PluginFeature, string> = {
  isoDownloadPve: 'iso_download_pve',
  isoDownloadPveAdditional: 'iso_download_pve in additional_iso_files',
  bootIso: 'boot_iso',
};

export interface ModernTools {
  /** Path of the Packer binary. */
  packer: string;
  /** e.g. `1.16.0`. */
  packerVersion: string;
  /** e.g. `1.1.1`. */
  pluginVersion: string;
  /** Whether the built plugin is >= 1.2.0 (boot_iso, type/index: the modern dialect). */
  modernPlugin: boolean;
  features: ToolsManifest['plugin']['features'];
  /** Environment entries Packer needs to load the plugin (PACKER_PLUGIN_PATH); add to testEnv(). */
  env: Record<string, string>;
  manifest: ToolsManifest;
}

const tools: ModernTools | undefined =
  'manifest' in read
    ? {
        packer: read.manifest.packer.binary,
        packerVersion: read.manifest.packer.version.replace(/^v/, ''),
        pluginVersion: read.manifest.plugin.version.replace(/^v/, ''),
        modernPlugin: read.manifest.plugin.features.bootIso,
        features: read.manifest.plugin.features,
        env: { PACKER_PLUGIN_PATH: read.manifest.packerEnv.PACKER_PLUGIN_PATH! },
        manifest: read.manifest,
      }
    : undefined;
const missing = 'missing' in read ? read.missing : undefined;

/** The `skip` option of a test that needs modern Packer and a real plugin (any version). */
export function skipWithoutModernPacker(): string | false {
  if (tools) return false;
  return CI ? false : `${missing}`;
}

/** Inside such a test: the tools, or a failure naming what is missing (CI). */
export function modernPacker(): ModernTools {
  if (!tools) throw new Error(`modern Packer is required here (CI=${process.env.CI ?? ''}): ${missing}. .ci/run runs \`npm run tools\` before the tests; tools directory ${toolsDir(process.env)}.`);
  return tools;
}

/** Why the built plugin lacks `feature`, from the manifest: the version it got and the proxy's answers for newer ones. */
function lacking(t: ModernTools, feature: PluginFeature): string {
  const why = t.manifest.pluginV12.obtained ? '' : `; ${t.manifest.pluginV12.reason ?? 'plugin v1.2.x was not obtained'}`;
  return `needs ${FEATURE_NAME[feature]} (proxmox plugin >= ${FIRST_WITH[feature]}); npm run tools built plugin v${t.pluginVersion}${why} (${t.manifest.file})`;
}

/** The `skip` option of a test that needs modern Packer with a plugin that has `feature`. */
export function skipWithoutPluginFeature(...features: PluginFeature[]): string | false {
  if (!tools) return CI ? false : `${missing}`;
  const absent = features.find((f) => !tools.features[f]);
  return absent ? lacking(tools, absent) : false;
}

/** Inside such a test: the tools, or a failure naming what is missing. */
export function pluginWith(...features: PluginFeature[]): ModernTools {
  const t = modernPacker();
  const absent = features.find((f) => !t.features[f]);
  if (absent) throw new Error(lacking(t, absent));
  return t;
}

/**
 * Why Packer would refuse to load the built plugin for `template` (its required_plugins constraint
 * for proxmox does not admit that version), or undefined when it would load it.
 */
export function pluginRefusedBy(template: Template, t: ModernTools): string | undefined {
  const requirement = proxmoxPluginRequirement(template);
  if (!requirement) return undefined;
  const constraints = parseConstraint(requirement.version);
  const version = parseVersion(t.pluginVersion)?.version;
  if (constraints && version && admits(constraints, version)) return undefined;
  return `its required_plugins constraint for proxmox ("${requirement.version}") does not admit the built plugin v${t.pluginVersion}`;
}

/** `packer validate [args] TARGET` with the built Packer and plugin (no checkpoint call, bounded). */
export function packerValidate(t: ModernTools, target: string, cwd: string, args: readonly string[] = []): { status: number | null; output: string } {
  const run = spawnSync(t.packer, ['validate', ...args, target], { cwd, encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, HOME: cwd, PACKER_CONFIG_DIR: cwd, CHECKPOINT_DISABLE: '1', ...t.env } });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
