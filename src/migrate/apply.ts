// Applying a migration plan: the migrated text of each changed file, the three read-only ways to
// show it (the files, a unified diff, nothing but the verdict), and `--write`, which replaces the
// files in place without ever losing a byte: each file gets a backup first, the new text goes to a
// temporary file in the same directory that is fsynced and renamed over the original, and when a
// later file fails every file already replaced is put back from its original bytes and what this
// run wrote (backups, temporary files) is removed, so the next run starts clean. A file reached
// through a symbolic link (or a git symlink placeholder) is shared with whatever else links to it:
// it is written only with --follow-symlinks, and the output names the file that was written.

import { constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { ToolError, UsageError } from '../errors.js';
import { applyEditsAligned } from '../hcl/align.js';
import { applyEdits } from '../hcl/edit.js';
import { operationsToEdits } from './edits.js';
import type { MigrationPlan } from './plan.js';

export interface MigratedFile {
  /** Absolute path of the file that is edited (a git-symlink placeholder's target). */
  path: string;
  displayPath: string;
  before: string;
  after: string;
  /** The git symlink placeholder (display path) through which the template reaches this file. */
  linkedFrom?: string;
}

/** The files the plan changes, with their migrated text, in the template's file order. */
export function migratedFiles(plan: MigrationPlan): MigratedFile[] {
  const out: MigratedFile[] = [];
  for (const { file, edits } of operationsToEdits(plan.operations).values()) {
    // Native HCL comes out `packer fmt`-clean where it was edited (the `=` of a rewritten block line up again).
    const after = file.syntax === 'hcl' ? applyEditsAligned(file.text, edits) : applyEdits(file.text, edits);
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
  /** `displayPath`: the file written (a link's target); `via`: the link the template reaches it through. */
  written: Array<{ displayPath: string; backup: string; via?: string }>;
}

export interface WriteOptions {
  backupSuffix: string;
  /** Write the target of a symbolic link (or placeholder) the template reaches a changed file through. */
  followSymlinks?: boolean;
  /** For display paths of link targets (relative when inside it). */
  cwd?: string;
  fs?: WriteFs;
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.hclx-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

function errnoText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  // Node's messages already start with the code ("EFBIG: file too large, write").
  if (!e.code || String(e.message).startsWith(e.code)) return e.message ?? String(error);
  return `${e.code}: ${e.message}`;
}

function shown(path: string, cwd: string | undefined): string {
  if (cwd === undefined) return path;
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

interface Target {
  file: MigratedFile;
  /** The real file that is replaced. */
  target: string;
  /** Its path as shown (the link's own display path when the file is not reached through a link). */
  shownTarget: string;
  /** The link the template reaches it through, as shown. */
  via?: string;
}

/** Where each file really is: a symbolic link's (or placeholder's) target is what a write changes. */
async function resolveTargets(files: readonly MigratedFile[], fs: WriteFs, cwd: string | undefined): Promise<Target[]> {
  return Promise.all(
    files.map(async (file) => {
      const target = await fs.realpath(file.path);
      // A link in the last component only (a symlinked parent directory is just where the file lives).
      const direct = join(await fs.realpath(dirname(file.path)), basename(file.path));
      if (target !== direct) return { file, target, shownTarget: shown(target, cwd), via: file.displayPath };
      if (file.linkedFrom !== undefined) return { file, target, shownTarget: file.displayPath, via: file.linkedFrom };
      return { file, target, shownTarget: file.displayPath };
    }),
  );
}

/**
 * Replaces every file with its migrated text, keeping `<file><suffix>` backups. All or nothing:
 * when one file fails, the files already replaced get their original bytes back, the backups and
 * temporary files this run wrote are removed (a backup stays only where restoring failed, as the
 * one copy of the original), and the error names what happened to each.
 */
export async function writeMigrated(files: readonly MigratedFile[], options: WriteOptions): Promise<WriteResult> {
  const fs = options.fs ?? nodeWriteFs;
  const suffix = options.backupSuffix;
  if (suffix === '' || suffix.includes('/') || suffix.includes('\\')) {
    throw new UsageError(`--backup-suffix '${suffix}' is not a file-name suffix.`, { hint: 'Use something like .bak or .orig (no slashes).' });
  }
  // A write replaces the file a link points to, never the link; that file is shared with whatever
  // else links to it, so it is written only when the user said so.
  const targets = await resolveTargets(files, fs, options.cwd);
  const linked = targets.filter((t) => t.via !== undefined);
  if (linked.length > 0 && !options.followSymlinks) {
    throw new UsageError(
      `${linked.map((t) => `${t.via} is a ${t.file.linkedFrom !== undefined ? 'git symlink placeholder' : 'symbolic link'} to ${t.shownTarget}`).join('; ')}: migrate --write would change ${linked.length === 1 ? 'that file' : 'those files'}, and with ${linked.length === 1 ? 'it' : 'them'} every template that links to ${linked.length === 1 ? 'it' : 'them'}. Nothing was written.`,
      { hint: 'Pass --follow-symlinks to write the linked files (each is named as it is written), or replace the link by a copy of the file first.' },
    );
  }
  // Refuse up front, before touching anything, when a backup would overwrite an existing file.
  for (const { target, shownTarget } of targets) {
    if (await fs.exists(target + suffix)) {
      throw new UsageError(`the backup ${shownTarget}${suffix} already exists, and migrate never overwrites a file it has not written.`, {
        hint: `Move it away, or choose another suffix with --backup-suffix. Nothing was written.`,
      });
    }
  }
  const done: Array<Target & { original: Buffer; mode: number; backup: string }> = [];
  for (const t of targets) {
    const { target, shownTarget } = t;
    const backup = target + suffix;
    let step = 'read it again';
    const temps: string[] = [];
    let backupWritten = false;
    try {
      const original = await fs.readFile(target);
      if (original.toString('utf8') !== t.file.before) {
        throw Object.assign(new Error('the file changed on disk since hclx read it'), { code: 'ECHANGED' });
      }
      const { mode } = await fs.stat(target);
      step = `write the backup ${shownTarget}${suffix}`;
      const backupTemp = tempName(backup);
      temps.push(backupTemp);
      await fs.writeFile(backupTemp, original, mode & 0o7777);
      await fs.rename(backupTemp, backup);
      temps.pop();
      backupWritten = true;
      step = 'write the migrated text';
      const temp = tempName(target);
      temps.push(temp);
      await fs.writeFile(temp, t.file.after, mode & 0o7777);
      step = 'replace it';
      await fs.rename(temp, target);
      temps.pop();
      await fs.fsyncDir(dirname(target));
      done.push({ ...t, original, mode, backup });
    } catch (error) {
      for (const temp of temps) await fs.unlink(temp).catch(() => undefined);
      // The failing file was not replaced: its backup (if any) is a copy of bytes still in place.
      const leftBackups: string[] = [];
      if (backupWritten && !(await removed(fs, backup))) leftBackups.push(`${shownTarget}${suffix}`);
      const restored: string[] = [];
      const lost: string[] = [];
      for (const d of done.reverse()) {
        try {
          const temp = tempName(d.target);
          await fs.writeFile(temp, d.original, d.mode & 0o7777);
          await fs.rename(temp, d.target);
          restored.push(d.shownTarget);
          if (!(await removed(fs, d.backup))) leftBackups.push(`${d.shownTarget}${suffix}`);
        } catch {
          lost.push(`${d.shownTarget} (its original is in ${d.shownTarget}${suffix})`);
        }
      }
      const outcome =
        lost.length > 0
          ? `Restoring failed for ${lost.join(', ')}: copy the backup back by hand.`
          : restored.length > 0
            ? `${restored.reverse().join(', ')} ${restored.length === 1 ? 'was' : 'were'} already replaced and ${restored.length === 1 ? 'has' : 'have'} been restored to ${restored.length === 1 ? 'its' : 'their'} original bytes; no template file is changed.`
            : 'No template file was changed.';
      const leftover = leftBackups.length > 0 ? ` The backup${leftBackups.length === 1 ? '' : 's'} ${leftBackups.join(', ')} could not be removed; delete ${leftBackups.length === 1 ? 'it' : 'them'} before the next run.` : '';
      throw new ToolError(`migrate --write could not ${step} for ${shownTarget} (${errnoText(error)}). ${outcome}${leftover}`, {
        code: 'E_WRITE',
        cause: error,
        hint: 'Fix the cause (permissions, disk space, a concurrent edit) and run it again.',
      });
    }
  }
  return { written: done.map((d) => ({ displayPath: d.shownTarget, backup: d.shownTarget + suffix, ...(d.via !== undefined ? { via: d.via } : {}) })) };
}

/** Removes a file this run wrote; false when it could not. */
async function removed(fs: WriteFs, path: string): Promise<boolean> {
  try {
    await fs.unlink(path);
    return true;
  } catch {
    return false;
  }
}
