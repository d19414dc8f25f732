// `hclx validate`: everything hclx can check without downloading, then Packer's own check.
//   1. the template: syntax, ISO block schema, variables (as `packer build` would resolve them);
//   2. the Proxmox node, when it can be reached: storages, privileges, free space, names (the
//      download engine's read-only plan). An unreachable node, or no connection settings at all,
//      is a warning: validate also runs where Proxmox is not (a laptop, a CI lint job);
//   3. `packer validate [flags]` on the offline rendering, when Packer is installed.
// Exit code: Packer's (0/1) when it ran, else 0; hclx's own errors are thrown (2 template, 1 Proxmox).

import { join } from 'node:path';
import type { PackerFlag } from '../packer/flags.js';
import { flagValues, parseVarFlags } from '../packer/flags.js';
import { ExitCode, HclxError, NetworkError, TemplateErrors, ToolError } from '../errors.js';
import { createLogger, type LogLevel } from '../log.js';
import { hasVersion, type PackerLocation } from '../packer/locate.js';
import { installedPluginsProbe } from '../packer/plugins.js';
import { packerArgv, runPacker } from '../packer/run.js';
import type { NodeApi, PlanResult } from '../provision/index.js';
import type { PveConnection } from '../pve/connection.js';
import type { DialectTarget } from '../rewrite/dialect.js';
import { wantsPveDownload } from '../template/iso-spec.js';
import { effectiveTarget, findPacker } from './build.js';
import { createBuildOutput } from './build-output.js';
import { offlineVolids, renderTemplate, type RenderReport, type VolidResolver } from './render.js';
import { createWorkDir } from './workdir.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ValidateOptions {
  template: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `packer validate` flags as written (passed verbatim). */
  packerFlags: readonly PackerFlag[];
  target: DialectTarget;
  /** Skip the Proxmox checks. */
  offline?: boolean;
  caFile?: string;
  json?: boolean;
  packerPath?: string;
  /** Do not run `packer validate` even when Packer is installed. */
  skipPacker?: boolean;
  logLevel?: LogLevel;
  stdout: Stream;
  stderr: Stream;
  signal: AbortSignal;
  clientFor?: (connection: PveConnection) => NodeApi;
}

export type ProxmoxCheck = { state: 'checked'; plan: PlanResult } | { state: 'skipped'; reason: string } | { state: 'nothing-to-check' };

export interface ValidateResult {
  exitCode: number;
  render: RenderReport;
  proxmox: ProxmoxCheck;
  packer: { state: 'valid' | 'invalid'; exitCode: number; info: PackerLocation } | { state: 'missing' | 'skipped'; reason: string };
}

export async function validateTemplate(options: ValidateOptions): Promise<ValidateResult> {
  const out = createBuildOutput({ stdout: options.stdout, env: options.env, flags: options.packerFlags, json: options.json ?? false });
  const logger = createLogger(options.stderr, options.logLevel ? { level: options.logLevel } : {});
  let packer: PackerLocation | undefined;
  let packerProblem: string | undefined;
  if (options.skipPacker) packerProblem = 'skipped (--skip-packer)';
  else {
    try {
      packer = await findPacker({ packerPath: options.packerPath, env: options.env, cwd: options.cwd, target: options.target });
    } catch (error) {
      // An explicit --packer/PACKER_BIN that is wrong is an error; no Packer at all is a note.
      if (!(error instanceof ToolError) || options.packerPath || options.env.PACKER_BIN) throw error;
      packerProblem = error.describe();
    }
  }

  const workDir = createWorkDir('validate', options.env, options.cwd);
  try {
    let proxmox: ProxmoxCheck = { state: 'nothing-to-check' };
    const resolveVolids: VolidResolver = async (specs, prepared) => {
      proxmox = options.offline ? { state: 'skipped', reason: '--offline' } : await checkProxmox(specs, options, logger);
      return offlineVolids('checksum', () => undefined, options.cwd)(specs, prepared);
    };
    // 1 + 2: load, variables, schema, then the node through the resolver (before anything is emitted).
    const target = effectiveTarget(options.target, packer);
    const render = await renderTemplate({
      templatePath: options.template,
      cwd: options.cwd,
      env: options.env,
      varFiles: flagValues(options.packerFlags, 'var-file'),
      vars: parseVarFlags(options.packerFlags),
      target,
      outDir: workDir.templateDir,
      resolveVolids,
      warn: (m) => out.warn(m),
      installedPlugins: target === 'auto' ? installedPluginsProbe(packer, options.env) : undefined,
    });
    for (const w of render.warnings) out.warn(w);
    const downloading = render.specs.filter(wantsPveDownload).length;
    out.say(`Template ${render.template.arg} is valid for hclx: syntax, variables and ${render.specs.length} ISO block${render.specs.length === 1 ? '' : 's'} (${downloading} downloaded by the node).`);
    reportProxmox(proxmox, out);

    // 3: Packer on the offline rendering.
    if (!packer) {
      out.say(`packer validate not run: ${packerProblem}`);
      return { exitCode: ExitCode.ok, render, proxmox, packer: { state: options.skipPacker ? 'skipped' : 'missing', reason: packerProblem ?? '' } };
    }
    const template = render.template.mode === 'directory' ? render.emitted.outDir : join(render.emitted.outDir, render.template.files[0]!.entryName);
    out.say(`Running ${packer.path} ${packerArgv('validate', options.packerFlags, template).join(' ')} (${hasVersion(packer) ? `Packer ${packer.version}, ` : ''}on the rendering with predicted volids)`);
    const run = await runPacker({
      packer,
      command: 'validate',
      flags: options.packerFlags,
      template,
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      stdout: options.stdout,
      stderr: options.stderr,
      captureStdout: true,
      interactive: false,
    });
    if (run.exitCode !== 0 && run.stdout !== undefined) {
      // Loaded only when Packer found problems: the line mapping pulls in a diff library.
      const [{ parsePackerErrors }, { mapDiagnostics }] = await Promise.all([import('../packer/errors.js'), import('./rendered-lines.js')]);
      const diagnostics = parsePackerErrors(run.stdout).filter((d) => d.severity === 'error');
      for (const m of mapDiagnostics(diagnostics, render.template, render.emitted.outDir, options.cwd)) {
        out.error(`Packer's error "${m.diagnostic.summary}" is at ${m.at} in your template.`);
        out.event({ event: 'packer-error', summary: m.diagnostic.summary, at: m.at });
      }
    }
    out.event({ event: 'result', exitCode: run.exitCode, stage: 'validate' });
    return { exitCode: run.exitCode, render, proxmox, packer: { state: run.exitCode === 0 ? 'valid' : 'invalid', exitCode: run.exitCode, info: packer } };
  } finally {
    workDir.remove();
  }
}

/** The node's side, read-only. Unreachable or unconfigured → skipped; real problems → thrown. */
async function checkProxmox(specs: Parameters<VolidResolver>[0], options: ValidateOptions, logger: ReturnType<typeof createLogger>): Promise<ProxmoxCheck> {
  // The engine's planner, the Proxmox client and undici load only for this check: --offline never needs them.
  const [{ planIsos, preflightError, requestsFromSpecs }, { PveClient }] = await Promise.all([import('../provision/index.js'), import('../pve/client.js')]);
  try {
    const requests = await requestsFromSpecs(specs, {
      cwd: options.cwd,
      env: options.env,
      logger,
      signal: options.signal,
      ...(options.caFile ? { caFile: options.caFile } : {}),
    });
    // Reachable at all? (planIsos would report an unreachable node as a pre-flight problem.)
    if (!options.clientFor) {
      const seen = new Set<string>();
      for (const r of requests) {
        if (seen.has(r.connection.url)) continue;
        seen.add(r.connection.url);
        const client = new PveClient(r.connection, { logger, retry: false });
        try {
          await client.version({ signal: options.signal });
        } finally {
          await client.close();
        }
      }
    }
    const plan = await planIsos(requests, { logger, signal: options.signal, ...(options.clientFor ? { clientFor: options.clientFor } : {}) });
    const problem = preflightError(plan.problems);
    if (problem) throw problem;
    return { state: 'checked', plan };
  } catch (error) {
    if (error instanceof NetworkError) return { state: 'skipped', reason: `Proxmox (or a checksum file) could not be reached: ${error.describe()}` };
    const all = error instanceof TemplateErrors ? error.errors : [error];
    if (all.every((e) => e instanceof HclxError && e.code === 'E_PVE_CONNECTION')) return { state: 'skipped', reason: `no Proxmox connection settings: ${(all[0] as HclxError).describe()}` };
    throw error;
  }
}

function reportProxmox(check: ProxmoxCheck, out: ReturnType<typeof createBuildOutput>): void {
  if (check.state === 'nothing-to-check') return;
  if (check.state === 'skipped' && check.reason === '--offline') {
    out.say('Proxmox not contacted (--offline): storage and privileges not checked.');
    return;
  }
  if (check.state === 'skipped') {
    out.warn(`storage and privileges not checked: ${check.reason}`);
    return;
  }
  const entries = check.plan.entries;
  out.say(`Proxmox node checked: ${entries.length} ISO${entries.length === 1 ? '' : 's'}, storage and privileges OK`);
  for (const e of entries) out.message(`${e.label}: ${e.volid ?? e.url} on ${e.node} (${e.state})`);
}
