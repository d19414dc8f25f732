// `hclx render`: parses options and hands them to renderTemplate(). Prints what was rewritten and
// where the result is.

import { defineCommand } from '../command.js';
import { flagValues, parseVarFlags } from '../args.js';
import { UsageError } from '../../errors.js';
import { createLogger, redactSecrets } from '../../log.js';
import type { LogLevel } from '../../log.js';
import { onlineVolidResolver } from '../../pipeline/online-volids.js';
import { createView, parseDuration, parseIsoNameMode } from '../../provision/index.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';
import { offlineVolids, renderTemplate } from '../../pipeline/render.js';
import type { RenderReport } from '../../pipeline/render.js';

interface RenderOptions {
  out?: string;
  target?: string;
  offline?: boolean;
  isoName: string;
  parallel: number;
  json: boolean;
  stallTimeout: string;
  downloadTimeout: string;
  overwrite: boolean;
  caFile?: string;
  verifyIsoCertificates: boolean;
  logLevel?: string;
}

const USAGE = 'render [--out DIR] [--target modern|legacy|auto] [--offline] [download options] [-var k=v] [-var-file F] TEMPLATE';

export const command = defineCommand<RenderOptions>({
  name: 'render',
  describe:
    'Get every ISO marked iso_download_pve = true onto its Proxmox node (the node downloads it; --offline only predicts the names), rewrite those blocks to iso_file references and write the template to --out. Packer is not run.',
  usage: USAGE,
  extraPackerFlags: { var: 'value', 'var-file': 'value', o: 'value' },
  options: (y) =>
    y
      .option('out', { alias: 'o', type: 'string', describe: 'output directory (new, empty, or written by hclx before); default: a directory of hclx\'s own under the OS temp dir' })
      .option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe: 'dialect of the rewritten ISO blocks' })
      .option('offline', { type: 'boolean', default: false, describe: 'no Proxmox calls and no downloads: predict the volids' })
      .option('iso-name', { type: 'string', default: 'checksum', choices: ['checksum', 'url'], describe: 'target file names: <stem>.<12 hex of the checksum>.iso (default) or the URL file name' })
      .option('parallel', { type: 'number', default: 4, describe: 'downloads at the same time' })
      .option('json', { type: 'boolean', default: false, describe: 'download progress as NDJSON events on stderr' })
      .option('stall-timeout', { type: 'string', default: '5m', describe: 'fail a download that makes no progress for this long (0 = off)' })
      .option('download-timeout', { type: 'string', default: '0', describe: 'overall limit per download (0 = none)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace same-named files that iso_checksum = "none" cannot prove' })
      .option('ca-file', { type: 'string', describe: 'PEM file with the CA of the Proxmox API certificate' })
      .option('verify-iso-certificates', { type: 'boolean', default: true, describe: 'whether the node verifies the mirror\'s TLS certificate (--no-verify-iso-certificates to skip)' })
      .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], describe: 'hclx\'s log on stderr (debug: every API call); default from HCLX_LOG, else info' }) as never,
  async run(options, packerFlags, positionals, ctx) {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'render needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).' : `render takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`, {
        hint: `Usage: hclx ${USAGE}`,
      });
    }
    if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new UsageError(`--parallel ${options.parallel} is not a positive whole number.`, { hint: 'Use e.g. --parallel 4.' });
    const shortOut = flagValues(packerFlags, 'o').at(-1);
    if (shortOut !== undefined && options.out !== undefined) throw new UsageError('give the output directory once (-o or --out).');
    const log = createLogger(ctx.stderr, options.logLevel ? { level: options.logLevel as LogLevel } : {});
    const isoName = parseIsoNameMode(options.isoName);
    const online = options.offline
      ? undefined
      : onlineVolidResolver({
          cwd: ctx.cwd,
          env: ctx.env,
          ...(options.caFile ? { caFile: options.caFile } : {}),
          signal: ctx.signal,
          logger: log,
          isoName,
          overwrite: options.overwrite,
          parallel: options.parallel,
          stallMs: parseDuration(options.stallTimeout, '--stall-timeout'),
          overallMs: parseDuration(options.downloadTimeout, '--download-timeout'),
          verifyCertificates: options.verifyIsoCertificates,
          sink: createView(ctx.stderr, { json: options.json }),
        });
    const notes: string[] = [];
    const report = await renderTemplate({
      templatePath: positionals[0]!,
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      target: parseDialectTarget(options.target),
      ...((options.out ?? shortOut) !== undefined ? { outDir: (options.out ?? shortOut)! } : {}),
      resolveVolids: online ? online.resolveVolids : offlineVolids(isoName, (m) => notes.push(m), ctx.cwd),
      warn: (m) => log.warn(m),
    });
    for (const w of report.warnings) log.warn(w);
    ctx.stdout.write(redactSecrets(formatReport(report) + notes.map((n) => `note: ${n}\n`).join('')));
    return 0;
  },
});

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
