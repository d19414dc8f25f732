// The working directory hclx owns for one build: the rendered template goes there, never next to
// the user's files (Packer would load both copies of a directory build). It lives under
// `$HCLX_WORKDIR` when set, else under the OS temp directory, and is removed at the end unless the
// user keeps it (`--keep-rendered`) to look at what Packer was given.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface WorkDir {
  /** Absolute path of the run's directory (`<base>/hclx-<command>-XXXXXX`). */
  path: string;
  /** Where the rendered template is emitted (a new directory inside `path`). */
  templateDir: string;
  /** Removes the directory and everything in it (symlinks are removed, never followed). */
  remove(): void;
}

/** The directory under which runs create their working directories. */
export function workDirBase(env: NodeJS.ProcessEnv, cwd: string): string {
  const configured = env.HCLX_WORKDIR?.trim();
  return configured ? resolve(cwd, configured) : tmpdir();
}

export function createWorkDir(command: string, env: NodeJS.ProcessEnv, cwd: string): WorkDir {
  const base = workDirBase(env, cwd);
  let path: string;
  try {
    mkdirSync(base, { recursive: true });
    path = mkdtempSync(join(base, `hclx-${command}-`));
  } catch (error) {
    throw new UsageError(`cannot create a working directory in ${base}: ${(error as Error).message}.`, {
      hint: env.HCLX_WORKDIR ? 'Point HCLX_WORKDIR at a writable directory, or unset it to use the temp directory.' : 'Set HCLX_WORKDIR to a writable directory.',
      cause: error,
    });
  }
  return {
    path,
    templateDir: join(path, 'template'),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
