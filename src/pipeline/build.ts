// `hclx build`: find Packer → render the template into a working directory hclx owns, the node
// downloading every ISO the selected builds need (-only/-except) → run `packer build` with the
// user's flags verbatim from the user's cwd → map Packer's errors back to the user's files →
// `--cleanup` → remove the working directory. The exit code is Packer's once Packer ran; before
// that hclx's own (2 template, 1 download/Proxmox, 130 interrupted), thrown as typed errors.

import { join } from 'node:path';
import type { PackerFlag } from '../packer/flags.js';
import { flagValues, parseVarFlags } from '../packer/flags.js';
import { ExitCode, ToolError } from '../errors.js';
import { createLogger, type LogLevel } from '../log.js';
import { selectBuilds } from '../packer/filter.js';
import { findPacker as findPackerPath, hasVersion, locatePacker, type PackerLocation } from '../packer/locate.js';
import { installedPluginsProbe } from '../packer/plugins.js';
import { packerArgv, runPacker, type PackerRunResult } from '../packer/run.js';
import type { EventSink, IsoNameMode, IsoRequest, ProvisionEvent } from '../provision/index.js';
import type { NodeApi } from '../provision/request.js';
import type { PveConnection } from '../pve/connection.js';
import type { DialectTarget } from '../rewrite/dialect.js';
import { createBuildOutput, type BuildOutput } from './build-output.js';
import { selectSpecs } from './build-selection.js';
import { cleanupApplies, deleteDownloadedIsos, type CleanupApi, type CleanupPolicy, type CleanupReport, type DownloadedIso } from './cleanup.js';
import type { OnlineVolids } from './online-volids.js';
import { offlineVolids, renderTemplate, type RenderReport, type VolidResolver } from './render.js';
import { createWorkDir } from './workdir.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface BuildOptions {
  template: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `packer build` flags as the user wrote them (passed verbatim, before the template). */
  packerFlags: readonly PackerFlag[];
  target: DialectTarget;
  cleanup: CleanupPolicy;
  /** No Proxmox calls: predict volids from URL names (the ISOs must already be there). */
  offline?: boolean;
  parallel?: number;
  isoName?: IsoNameMode;
  overwrite?: boolean;
  stallMs?: number;
  overallMs?: number;
  caFile?: string;
  verifyCertificates?: boolean;
  json?: boolean;
  keepRendered?: boolean;
  /** `--packer PATH` */
  packerPath?: string;
  logLevel?: LogLevel;
  stdout: Stream;
  stderr: Stream;
  signal: AbortSignal;
  /** Whether hclx runs in a terminal session (default: stdin is a TTY). */
  interactive?: boolean;
  /** The demo: when Packer is not installed, still download and render, and say so. */
  packerOptional?: boolean;
  /** Plain progress line interval (default 10 s). */
  progressIntervalMs?: number;
  /** Called once the rewritten template is in the working directory, before Packer runs. */
  onRendered?: (render: RenderReport) => void;
  /** Tests: how to talk to Proxmox. */
  clientFor?: (connection: PveConnection) => NodeApi & CleanupApi;
}

export interface BuildResult {
  exitCode: number;
  /** With `--target auto` also Packer's version (a PackerInfo); otherwise only where it is. */
  packer?: PackerLocation;
  /** Set when Packer is not installed and packerOptional allowed going on without it. */
  packerMissing?: ToolError;
  render?: RenderReport;
  downloads?: OnlineVolids;
  packerRun?: PackerRunResult;
  cleanup?: CleanupReport;
  /** The working directory, when it was kept (--keep-rendered). */
  keptWorkDir?: string;
}

/** Tracks which files this run itself transferred (not reused, verified, awaited or replaced). */
function downloadTracker(): { sink: EventSink; transferred: Set<string> } {
  const started = new Set<string>();
  const transferred = new Set<string>();
  const key = (e: { node: string; volid: string }) => `${e.node}\u0000${e.volid}`;
  return {
    transferred,
    sink: {
      emit(e: ProvisionEvent) {
        if (e.event === 'start' && e.action === 'download') started.add(key(e));
        if (e.event === 'downloaded' && started.has(key(e))) transferred.add(key(e));
      },
    },
  };
}

function fanOut(...sinks: EventSink[]): EventSink {
  return { emit: (e) => sinks.forEach((s) => s.emit(e)), close: () => sinks.forEach((s) => s.close?.()) };
}

/**
 * Where Packer is; its version too, but only for `--target auto`, the one decision that needs it
 * (an explicit --target saves the `packer version` run, ~60 ms on every build).
 */
export async function findPacker(options: Pick<BuildOptions, 'packerPath' | 'env' | 'cwd' | 'target'>): Promise<PackerLocation> {
  const locate = { packerOption: options.packerPath, env: options.env, cwd: options.cwd };
  return options.target === 'auto' ? locatePacker(locate) : { path: findPackerPath(locate) };
}

async function packerFor(options: BuildOptions, out: BuildOutput): Promise<{ packer?: PackerLocation; missing?: ToolError }> {
  try {
    const packer = await findPacker(options);
    out.event({ event: 'packer', path: packer.path, ...(hasVersion(packer) ? { version: packer.version, builtinProxmox: packer.builtinProxmox } : {}) });
    return { packer };
  } catch (error) {
    if (!(error instanceof ToolError) || !options.packerOptional) throw error;
    out.event({ event: 'packer-missing', message: error.describe() });
    return { missing: error };
  }
}

/** `--target auto` with Packer < 1.7 means legacy: its built-in builder knows nothing newer. */
export function effectiveTarget(target: DialectTarget, packer: PackerLocation | undefined): DialectTarget {
  return target === 'auto' && hasVersion(packer) && packer.builtinProxmox ? 'legacy' : target;
}

export async function buildTemplate(options: BuildOptions): Promise<BuildResult> {
  const out = createBuildOutput({
    stdout: options.stdout,
    env: options.env,
    flags: options.packerFlags,
    json: options.json ?? false,
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  });
  const logger = createLogger(options.stderr, options.logLevel ? { level: options.logLevel } : {});
  const vars = parseVarFlags(options.packerFlags);
  const varFiles = flagValues(options.packerFlags, 'var-file');
  const only = flagValues(options.packerFlags, 'only');
  const except = flagValues(options.packerFlags, 'except');
  selectBuilds([], only, except); // a pattern Packer would reject: usage error before anything runs

  const { packer, missing } = await packerFor(options, out);
  const target = effectiveTarget(options.target, packer);
  if (target !== options.target && hasVersion(packer)) out.say(`Packer ${packer.version} has the built-in proxmox builder: writing the legacy dialect (top-level iso_file).`);

  const result: BuildResult = { exitCode: ExitCode.ok, ...(packer ? { packer } : {}), ...(missing ? { packerMissing: missing } : {}) };
  const workDir = createWorkDir('build', options.env, options.cwd);
  const tracker = downloadTracker();
  let requests: readonly IsoRequest[] = [];
  try {
    const resolveVolids: VolidResolver = options.offline
      ? offlineVolids(options.isoName ?? 'checksum', (m) => out.warn(m), options.cwd)
      : async (specs, prepared) => {
          const selected = selectSpecs(prepared.template, prepared.context, specs, only, except);
          const skipped = specs.filter((s) => !selected.includes(s));
          out.event({ event: 'selection', downloading: selected.map((s) => s.label), skipped: skipped.map((s) => s.label) });
          for (const s of skipped) out.message(`not downloading ${s.label}: its build is excluded by -only/-except`);
          if (selected.length > 0) out.say(`Getting ${selected.length} ISO${selected.length > 1 ? 's' : ''} onto the Proxmox node (nothing passes through this machine)`);
          // The download engine, the Proxmox client and undici load only here: --offline never needs them.
          const { downloadVolids } = await import('./online-volids.js');
          const downloads = await downloadVolids(specs, prepared, {
            cwd: options.cwd,
            env: options.env,
            skip: (s) => skipped.includes(s),
            onRequests: (r) => (requests = r),
            signal: options.signal,
            logger,
            sink: fanOut(out.engineSink(), tracker.sink),
            ...(options.caFile ? { caFile: options.caFile } : {}),
            ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
            ...(options.isoName ? { isoName: options.isoName } : {}),
            ...(options.overwrite ? { overwrite: true } : {}),
            ...(options.stallMs !== undefined ? { stallMs: options.stallMs } : {}),
            ...(options.overallMs !== undefined ? { overallMs: options.overallMs } : {}),
            ...(options.verifyCertificates === false ? { verifyCertificates: false } : {}),
            ...(options.clientFor ? { clientFor: options.clientFor } : {}),
          });
          result.downloads = downloads;
          return downloads.volids;
        };

    try {
      result.render = await renderTemplate({
        templatePath: options.template,
        cwd: options.cwd,
        env: options.env,
        varFiles,
        vars,
        target,
        outDir: workDir.templateDir,
        resolveVolids,
        warn: (m) => out.warn(m),
        installedPlugins: target === 'auto' ? installedPluginsProbe(packer, options.env) : undefined,
      });
    } catch (error) {
      // Nothing for Packer to run; --cleanup always still removes what this run downloaded.
      if (options.cleanup === 'always') await cleanUp(options, out, result, transferredIsos(tracker.transferred, requests));
      throw error;
    }
    reportRender(result.render, out, options.offline ?? false);
    options.onRendered?.(result.render);

    if (!packer) {
      out.say('Packer is not installed, so the build stops here.');
      return result;
    }
    const { emitted, template: loaded } = result.render;
    const template = loaded.mode === 'directory' ? emitted.outDir : join(emitted.outDir, loaded.files[0]!.entryName);
    out.say(`Running ${packer.path} ${packerArgv('build', options.packerFlags, template).join(' ')}`);
    out.event({ event: 'packer-start', argv: [packer.path, ...packerArgv('build', options.packerFlags, template)] });
    const capture = !options.stdout.isTTY;
    // Where a warm re-run's time goes (benchmark 2): hclx's own part ends here, Packer's begins.
    logger.debug(`starting Packer ${Math.round(performance.now())} ms after the process started`);
    const run = await runPacker({
      packer,
      command: 'build',
      flags: options.packerFlags,
      template,
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      stdout: options.stdout,
      stderr: options.stderr,
      captureStdout: capture,
      ...(options.interactive !== undefined ? { interactive: options.interactive } : {}),
    });
    result.packerRun = run;
    logger.debug(`Packer ended ${Math.round(performance.now())} ms after the process started`);
    // Interrupted and Packer did not finish the build: report it as an interruption (130), like
    // the download phase, so scripts can tell a cancelled build from a failed one.
    result.exitCode = run.interrupted && run.exitCode !== 0 ? ExitCode.interrupted : run.exitCode;
    out.event({ event: 'packer-exit', exitCode: run.exitCode, ...(run.interrupted ? { interrupted: run.interrupted.reason } : {}) });
    if (run.exitCode !== 0 && run.stdout !== undefined) await reportPackerErrors(run.stdout, result.render, options.cwd, out);
    if (run.interrupted) out.say(`Packer ended after ${run.interrupted.reason} with exit code ${run.exitCode}${result.exitCode === ExitCode.interrupted ? '; hclx exits 130 (interrupted)' : ''}.`);

    if (cleanupApplies(options.cleanup, run.exitCode === 0)) {
      await cleanUp(options, out, result, transferredIsos(tracker.transferred, requests));
    } else if (options.cleanup !== 'never' && tracker.transferred.size > 0) {
      out.message(`--cleanup ${options.cleanup}: Packer failed, so the ISOs downloaded by this run stay on the storage.`);
    }
    return result;
  } finally {
    if (options.keepRendered) {
      result.keptWorkDir = workDir.path;
      out.say(`Kept the rendered template in ${workDir.path} (--keep-rendered).`);
    } else {
      workDir.remove();
    }
  }
}

/** The requests behind the files this run transferred, one per file. */
function transferredIsos(transferred: ReadonlySet<string>, requests: readonly IsoRequest[]): DownloadedIso[] {
  const isos = new Map<string, DownloadedIso>();
  for (const key of transferred) {
    const [node, volid] = key.split('\u0000') as [string, string];
    const storage = volid.slice(0, volid.indexOf(':'));
    const request = requests.find((r) => r.node === node && r.storage === storage);
    if (request && !isos.has(key)) isos.set(key, { volid, node, connection: request.connection });
  }
  return [...isos.values()];
}

async function cleanUp(options: BuildOptions, out: BuildOutput, result: BuildResult, isos: DownloadedIso[]): Promise<void> {
  if (isos.length === 0) {
    out.message(`--cleanup ${options.cleanup}: this run downloaded no ISO, so there is nothing to delete.`);
    result.cleanup = { deleted: [], kept: [], failed: [] };
    out.event({ event: 'cleanup', ...result.cleanup });
    return;
  }
  out.say(`Cleaning up (--cleanup ${options.cleanup}): ${isos.length} ISO${isos.length > 1 ? 's' : ''} downloaded by this run`);
  // Not tied to the interrupt signal: after Ctrl-C the cleanup the user asked for still runs.
  const report = await deleteDownloadedIsos(isos, {
    ...(options.clientFor ? { clientFor: options.clientFor } : {}),
    logger: createLogger(options.stderr, options.logLevel ? { level: options.logLevel } : {}),
  });
  for (const v of report.deleted) out.message(`deleted ${v}`);
  for (const k of report.kept) out.message(`kept ${k.volid}: ${k.reason}`);
  for (const f of report.failed) out.error(`could not delete ${f.volid}: ${f.message}`);
  result.cleanup = report;
  out.event({ event: 'cleanup', ...report });
}

function reportRender(render: RenderReport, out: BuildOutput, offline: boolean): void {
  out.event({
    event: 'rendered',
    dir: render.emitted.outDir,
    template: render.template.arg,
    dialect: render.dialect.dialect,
    dialectReason: render.dialect.reason,
    changes: render.changes.map((c) => ({ label: c.label, from: c.from, to: c.to })),
  });
  for (const w of render.warnings) out.warn(w);
  if (render.changes.length === 0) {
    out.say(`Nothing to rewrite: no ISO in ${render.template.arg} sets iso_download_pve = true.`);
    return;
  }
  out.say(`Rewrote ${render.changes.length} ISO block${render.changes.length > 1 ? 's' : ''} to iso_file (${render.dialect.dialect} dialect: ${render.dialect.reason})${offline ? ' with predicted volids (--offline)' : ''}:`);
  for (const c of render.changes) out.message(`${c.label}: iso_file = "${c.to}"`);
}

async function reportPackerErrors(stdout: string, render: RenderReport, cwd: string, out: BuildOutput): Promise<void> {
  // Loaded only when Packer failed: the line mapping pulls in a diff library a good build never needs.
  const [{ parsePackerErrors }, { mapDiagnostics }] = await Promise.all([import('../packer/errors.js'), import('./rendered-lines.js')]);
  const diagnostics = parsePackerErrors(stdout).filter((d) => d.severity === 'error');
  const mapped = mapDiagnostics(diagnostics, render.template, render.emitted.outDir, cwd);
  for (const d of diagnostics) {
    const at = mapped.find((m) => m.diagnostic === d)?.at;
    out.event({ event: 'packer-error', summary: d.summary, ...(at ? { at } : {}), ...(d.build ? { build: d.build } : {}) });
    if (at) out.error(`Packer's error "${d.summary}" is at ${at} in your template (Packer named the rendered copy, line ${d.line}).`);
  }
}
