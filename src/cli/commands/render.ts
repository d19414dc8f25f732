// `hclx render`: parses options and hands them to renderTemplate(). Prints what was rewritten and
// where the result is.

import type { OptionSet } from '../options.js';
import { defineCommand } from '../command.js';
import type { CommandContext } from '../command.js';
import { flagValues, parseVarFlags } from '../../packer/flags.js';
import { UsageError } from '../../errors.js';
import { createLogger, redactSecrets } from '../../log.js';
import { downloadOptions, downloadSettings, targetOption, templateArg } from '../shared-options.js';
import type { DownloadCliOptions } from '../shared-options.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';
import { offlineVolids, renderTemplate } from '../../pipeline/render.js';
import type { RenderReport } from '../../pipeline/render.js';
import type { OnlineVolidOptions } from '../../pipeline/online-volids.js';

interface RenderOptions extends DownloadCliOptions {
  out?: string;
  target: string;
  offline: boolean;
  json: boolean;
}

const USAGE = 'render [--out DIR] [--target modern|legacy|auto] [--offline] [download options] [-var k=v] [-var-file F] TEMPLATE';

export const command = defineCommand<RenderOptions>({
  name: 'render',
  describe:
    'Get every ISO marked iso_download_pve = true onto its Proxmox node (the node downloads it; --offline only predicts the names), rewrite those blocks to iso_file references and write the template to --out. Packer is not run.',
  usage: USAGE,
  extraPackerFlags: { var: 'value', 'var-file': 'value', o: 'value' },
  options: (y) =>
    downloadOptions(
      targetOption(y, 'dialect of the rewritten ISO blocks')
        .option('out', { alias: 'o', type: 'string', describe: 'output directory (new, empty, or written by hclx before); default: a directory of hclx\'s own under the OS temp dir' })
        .option('offline', { type: 'boolean', default: false, describe: 'no Proxmox calls and no downloads: predict the volids' })
        .option('json', { type: 'boolean', default: false, describe: 'download progress as NDJSON events on stderr' }),
    ) as unknown as OptionSet<RenderOptions>,
  async run(options, packerFlags, positionals, ctx) {
    const template = templateArg(positionals, 'render', USAGE);
    const shortOut = flagValues(packerFlags, 'o').at(-1);
    if (shortOut !== undefined && options.out !== undefined) throw new UsageError('give the output directory once (-o or --out).');
    const { logLevel, ...download } = downloadSettings(options);
    const log = createLogger(ctx.stderr, logLevel ? { level: logLevel } : {});
    // The download engine (and undici) load only for an online render: --offline never needs them.
    const online = options.offline ? undefined : await onlineResolver({ ...download, cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, logger: log }, ctx.stderr, options.json);
    const notes: string[] = [];
    const report = await renderTemplate({
      templatePath: template,
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      target: parseDialectTarget(options.target),
      ...((options.out ?? shortOut) !== undefined ? { outDir: (options.out ?? shortOut)! } : {}),
      resolveVolids: online ? online.resolveVolids : offlineVolids(download.isoName, (m) => notes.push(m), ctx.cwd),
      warn: (m) => log.warn(m),
    });
    for (const w of report.warnings) log.warn(w);
    ctx.stdout.write(redactSecrets(formatReport(report) + notes.map((n) => `note: ${n}\n`).join('')));
    return 0;
  },
});

/** The online volid strategy, loaded on demand. */
async function onlineResolver(options: Omit<OnlineVolidOptions, 'sink'>, stderr: CommandContext['stderr'], json: boolean) {
  const [{ onlineVolidResolver }, { createView }] = await Promise.all([import('../../pipeline/online-volids.js'), import('../../provision/index.js')]);
  return onlineVolidResolver({ ...options, sink: createView(stderr, { json }) });
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
