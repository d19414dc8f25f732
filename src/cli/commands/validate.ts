// `hclx validate`: parses options (Packer's validate flags are split out by args.ts and passed on
// verbatim) and hands them to validateTemplate().
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { validateTemplate } from '../../pipeline/validate.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';
import { connectionOptions, connectionSettings, targetOption, templateArg } from '../shared-options.js';
import type { ConnectionCliOptions } from '../shared-options.js';

interface ValidateCliOptions extends ConnectionCliOptions {
  target: string;
  offline: boolean;
  json: boolean;
  packer?: string;
  skipPacker: boolean;
}

const USAGE = 'validate [--options] [-var k=v] [-var-file F] [other packer validate flags] TEMPLATE';

export const command = defineCommand<ValidateCliOptions>({
  name: 'validate',
  describe:
    'Check the template without downloading anything: syntax, ISO blocks, variables; the Proxmox storages and privileges when the node can be reached (a warning when not); then `packer validate` on the rendered template when Packer is installed. Exit code: Packer\'s (0/1) when it ran, else 0; 2 for template errors, 1 for Proxmox problems.',
  usage: USAGE,
  packer: 'validate',
  options: (y) =>
    connectionOptions(
      targetOption(y, 'dialect of the rendering given to packer validate')
        .option('offline', { type: 'boolean', default: false, describe: 'do not contact Proxmox (no storage or privilege checks)' })
        .option('json', { type: 'boolean', default: false, describe: 'hclx\'s output as NDJSON events on stdout' })
        .option('packer', { type: 'string', describe: 'the Packer executable (default: PACKER_BIN, else packer on PATH)' })
        .option('skip-packer', { type: 'boolean', default: false, describe: 'do not run packer validate' }),
    ) as unknown as Argv<ValidateCliOptions>,
  async run(options, packerFlags, positionals, ctx) {
    const result = await validateTemplate({
      ...connectionSettings(options),
      template: templateArg(positionals, 'validate', USAGE),
      cwd: ctx.cwd,
      env: ctx.env,
      packerFlags,
      target: parseDialectTarget(options.target),
      offline: options.offline,
      json: options.json,
      skipPacker: options.skipPacker,
      ...(options.packer ? { packerPath: options.packer } : {}),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
    return result.exitCode;
  },
});
