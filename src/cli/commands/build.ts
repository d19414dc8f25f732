// `hclx build`: parses hclx's double-dash options (Packer's flags are split out by args.ts and
// passed on verbatim) and hands them to buildTemplate().
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';
import type { LogLevel } from '../../log.js';
import { parseCleanupPolicy } from '../../pipeline/cleanup.js';
import { buildTemplate } from '../../pipeline/build.js';
import { parseIsoNameMode, parseDuration } from '../../provision/index.js';
import { parseDialectTarget } from '../../rewrite/dialect.js';

interface BuildCliOptions {
  target: string;
  cleanup: string;
  offline: boolean;
  parallel: number;
  isoName: string;
  json: boolean;
  keepRendered: boolean;
  packer?: string;
  stallTimeout: string;
  downloadTimeout: string;
  overwrite: boolean;
  caFile?: string;
  verifyIsoCertificates: boolean;
  logLevel?: string;
}

export const USAGE = 'build [--options] [-var k=v] [-var-file F] [-only/-except builds] [other packer build flags] TEMPLATE';

export const command = defineCommand<BuildCliOptions>({
  name: 'build',
  describe:
    'Get every ISO marked iso_download_pve = true onto its Proxmox node (the node downloads it), rewrite those blocks to iso_file in a working directory, then run `packer build` on the result with your Packer flags. Exit code: Packer\'s once it ran; otherwise 2 (template), 1 (download, Proxmox, Packer missing), 130 (interrupted).',
  usage: USAGE,
  packer: 'build',
  options: (y) =>
    y
      .option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe: 'dialect of the rewritten ISO blocks; auto: legacy for Packer < 1.7, else from required_plugins' })
      .option('cleanup', { type: 'string', choices: ['never', 'on-success', 'always'], default: 'never', describe: 'after Packer: delete ISOs this run downloaded (never ones already there or still mounted)' })
      .option('offline', { type: 'boolean', default: false, describe: 'no downloads: predict volids from the URL file names (the ISOs must already be on the node)' })
      .option('parallel', { type: 'number', default: 4, describe: 'downloads at the same time' })
      .option('iso-name', { type: 'string', default: 'checksum', choices: ['checksum', 'url'], describe: 'target file names: <stem>.<12 hex of the checksum>.iso (default) or the URL file name' })
      .option('json', { type: 'boolean', default: false, describe: 'hclx\'s output as NDJSON events on stdout (Packer\'s output still streams through)' })
      .option('keep-rendered', { type: 'boolean', default: false, describe: 'keep the working directory with the rendered template (for debugging)' })
      .option('packer', { type: 'string', describe: 'the Packer executable (default: PACKER_BIN, else packer on PATH)' })
      .option('stall-timeout', { type: 'string', default: '5m', describe: 'fail a download that makes no progress for this long (0 = off)' })
      .option('download-timeout', { type: 'string', default: '0', describe: 'overall limit per download (0 = none)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace same-named files that iso_checksum = "none" cannot prove' })
      .option('ca-file', { type: 'string', describe: 'PEM file with the CA of the Proxmox API certificate' })
      .option('verify-iso-certificates', { type: 'boolean', default: true, describe: 'whether the node verifies the mirror\'s TLS certificate (--no-verify-iso-certificates to skip)' })
      .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], describe: 'hclx\'s log on stderr (debug: every API call); default from HCLX_LOG, else info' }) as unknown as Argv<BuildCliOptions>,
  async run(options, packerFlags, positionals, ctx) {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'build needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).' : `build takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`, {
        hint: `Usage: hclx ${USAGE}`,
      });
    }
    if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new UsageError(`--parallel ${options.parallel} is not a positive whole number.`, { hint: 'Use e.g. --parallel 4.' });
    const result = await buildTemplate({
      template: positionals[0]!,
      cwd: ctx.cwd,
      env: ctx.env,
      packerFlags,
      target: parseDialectTarget(options.target),
      cleanup: parseCleanupPolicy(options.cleanup),
      offline: options.offline,
      parallel: options.parallel,
      isoName: parseIsoNameMode(options.isoName),
      overwrite: options.overwrite,
      stallMs: parseDuration(options.stallTimeout, '--stall-timeout'),
      overallMs: parseDuration(options.downloadTimeout, '--download-timeout'),
      ...(options.caFile ? { caFile: options.caFile } : {}),
      verifyCertificates: options.verifyIsoCertificates,
      json: options.json,
      keepRendered: options.keepRendered,
      ...(options.packer ? { packerPath: options.packer } : {}),
      ...(options.logLevel ? { logLevel: options.logLevel as LogLevel } : {}),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
    return result.exitCode;
  },
});
