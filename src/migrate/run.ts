// `hclx migrate` as one core call: load the template, plan, then print, diff, check or write.
// The command module only turns flags into a MigrateRequest.

import { ExitCode } from '../errors.js';
import { redactSecrets } from '../log.js';
import { formatDiff, formatMigrated, migratedFiles, writeMigrated } from './apply.js';
import type { WriteFs } from './apply.js';
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
  const { view } = await loadForMigration(req.template, { cwd: req.cwd, env: req.env, varFiles: req.varFiles, vars: req.vars, warn });
  const plan = planMigration(view, { urlMap });
  const files = migratedFiles(plan);
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
      const result = await writeMigrated(files, { backupSuffix: req.backupSuffix, fs: req.fs });
      for (const w of result.written) req.stderr.write(`hclx: wrote ${w.displayPath} (backup: ${w.backup})\n`);
      return ExitCode.ok;
    }
  }
}
