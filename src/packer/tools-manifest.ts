// The Packer and Proxmox plugin that `npm run tools` (scripts/tools.mjs) builds from Go modules for
// hclx's own tests, benchmarks and demo, read from its manifest. Only a development checkout has
// them; an installed hclx finds Packer as usual (--packer, PACKER_BIN, PATH).

import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ToolsManifest {
  /** Where the manifest was read from. */
  file: string;
  packer: { version: string; binary: string };
  plugin: {
    version: string;
    /** The installed binary, as `packer plugins installed` lists it. */
    installed: string;
    features: { isoDownloadPve: boolean; isoDownloadPveAdditional: boolean; bootIso: boolean };
  };
  /** What Packer needs in its environment to load that plugin: PACKER_PLUGIN_PATH, PACKER_CONFIG_DIR. */
  packerEnv: Record<string, string>;
  /** Whether a plugin v1.2.x could be had and, if not, the Go module proxy's answers. */
  pluginV12: { obtained: boolean; version?: string; reason?: string };
}

/** $HCLX_TOOLS_DIR, else ${XDG_CACHE_HOME:-~/.cache}/hclx/tools (as scripts/tools.mjs writes it). */
export function toolsDir(env: NodeJS.ProcessEnv): string {
  return env.HCLX_TOOLS_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'hclx', 'tools');
}

/**
 * The manifest, when `npm run tools` wrote one and the Packer it names is still there; otherwise
 * why not (for a skip reason).
 */
export function readToolsManifest(env: NodeJS.ProcessEnv): { manifest: ToolsManifest } | { missing: string } {
  const file = join(toolsDir(env), 'manifest.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { missing: `no tools manifest at ${file}: run \`npm run tools\` (needs Go) to build modern Packer and the Proxmox plugin` };
  }
  let parsed: Omit<ToolsManifest, 'file'>;
  try {
    parsed = JSON.parse(text) as Omit<ToolsManifest, 'file'>;
  } catch (error) {
    return { missing: `the tools manifest ${file} is not JSON (${(error as Error).message}): run \`npm run tools\` again` };
  }
  const binary = parsed.packer?.binary;
  try {
    accessSync(binary, constants.X_OK);
    accessSync(parsed.plugin?.installed, constants.R_OK);
  } catch {
    return { missing: `the tools manifest ${file} names ${binary} and ${parsed.plugin?.installed}, which are not there any more: run \`npm run tools\` again` };
  }
  return { manifest: { ...parsed, file } };
}
