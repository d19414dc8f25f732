// `hclx migrate`: upgrade legacy ISO settings to the iso_download_pve form (issue 6). Thin: flags → runMigrate.
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { flagValues, parseVarFlags } from '../../packer/flags.js';
import { UsageError } from '../../errors.js';
import { runMigrate } from '../../migrate/run.js';
import type { MigrateMode } from '../../migrate/run.js';

interface MigrateOptions {
  write: boolean;
  check: boolean;
  diff: boolean;
  urlMap?: string;
  backupSuffix: string;
}

export const command = defineCommand<MigrateOptions>({
  name: 'migrate',
  describe:
    'Upgrade a template to let the Proxmox node download its ISOs: deprecated top-level iso_* fields move into boot_iso {}, device becomes type + index, and iso_file uploads whose download location is known (--url-map, or the built-in catalogue of official downloads) become iso_url + iso_checksum + iso_download_pve = true. Prints the migrated files; writes nothing unless --write.',
  usage: 'migrate [--write | --check | --diff] [--url-map FILE] [--backup-suffix S] [-var k=v] [-var-file F] TEMPLATE',
  extraPackerFlags: { var: 'value', 'var-file': 'value' },
  options: (y) =>
    y
      .option('write', { type: 'boolean', default: false, describe: 'replace the files in place (atomically, keeping a backup of each)' })
      .option('check', { type: 'boolean', default: false, describe: 'write nothing; exit 3 when a migration is needed, 0 otherwise (for CI)' })
      .option('diff', { type: 'boolean', default: false, describe: 'print a unified diff instead of the migrated files' })
      .option('url-map', { type: 'string', describe: 'YAML or JSON file: ISO name → { url, checksum }, tried before the catalogue' })
      .option('backup-suffix', { type: 'string', default: '.bak', describe: 'suffix of the backup --write keeps of each file' }) as unknown as Argv<MigrateOptions>,
  async run(options, packerFlags, positionals, ctx) {
    const modes = (['write', 'check', 'diff'] as const).filter((m) => options[m]);
    if (modes.length > 1) throw new UsageError(`--${modes.join(' and --')} cannot be combined.`, { hint: 'Choose one: --diff to review, --check for CI, --write to apply.' });
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'migrate needs a TEMPLATE (a .pkr.hcl/.pkr.json file or a directory).' : `migrate takes one TEMPLATE, got ${positionals.length}: ${positionals.join(' ')}.`, {
        hint: 'Usage: hclx migrate [--write | --check | --diff] [--url-map FILE] TEMPLATE',
      });
    }
    const mode: MigrateMode = modes[0] ?? 'print';
    return runMigrate({
      template: positionals[0]!,
      mode,
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      urlMap: options.urlMap,
      backupSuffix: options.backupSuffix,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
    });
  },
});
