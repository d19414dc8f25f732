// `hclx render`: parses options and hands them to renderTemplate(). Prints what was rewritten and
// where the result is.

import { defineCommand } from '../command.js';
import { flagValues, parseVarFlags } from '../args.js';
import { UsageError } from '../../errors.js';
import { createLogger, redactSecrets } from '../../log.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';
import { predictVolids, renderTemplate } from '../../pipeline/render.js';
import type { RenderReport } from '../../pipeline/render.js';

interface RenderOptions {
  out?: string;
  target?: string;
  offline?: boolean;
}

export const command = defineCommand<RenderOptions>({
  name: 'render',
  describe: 'Rewrite the ISO blocks that set iso_download_pve = true to iso_file references and write the template to --out.',
  usage: 'render [--out DIR] [--target modern|legacy|auto] [--offline] [-var k=v] [-var-file F] TEMPLATE',
  extraPackerFlags: { var: 'value', 'var-file': 'value', o: 'value' },
  options: (y) =>
    y
      .option('out', { alias: 'o', type: 'string', describe: 'output directory (new, empty, or written by hclx before); default .hclx/render/<name>' })
      .option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe: 'dialect of the rewritten ISO blocks' })
      .option('offline', { type: 'boolean', default: false, describe: 'predict volids from the URL file names; no Proxmox API calls' }) as never,
  async run(options, packerFlags, positionals, ctx) {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'render needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).' : `render takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`, {
        hint: 'Usage: hclx render [--out DIR] [--target modern|legacy|auto] [--offline] [-var k=v] [-var-file F] TEMPLATE',
      });
    }
    if (!options.offline) {
      throw new UsageError('render without --offline needs the download engine, which is not part of this build yet.', {
        hint: 'Run hclx render --offline to predict the volids from the URLs (no Proxmox calls).',
      });
    }
    const shortOut = flagValues(packerFlags, 'o').at(-1);
    if (shortOut !== undefined && options.out !== undefined) throw new UsageError('give the output directory once (-o or --out).');
    const log = createLogger(ctx.stderr);
    const report = await renderTemplate({
      templatePath: positionals[0]!,
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      target: parseDialectTarget(options.target),
      ...((options.out ?? shortOut) !== undefined ? { outDir: (options.out ?? shortOut)! } : {}),
      resolveVolids: predictVolids,
      warn: (m) => log.warn(m),
    });
    for (const w of report.warnings) log.warn(w);
    ctx.stdout.write(redactSecrets(formatReport(report)));
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
