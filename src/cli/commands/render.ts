// `hclx render`: parses options and hands them to renderTemplate(), or with several templates to
// renderBatch(). Prints what was rewritten and where the result is.

import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import type { CommandContext } from '../command.js';
import { flagValues, parseVarFlags } from '../../packer/flags.js';
import { UsageError } from '../../errors.js';
import { createLogger, redactSecrets } from '../../log.js';
import type { Logger } from '../../log.js';
import { downloadOptions, downloadSettings, targetOption, templateArgs } from '../shared-options.js';
import type { DownloadCliOptions } from '../shared-options.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';
import { offlineVolids, renderTemplate } from '../../pipeline/render.js';
import type { RenderReport } from '../../pipeline/render.js';
import type { OnlineVolidOptions } from '../../pipeline/online-volids.js';
import { batchExitCode, batchOutDirs, renderBatch } from '../../pipeline/render-batch.js';
import type { BatchEntry, BatchOptions } from '../../pipeline/render-batch.js';
import type { EventSink, ProvisionEvent } from '../../provision/events.js';
import { describeError, errorEvent } from '../error-report.js';

interface RenderOptions extends DownloadCliOptions {
  out?: string;
  target: string;
  offline: boolean;
  json: boolean;
}

const USAGE = 'render [--out DIR] [--target modern|legacy|auto] [--offline] [download options] [-var k=v] [-var-file F] TEMPLATE...';

export const command = defineCommand<RenderOptions>({
  name: 'render',
  describe:
    'Get every ISO marked iso_download_pve = true onto its Proxmox node (the node downloads it; --offline only predicts the names), rewrite those blocks to iso_file references and write the template to --out. Packer is not run. Several templates render in one run, each into its own subdirectory of --out; the exit code is then the highest of theirs.',
  usage: USAGE,
  extraPackerFlags: { var: 'value', 'var-file': 'value', o: 'value' },
  options: (y) =>
    downloadOptions(
      targetOption(y, 'dialect of the rewritten ISO blocks')
        .option('out', { alias: 'o', type: 'string', describe: 'output directory (new, empty, or written by hclx before); with several templates, each renders into a subdirectory of it named after its path; default: a directory of hclx\'s own under the OS temp dir' })
        .option('offline', { type: 'boolean', default: false, describe: 'no Proxmox calls and no downloads: predict the volids' })
        .option('json', { type: 'boolean', default: false, describe: 'NDJSON events on stderr: download progress, and with several templates one rendered or error event per template and a closing batch event' }),
    ) as unknown as Argv<RenderOptions>,
  async run(options, packerFlags, positionals, ctx) {
    const templates = templateArgs(positionals, 'render', USAGE);
    const shortOut = flagValues(packerFlags, 'o').at(-1);
    if (shortOut !== undefined && options.out !== undefined) throw new UsageError('give the output directory once (-o or --out).');
    const out = options.out ?? shortOut;
    const { logLevel, ...download } = downloadSettings(options);
    const log = createLogger(ctx.stderr, logLevel ? { level: logLevel } : {});
    const entries = templates.length > 1 ? batchOutDirs(templates, out, ctx.cwd) : [{ template: templates[0]!, ...(out !== undefined ? { outDir: out } : {}) }];
    let current: string | undefined;
    // The download engine (and undici) load only for an online render: --offline never needs them.
    const online = options.offline
      ? undefined
      : await onlineResolver({ ...download, cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, logger: log }, ctx.stderr, options.json, () => (templates.length > 1 ? current : undefined));
    const notes: string[] = [];
    const render = {
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      target: parseDialectTarget(options.target),
      resolveVolids: online ? online.resolveVolids : offlineVolids(download.isoName, (m) => notes.push(m), ctx.cwd),
      warn: (m: string) => log.warn(m),
    };
    if (entries.length === 1) {
      const report = await renderTemplate({ ...render, templatePath: entries[0]!.template, ...(entries[0]!.outDir !== undefined ? { outDir: entries[0]!.outDir } : {}) });
      for (const w of report.warnings) log.warn(w);
      ctx.stdout.write(redactSecrets(formatReport(report) + notes.map((n) => `note: ${n}\n`).join('')));
      return 0;
    }
    return renderMany(entries, render, options.json, ctx, log, notes, (t) => (current = t));
  },
});

/** Several templates: each result printed as it comes, errors on stderr, a summary line, the highest exit code. */
async function renderMany(
  entries: readonly BatchEntry[],
  render: Omit<BatchOptions, 'entries'>,
  json: boolean,
  ctx: CommandContext,
  log: Logger,
  notes: string[],
  setCurrent: (template: string) => void,
): Promise<number> {
  const event = (e: Record<string, unknown>) => json && ctx.stderr.write(redactSecrets(JSON.stringify({ ...e, time: new Date().toISOString() })) + '\n');
  const results = await renderBatch({
    ...render,
    entries,
    signal: ctx.signal,
    onStart: (entry, i) => {
      setCurrent(entry.template);
      notes.length = 0;
      ctx.stdout.write(`${i > 0 ? '\n' : ''}==> ${entry.template} (${i + 1} of ${entries.length})\n`);
    },
    onResult: (result) => {
      if ('report' in result) {
        for (const w of result.report.warnings) log.warn(w);
        ctx.stdout.write(redactSecrets(formatReport(result.report) + notes.map((n) => `note: ${n}\n`).join('')));
        const { report } = result;
        event({ event: 'rendered', template: result.template, dir: report.emitted.outDir, dialect: report.dialect.dialect, changes: report.changes.map((c) => ({ label: c.label, from: c.from, to: c.to })) });
      } else {
        const { text, exitCode } = describeError(result.error);
        ctx.stderr.write(`hclx: ${redactSecrets(text)}\n`);
        ctx.stdout.write(`failed (exit ${exitCode}): the error is on stderr.\n`);
        if (json) ctx.stderr.write(errorEvent(result.error, text, exitCode, { template: result.template }) + '\n');
      }
    },
  });
  const failed = results.filter((r) => r.exitCode !== 0);
  const exitCode = batchExitCode(results);
  ctx.stdout.write(
    `\nrendered ${results.length - failed.length} of ${results.length} templates` +
      (failed.length > 0 ? `; ${failed.length} failed: ${failed.map((r) => r.template).join(', ')}` : '') +
      ` (exit code ${exitCode}).\n`,
  );
  event({ event: 'batch', templates: results.length, rendered: results.length - failed.length, failed: failed.map((r) => r.template), exitCode });
  return exitCode;
}

/** The online volid strategy, loaded on demand. With several templates its events name the template. */
async function onlineResolver(options: Omit<OnlineVolidOptions, 'sink'>, stderr: CommandContext['stderr'], json: boolean, template: () => string | undefined) {
  const [{ onlineVolidResolver }, { createView }] = await Promise.all([import('../../pipeline/online-volids.js'), import('../../provision/index.js')]);
  const view = createView(stderr, { json });
  const sink: EventSink = {
    emit: (e) => {
      const name = template();
      view.emit(name === undefined ? e : ({ ...e, template: name } as unknown as ProvisionEvent));
    },
    ...(view.close ? { close: () => view.close!() } : {}),
  };
  return onlineVolidResolver({ ...options, sink });
}

export function formatReport(report: RenderReport): string {
  const lines: string[] = [];
  if (report.changes.length === 0) {
    lines.push(`nothing to rewrite: no ISO in ${report.template.arg} sets iso_download_pve = true; the template is copied unchanged.`);
  } else {
    lines.push(`rewrote ${report.changes.length} ISO${report.changes.length > 1 ? 's' : ''} (dialect ${report.dialect.dialect}: ${report.dialect.reason}):`);
    for (const c of report.changes) lines.push(`  ${c.label}: ${c.from} → ${c.to}  [${c.form}]`);
  }
  const count = (k: string) => report.emitted.entries.filter((e) => e.kind === k).length;
  lines.push(`wrote ${report.emitted.buildPath} (${count('edited')} edited, ${count('copied')} unchanged, ${count('symlink')} linked to the originals)`);
  lines.push(`next: packer build ${report.emitted.buildPath}   (from this directory, so relative paths resolve as before)`);
  return lines.join('\n') + '\n';
}
