// `hclx migrate` as one core call: load the template, plan, then print, diff, check or write.
// The command module only turns flags into a MigrateRequest.

import { ExitCode } from '../errors.js';
import { redactSecrets } from '../log.js';
import { formatDiff, formatMigrated, migratedFiles, writeMigrated } from './apply.js';
import type { WriteFs } from './apply.js';
import { displayPath } from '../template/load.js';
import { loadForMigration } from './load.js';
import { migrationNeeded, planMigration } from './plan.js';
import { formatReport } from './report.js';
import { loadUrlMap } from './url-map.js';

export type MigrateMode = 'print' | 'diff' | 'check' | 'write';

export interface MigrateRequest {
  template: string;
  mode: MigrateMode;
  cwd: string;
  env: Record<string, string | undefined>;
  varFiles: readonly string[];
  vars: ReadonlyArray<readonly [string, string]>;
  urlMap?: string;
  backupSuffix: string;
  /** --follow-symlinks: --write may change a file the template reaches through a symbolic link. */
  followSymlinks?: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Replaces the file-system calls of --write (tests). */
  fs?: WriteFs;
}

/**
 * Runs a migration; returns the exit code (3 = `--check` found changes to make). The migrated
 * files and diffs are printed verbatim: they hold only the user's own bytes plus URLs and
 * checksums from the catalogue or the url-map, and redacting them (a sensitive variable whose
 * value is `packer`) would corrupt the template. The summary on stderr is redacted.
 */
export async function runMigrate(req: MigrateRequest): Promise<number> {
  const warn = (m: string) => req.stderr.write(redactSecrets(`hclx: warning: ${m}`) + '\n');
  const urlMap = req.urlMap === undefined ? undefined : await loadUrlMap(req.urlMap);
  const { template, view } = await loadForMigration(req.template, { cwd: req.cwd, env: req.env, varFiles: req.varFiles, vars: req.vars, warn });
  const plan = planMigration(view, { urlMap });
  // A git symlink placeholder is read through to its target, which is the file a write changes.
  const placeholders = new Map(template.files.filter((f) => f.placeholderTarget !== undefined).map((f) => [f.source.path, displayPath(f.entryPath, req.cwd)]));
  const files = migratedFiles(plan).map((f) => (placeholders.has(f.path) ? { ...f, linkedFrom: placeholders.get(f.path)! } : f));
  const report = formatReport(plan);
  if (report) req.stderr.write(redactSecrets(report) + '\n');
  const needed = migrationNeeded(plan) && files.length > 0;
  switch (req.mode) {
    case 'check':
      req.stderr.write(needed ? `hclx: ${files.length} file${files.length === 1 ? '' : 's'} need${files.length === 1 ? 's' : ''} migrating: ${files.map((f) => f.displayPath).join(', ')}\n` : 'hclx: nothing to migrate\n');
      return needed ? ExitCode.changesNeeded : ExitCode.ok;
    case 'diff':
      if (needed) req.stdout.write(formatDiff(files));
      else req.stderr.write('hclx: nothing to migrate\n');
      return ExitCode.ok;
    case 'print':
      if (needed) req.stdout.write(formatMigrated(files));
      else req.stderr.write('hclx: nothing to migrate\n');
      return ExitCode.ok;
    case 'write': {
      if (!needed) {
        req.stderr.write('hclx: nothing to migrate\n');
        return ExitCode.ok;
      }
      const result = await writeMigrated(files, { backupSuffix: req.backupSuffix, followSymlinks: req.followSymlinks, cwd: req.cwd, fs: req.fs });
      for (const w of result.written) req.stderr.write(`hclx: wrote ${w.displayPath}${w.via !== undefined ? `, the target of the link ${w.via}` : ''} (backup: ${w.backup})\n`);
      return ExitCode.ok;
    }
  }
}
