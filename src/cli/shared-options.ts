// Options several commands share, declared once so their names, defaults and help text agree, and
// turned into the core's option objects in one place.

import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { LogLevel } from '../log.js';
import { parseIsoNameMode } from '../provision/naming.js';
import type { IsoNameMode } from '../provision/naming.js';
import { parseDuration } from '../provision/watchdog.js';

/** The one TEMPLATE positional every template command takes. */
export function templateArg(positionals: readonly string[], command: string, usage: string): string {
  if (positionals.length === 1) return positionals[0]!;
  throw new UsageError(
    positionals.length === 0 ? `${command} needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).` : `${command} takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`,
    { hint: `Usage: hclx ${usage}` },
  );
}

/** One or more TEMPLATE positionals (render renders several in one run). */
export function templateArgs(positionals: readonly string[], command: string, usage: string): string[] {
  if (positionals.length > 0) return [...positionals];
  throw new UsageError(`${command} needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).`, { hint: `Usage: hclx ${usage}` });
}

export interface ConnectionCliOptions {
  caFile?: string;
  logLevel?: string;
}

/** `--ca-file` and `--log-level`: every command that talks to Proxmox. */
export function connectionOptions<T>(y: Argv<T>): Argv<T & ConnectionCliOptions> {
  return y
    .option('ca-file', { type: 'string', describe: 'PEM file with the CA of the Proxmox API certificate (NODE_EXTRA_CA_CERTS works too)' })
    .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], describe: 'hclx\'s log on stderr (debug: every API call, secrets redacted); default from HCLX_LOG, else info' }) as unknown as Argv<
    T & ConnectionCliOptions
  >;
}

export function connectionSettings(options: ConnectionCliOptions): { caFile?: string; logLevel?: LogLevel } {
  return { ...(options.caFile ? { caFile: options.caFile } : {}), ...(options.logLevel ? { logLevel: options.logLevel as LogLevel } : {}) };
}

export interface NamingCliOptions extends ConnectionCliOptions {
  isoName: string;
  overwrite: boolean;
  verifyIsoCertificates: boolean;
}

/** What decides the target file and whether the node may fetch it: plan and the downloading commands. */
export function namingOptions<T>(y: Argv<T>): Argv<T & NamingCliOptions> {
  return connectionOptions(
    y
      .option('iso-name', { type: 'string', default: 'checksum', choices: ['checksum', 'url'], describe: 'target file names: <stem>.<12 hex of the checksum>.iso (default) or the URL file name' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace same-named files that iso_checksum = "none" cannot prove' })
      .option('verify-iso-certificates', { type: 'boolean', default: true, describe: 'whether the node verifies the mirror\'s TLS certificate (--no-verify-iso-certificates to skip)' }),
  ) as unknown as Argv<T & NamingCliOptions>;
}

export function namingSettings(options: NamingCliOptions): { isoName: IsoNameMode; overwrite: boolean; verifyCertificates: boolean; caFile?: string; logLevel?: LogLevel } {
  return { isoName: parseIsoNameMode(options.isoName), overwrite: options.overwrite, verifyCertificates: options.verifyIsoCertificates, ...connectionSettings(options) };
}

export interface DownloadCliOptions extends NamingCliOptions {
  parallel: number;
  stallTimeout: string;
  downloadTimeout: string;
}

/** The download engine's options: render and build. */
export function downloadOptions<T>(y: Argv<T>): Argv<T & DownloadCliOptions> {
  return namingOptions(
    y
      .option('parallel', { type: 'number', default: 4, describe: 'downloads at the same time' })
      .option('stall-timeout', { type: 'string', default: '5m', describe: 'fail a download that makes no progress for this long (0 = off)' })
      .option('download-timeout', { type: 'string', default: '0', describe: 'overall limit per download (0 = none)' }),
  ) as unknown as Argv<T & DownloadCliOptions>;
}

export function downloadSettings(options: DownloadCliOptions): ReturnType<typeof namingSettings> & { parallel: number; stallMs: number; overallMs: number } {
  if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new UsageError(`--parallel ${options.parallel} is not a positive whole number.`, { hint: 'Use e.g. --parallel 4.' });
  return {
    ...namingSettings(options),
    parallel: options.parallel,
    stallMs: parseDuration(options.stallTimeout, '--stall-timeout'),
    overallMs: parseDuration(options.downloadTimeout, '--download-timeout'),
  };
}

/** `--target`: the dialect of the rewritten ISO blocks. */
export function targetOption<T>(y: Argv<T>, describe: string): Argv<T & { target: string }> {
  return y.option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe }) as unknown as Argv<T & { target: string }>;
}
