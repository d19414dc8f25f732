// `hclx demo` (`npm run demo`): the whole of `hclx build` on a machine with no Proxmox. It starts
// the simulator in-process with an ISO mirror serving a generated Ubuntu-named ISO (rate-limited
// so the progress is visible), runs the real build pipeline on examples/demo/ubuntu-demo.pkr.hcl
// pointed at it (PROXMOX_* in the environment, -var ubuntu_mirror), then shows the rewritten
// iso_file lines as a diff, where the bytes went (none through this machine) and Packer's result.
// Without Packer it says how to install it and still shows the download and the rewrite.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTwoFilesPatch } from 'diff';
import type { PackerFlag } from '../packer/flags.js';
import { ExitCode } from '../errors.js';
import { buildTemplate, type BuildResult } from '../pipeline/build.js';
import type { RenderReport } from '../pipeline/render.js';
import { readToolsManifest } from '../packer/tools-manifest.js';
import { formatBytes } from '../provision/units.js';
import { DEFAULT_PASSWORD, startSimulator } from '../sim/index.js';
import type { SimHandle } from '../sim/index.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface DemoOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Stream;
  stderr: Stream;
  signal: AbortSignal;
  /** Size of the generated ISO (default 128 MiB). */
  isoBytes?: number;
  /** The node's download rate in bytes/s (default 48 MiB/s: a few seconds of progress). */
  bytesPerSecond?: number;
  /** `--packer PATH` */
  packerPath?: string;
  /** Progress line interval when not on a terminal (default 1 s). */
  progressIntervalMs?: number;
}

export const DEMO_UBUNTU_VERSION = '24.04.3';
export const DEMO_ISO = `ubuntu-${DEMO_UBUNTU_VERSION}-live-server-amd64.iso`;

/** The packaged examples directory (next to dist/ and src/). */
export function examplesDir(): string {
  return fileURLToPath(new URL('../../examples/', import.meta.url));
}

function flag(name: string, value: string): PackerFlag {
  return { name, value, tokens: [`-${name}`, value] };
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const out = options.stdout;
  const say = (text = '') => out.write(text + '\n');
  const template = join(examplesDir(), 'demo', 'ubuntu-demo.pkr.hcl');
  const shown = relative(options.cwd, template).startsWith('..') ? template : relative(options.cwd, template);
  const isoBytes = options.isoBytes ?? 128 * 1024 * 1024;
  const rate = options.bytesPerSecond ?? 48 * 1024 * 1024;

  say('hclx demo: a Packer build whose ISO the Proxmox node downloads itself, against a simulated Proxmox VE.');
  say(`  1. start the Proxmox VE simulator with an ISO mirror serving ${DEMO_ISO} (${formatBytes(isoBytes)})`);
  say(`  2. hclx build ${shown}: the node downloads the ISO (iso_download_pve = true), hclx rewrites the block to iso_file`);
  say('  3. packer build on the rewritten template, then the numbers');
  say();

  const sim = await startSimulator({ mirrorFiles: { [DEMO_ISO]: isoBytes }, faults: [`rate-limit:bytes-per-sec=${rate},target=download`] });
  try {
    const mirror = sim.mirrorUrl.replace(/\/$/, '');
    say(`==> demo: simulator at ${sim.apiUrl}, mirror at ${sim.mirrorUrl}`);
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      PROXMOX_URL: sim.apiUrl,
      PROXMOX_USERNAME: 'root@pam',
      PROXMOX_PASSWORD: DEFAULT_PASSWORD,
      CHECKPOINT_DISABLE: '1',
    };
    delete env.PROXMOX_TOKEN;
    const tools = toolsPacker(options, env, say);
    const flags = [flag('var', `ubuntu_mirror=${mirror}`), flag('var', `ubuntu_version=${DEMO_UBUNTU_VERSION}`)];
    say(`==> demo: hclx build -var ubuntu_mirror=${mirror} ${shown}   (PROXMOX_URL, PROXMOX_USERNAME, PROXMOX_PASSWORD point at the simulator)`);
    say();
    const result = await buildTemplate({
      template,
      cwd: options.cwd,
      env,
      packerFlags: flags,
      target: 'auto',
      cleanup: 'never',
      onRendered: (render) => showDiff(render, template, shown, say),
      packerOptional: true,
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      ...(options.packerPath ? { packerPath: options.packerPath } : tools ? { packerPath: tools } : {}),
      stdout: out,
      stderr: options.stderr,
      signal: options.signal,
    });
    say();
    showNumbers(sim, result, say);
    return result.packerMissing ? ExitCode.ok : result.exitCode;
  } finally {
    await sim.stop();
  }
}

/**
 * In a development checkout, the modern Packer and Proxmox plugin `npm run tools` built, unless
 * --packer or PACKER_BIN names a Packer: their path, with the plugin directory added to `env`.
 */
function toolsPacker(options: DemoOptions, env: NodeJS.ProcessEnv, say: (t?: string) => void): string | undefined {
  if (options.packerPath || options.env.PACKER_BIN) return undefined;
  const read = readToolsManifest(options.env);
  if (!('manifest' in read)) return undefined;
  const { manifest } = read;
  Object.assign(env, manifest.packerEnv);
  say(`==> demo: using Packer ${manifest.packer.version.replace(/^v/, '')} with the proxmox plugin ${manifest.plugin.version} built by \`npm run tools\` (${manifest.file})`);
  return manifest.packer.binary;
}

function showDiff(render: RenderReport, template: string, shown: string, say: (t?: string) => void): void {
  const entry = render.template.files[0]!;
  const rendered = readFileSync(join(render.emitted.outDir, entry.entryName), 'utf8');
  const patch = createTwoFilesPatch(shown, `${shown} (as given to Packer)`, readFileSync(template, 'utf8'), rendered, undefined, undefined, { context: 2 });
  say('==> demo: the template Packer gets: the ISO block now names the downloaded file, everything else is byte-identical');
  for (const line of patch.split('\n').slice(1)) if (line !== '') say(`    ${line}`);
}

function showNumbers(sim: SimHandle, result: BuildResult, say: (t?: string) => void): void {
  const stats = sim.stats();
  say('==> demo: where the bytes went');
  say(`    mirror served:                      ${formatBytes(stats.bytesServedByMirror)}`);
  say(`    Proxmox node downloaded:            ${formatBytes(stats.bytesDownloadedByNode)} (task download-url, checksum verified on the node)`);
  say(`    through this machine (ISO upload):  ${formatBytes(stats.bytesReceivedByUpload)}`);
  const vms = sim.vms();
  if (result.packerRun) {
    for (const vm of vms) say(`    ${vm.template ? 'template' : 'VM'} ${vm.vmid} "${vm.name}": ide2 = ${vm.config.ide2 ?? '(none)'}`);
    say(result.exitCode === 0 ? '==> demo: Packer built the template from the ISO the node downloaded. Done.' : `==> demo: Packer failed (exit ${result.exitCode}); its output is above.`);
  } else if (result.packerMissing) {
    say('==> demo: Packer is not installed, so the demo stopped before `packer build`.');
    say(`    ${result.packerMissing.hint ?? ''}`);
    say('    Then run `npm run demo` again to see Packer build the template from the downloaded ISO.');
  }
}
