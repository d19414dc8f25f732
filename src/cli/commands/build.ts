// `hclx build`: parses hclx's double-dash options (Packer's flags are split out by args.ts and
// passed on verbatim) and hands them to buildTemplate().
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { parseCleanupPolicy } from '../../pipeline/cleanup.js';
import { buildTemplate } from '../../pipeline/build.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';
import { downloadOptions, downloadSettings, targetOption, templateArg } from '../shared-options.js';
import type { DownloadCliOptions } from '../shared-options.js';

interface BuildCliOptions extends DownloadCliOptions {
  target: string;
  cleanup: string;
  offline: boolean;
  json: boolean;
  keepRendered: boolean;
  packer?: string;
}

export const USAGE = 'build [--options] [-var k=v] [-var-file F] [-only/-except builds] [other packer build flags] TEMPLATE';

export const command = defineCommand<BuildCliOptions>({
  name: 'build',
  describe:
    'Get every ISO marked iso_download_pve = true onto its Proxmox node (the node downloads it), rewrite those blocks to iso_file in a working directory, then run `packer build` on the result with your Packer flags. Exit code: Packer\'s once it ran; otherwise 2 (template), 1 (download, Proxmox, Packer missing), 130 (interrupted).',
  usage: USAGE,
  packer: 'build',
  options: (y) =>
    downloadOptions(
      targetOption(y, 'dialect of the rewritten ISO blocks; auto: legacy for Packer < 1.7, else from required_plugins')
        .option('cleanup', { type: 'string', choices: ['never', 'on-success', 'always'], default: 'never', describe: 'after Packer: delete ISOs this run downloaded (never ones already there or still mounted)' })
        .option('offline', { type: 'boolean', default: false, describe: 'no downloads: predict the volids (the ISOs must already be on the node)' })
        .option('json', { type: 'boolean', default: false, describe: 'hclx\'s output as NDJSON events on stdout (Packer\'s output still streams through)' })
        .option('keep-rendered', { type: 'boolean', default: false, describe: 'keep the working directory with the rendered template (for debugging)' })
        .option('packer', { type: 'string', describe: 'the Packer executable (default: PACKER_BIN, else packer on PATH)' }),
    ) as unknown as Argv<BuildCliOptions>,
  async run(options, packerFlags, positionals, ctx) {
    const template = templateArg(positionals, 'build', USAGE);
    const result = await buildTemplate({
      ...downloadSettings(options),
      template,
      cwd: ctx.cwd,
      env: ctx.env,
      packerFlags,
      target: parseDialectTarget(options.target),
      cleanup: parseCleanupPolicy(options.cleanup),
      offline: options.offline,
      json: options.json,
      keepRendered: options.keepRendered,
      ...(options.packer ? { packerPath: options.packer } : {}),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
    return result.exitCode;
  },
});
