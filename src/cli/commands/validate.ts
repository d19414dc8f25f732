// `hclx validate`: parses options (Packer's validate flags are split out by args.ts and passed on
// verbatim) and hands them to validateTemplate().
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';
import type { LogLevel } from '../../log.js';
import { validateTemplate } from '../../pipeline/validate.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';

interface ValidateCliOptions {
  target: string;
  offline: boolean;
  json: boolean;
  packer?: string;
  skipPacker: boolean;
  caFile?: string;
  logLevel?: string;
}

const USAGE = 'validate [--options] [-var k=v] [-var-file F] [other packer validate flags] TEMPLATE';

export const command = defineCommand<ValidateCliOptions>({
  name: 'validate',
  describe:
    'Check the template without downloading anything: syntax, ISO blocks, variables; the Proxmox storages and privileges when the node can be reached (a warning when not); then `packer validate` on the rendered template when Packer is installed. Exit code: Packer\'s (0/1) when it ran, else 0; 2 for template errors, 1 for Proxmox problems.',
  usage: USAGE,
  packer: 'validate',
  options: (y) =>
    y
      .option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe: 'dialect of the rendering given to packer validate' })
      .option('offline', { type: 'boolean', default: false, describe: 'do not contact Proxmox (no storage or privilege checks)' })
      .option('json', { type: 'boolean', default: false, describe: 'hclx\'s output as NDJSON events on stdout' })
      .option('packer', { type: 'string', describe: 'the Packer executable (default: PACKER_BIN, else packer on PATH)' })
      .option('skip-packer', { type: 'boolean', default: false, describe: 'do not run packer validate' })
      .option('ca-file', { type: 'string', describe: 'PEM file with the CA of the Proxmox API certificate' })
      .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], describe: 'hclx\'s log on stderr; default from HCLX_LOG, else info' }) as unknown as Argv<ValidateCliOptions>,
  async run(options, packerFlags, positionals, ctx) {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'validate needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).' : `validate takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`, {
        hint: `Usage: hclx ${USAGE}`,
      });
    }
    const result = await validateTemplate({
      template: positionals[0]!,
      cwd: ctx.cwd,
      env: ctx.env,
      packerFlags,
      target: parseDialectTarget(options.target),
      offline: options.offline,
      json: options.json,
      skipPacker: options.skipPacker,
      ...(options.packer ? { packerPath: options.packer } : {}),
      ...(options.caFile ? { caFile: options.caFile } : {}),
      ...(options.logLevel ? { logLevel: options.logLevel as LogLevel } : {}),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
    return result.exitCode;
  },
});
