// `hclx plan`: read-only view of what each ISO block needs on the Proxmox node. Thin: flags → runPlan.
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { flagValues, parseVarFlags } from '../args.js';
import { UsageError } from '../../errors.js';
import type { LogLevel } from '../../log.js';
import { parseIsoNameMode } from '../../provision/naming.js';
import { runPlan } from '../../provision/run-plan.js';

interface PlanOptions {
  json: boolean;
  isoName: string;
  overwrite: boolean;
  caFile?: string;
  verifyIsoCertificates: boolean;
  logLevel?: string;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];

export const command = defineCommand<PlanOptions>({
  name: 'plan',
  describe:
    'Show, without changing anything, what each ISO block with iso_download_pve = true needs on the Proxmox node: source, block, URL, node, storage, target volid, its state (present, would verify, would download, ...) and size. Runs the same pre-flight checks as a download.',
  usage: 'plan [--json] [--iso-name checksum|url] [--overwrite] [--ca-file F] [-var k=v] [-var-file F] TEMPLATE',
  extraPackerFlags: { var: 'value', 'var-file': 'value' },
  options: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print the plan as one JSON document' })
      .option('iso-name', { type: 'string', default: 'checksum', choices: ['checksum', 'url'], describe: 'target file names: <stem>.<12 hex of the checksum>.iso (default) or the URL file name' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'plan to replace same-named files that iso_checksum = "none" cannot prove' })
      .option('ca-file', { type: 'string', describe: 'PEM file with the CA of the Proxmox API certificate' })
      .option('verify-iso-certificates', { type: 'boolean', default: true, describe: 'whether the node verifies the mirror\'s TLS certificate (--no-verify-iso-certificates to skip)' })
      .option('log-level', { type: 'string', choices: LOG_LEVELS, describe: 'error, warn, info or debug (every API call); default from HCLX_LOG, else info' }) as unknown as Argv<PlanOptions>,
  async run(options, packerFlags, positionals, ctx) {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'plan needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).' : `plan takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`, {
        hint: 'Usage: hclx plan [--json] [-var k=v] [-var-file F] TEMPLATE',
      });
    }
    return runPlan({
      template: positionals[0]!,
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      isoName: parseIsoNameMode(options.isoName),
      overwrite: options.overwrite,
      json: options.json,
      ...(options.caFile ? { caFile: options.caFile } : {}),
      verifyCertificates: options.verifyIsoCertificates,
      ...(options.logLevel ? { logLevel: options.logLevel as LogLevel } : {}),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
  },
});
