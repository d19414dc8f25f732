// Applying a migration plan: the migrated text of each changed file, the three read-only ways to
// show it (the files, a unified diff, nothing but the verdict), and `--write`, which replaces the
// files in place without ever losing a byte: each file gets a backup first, the new text goes to a
// temporary file in the same directory that is fsynced and renamed over the original, and when a
// later file fails every file already replaced is put back from its original bytes.

import { constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { ToolError, UsageError } from '../errors.js';
import { applyEdits } from '../hcl/edit.js';
import { operationsToEdits } from './edits.js';
import type { MigrationPlan } from './plan.js';

export interface MigratedFile {
  /** Absolute path of the file that is edited (a git-symlink placeholder's target). */
  path: string;
  displayPath: string;
  before: string;
  after: string;
}

/** The files the plan changes, with their migrated text, in the template's file order. */
export function migratedFiles(plan: MigrationPlan): MigratedFile[] {
  const out: MigratedFile[] = [];
  for (const { file, edits } of operationsToEdits(plan.operations).values()) {
    const after = applyEdits(file.text, edits);
    if (after !== file.text) out.push({ path: file.path, displayPath: file.displayPath, before: file.text, after });
  }
  return out;
}

/** Default output: the migrated file, or each one under a `==> path <==` header when there are several. */
export function formatMigrated(files: readonly MigratedFile[]): string {
  if (files.length === 1) return files[0]!.after;
  return files.map((f) => `==> ${f.displayPath} <==\n${f.after}${f.after.endsWith('\n') ? '' : '\n'}`).join('\n');
}

/** `--diff`: a unified diff of every changed file (`a/` and `b/` prefixes, as git prints them). */
export function formatDiff(files: readonly MigratedFile[]): string {
  return files.map((f) => createTwoFilesPatch(`a/${f.displayPath}`, `b/${f.displayPath}`, f.before, f.after, undefined, undefined, { context: 3 }).replace(/^=+\n/, '')).join('');
}

// ---- --write ------------------------------------------------------------------------------------

/** The file-system calls --write makes (replaceable to simulate failures in tests). */
export interface WriteFs {
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string | Buffer, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat(path: string): Promise<{ mode: number }>;
  exists(path: string): Promise<boolean>;
  realpath(path: string): Promise<string>;
  fsyncDir(path: string): Promise<void>;
}

/** Writes a file and flushes it to disk before returning (the data must survive a crash right after the rename). */
async function writeDurably(path: string, data: string | Buffer, mode: number): Promise<void> {
  const handle = await fsp.open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const nodeWriteFs: WriteFs = {
  readFile: (p) => fsp.readFile(p),
  writeFile: writeDurably,
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  stat: (p) => fsp.stat(p),
  exists: async (p) => (await fsp.lstat(p).catch(() => undefined)) !== undefined,
  realpath: (p) => fsp.realpath(p),
  async fsyncDir(dir) {
    // Makes the renames durable; not every platform can open a directory, which is fine to skip.
    const handle = await fsp.open(dir, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      await handle.sync().catch(() => undefined);
    } finally {
      await handle.close();
    }
  },
};

export interface WriteResult {
  written: Array<{ displayPath: string; backup: string }>;
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.hclx-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

function errnoText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(error);
}

/**
 * Replaces every file with its migrated text, keeping `<file><suffix>` backups. All or nothing:
 * when one file fails, the files already replaced get their original bytes back (their backups
 * stay too), and the error names what happened to each.
 */
export async function writeMigrated(files: readonly MigratedFile[], options: { backupSuffix: string; fs?: WriteFs }): Promise<WriteResult> {
  const fs = options.fs ?? nodeWriteFs;
  const suffix = options.backupSuffix;
  if (suffix === '' || suffix.includes('/') || suffix.includes('\\')) {
    throw new UsageError(`--backup-suffix '${suffix}' is not a file-name suffix.`, { hint: 'Use something like .bak or .orig (no slashes).' });
  }
  // Resolve real symlinks: a write replaces the file the link points to, never the link.
  const targets = await Promise.all(files.map(async (f) => ({ file: f, target: await fs.realpath(f.path) })));
  // Refuse up front, before touching anything, when a backup would overwrite an existing file.
  for (const { file, target } of targets) {
    if (await fs.exists(target + suffix)) {
      throw new UsageError(`the backup ${file.displayPath}${suffix} already exists, and migrate never overwrites a file it has not written.`, {
        hint: `Move it away, or choose another suffix with --backup-suffix. Nothing was written.`,
      });
    }
  }
  const done: Array<{ file: MigratedFile; target: string; original: Buffer; mode: number; backup: string }> = [];
  for (const { file, target } of targets) {
    const backup = target + suffix;
    let step = 'read it again';
    const temps: string[] = [];
    try {
      const original = await fs.readFile(target);
      if (original.toString('utf8') !== file.before) {
        throw Object.assign(new Error('the file changed on disk since hclx read it'), { code: 'ECHANGED' });
      }
      const { mode } = await fs.stat(target);
      step = `write the backup ${file.displayPath}${suffix}`;
      const backupTemp = tempName(backup);
      temps.push(backupTemp);
      await fs.writeFile(backupTemp, original, mode & 0o7777);
      await fs.rename(backupTemp, backup);
      temps.pop();
      step = 'write the migrated text';
      const temp = tempName(target);
      temps.push(temp);
      await fs.writeFile(temp, file.after, mode & 0o7777);
      step = 'replace it';
      await fs.rename(temp, target);
      temps.pop();
      await fs.fsyncDir(dirname(target));
      done.push({ file, target, original, mode, backup });
    } catch (error) {
      for (const t of temps) await fs.unlink(t).catch(() => undefined);
      const restored: string[] = [];
      const lost: string[] = [];
      for (const d of done.reverse()) {
        try {
          const temp = tempName(d.target);
          await fs.writeFile(temp, d.original, d.mode & 0o7777);
          await fs.rename(temp, d.target);
          restored.push(d.file.displayPath);
        } catch {
          lost.push(`${d.file.displayPath} (its original is in ${d.file.displayPath}${suffix})`);
        }
      }
      const outcome =
        lost.length > 0
          ? `Restoring failed for ${lost.join(', ')}: copy the backup back by hand.`
          : restored.length > 0
            ? `${restored.reverse().join(', ')} ${restored.length === 1 ? 'was' : 'were'} already replaced and ${restored.length === 1 ? 'has' : 'have'} been restored to ${restored.length === 1 ? 'its' : 'their'} original bytes; no template file is changed.`
            : 'No template file was changed.';
      throw new ToolError(`migrate --write could not ${step} for ${file.displayPath} (${errnoText(error)}). ${outcome}`, {
        code: 'E_WRITE',
        cause: error,
        hint: 'Fix the cause (permissions, disk space, a concurrent edit) and run it again; backups written so far are left in place.',
      });
    }
  }
  return { written: done.map((d) => ({ displayPath: d.file.displayPath, backup: d.file.displayPath + suffix })) };
}
