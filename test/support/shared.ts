// ../shared beside the checkout: the corpus of real templates and the researched docs. A test that
// needs it asks sharedSkip() first: on a machine without it the test is skipped with the reason; in
// CI (CI=true), where ../shared is always laid beside the clone, a missing ../shared fails the test
// file with that reason instead of passing unnoticed.
//
// realSymlinkCorpus() lays out a copy of the corpus in which the git symlinks are real symbolic
// links, as git checks them out with core.symlinks=true (CI's layout, and every Packer user's). In
// a session they are placeholder files holding the target path; tests run against both layouts.

import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { placeholderTarget } from '../../src/template/load.js';
import { tempDir } from './temp.js';

/** ../shared beside the checkout (with a trailing slash). */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
/** The corpus of real templates (with a trailing slash, so `CORPUS + rel` is a path). */
export const CORPUS = join(SHARED, 'corpus') + '/';
/** The researched docs (PVE API schema, plugin behaviour). */
export const SHARED_DOCS = join(SHARED, 'docs') + '/';

/**
 * False when `path` (under ../shared) exists; else the reason to skip, outside CI. In CI (CI=true)
 * a missing path throws, which fails the test file: there ../shared must be present.
 */
export function sharedSkip(path: string = CORPUS): string | false {
  if (existsSync(path)) return false;
  const reason = `${path} is missing: these tests need ../shared (the corpus and docs) beside the checkout`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI (CI=true) always lays it there; this run cannot be trusted without it.`);
  return `${reason}; skipped outside CI`;
}

/** Corpus-relative paths of the git symlink placeholders (files whose content is a relative target path). */
export function symlinkPlaceholders(root: string = CORPUS): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > 16) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path, `${rel}${name}/`, depth + 1);
      else if (st.isFile() && st.size <= 1024 && placeholderTarget(readFileSync(path, 'utf8'), path) !== undefined) out.push(`${rel}${name}`);
    }
  };
  walk(root, '', 0);
  return out;
}

/** Repositories (top-level corpus directories) that hold a git symlink, as a placeholder or a real link. */
export function reposWithSymlinks(root: string = CORPUS): Set<string> {
  const repos = new Set<string>();
  const walk = (dir: string, repo: string, depth: number) => {
    if (depth > 16) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) repos.add(repo);
      else if (st.isDirectory()) walk(path, repo, depth + 1);
    }
  };
  for (const repo of readdirSync(root)) if (lstatSync(join(root, repo)).isDirectory()) walk(join(root, repo), repo, 0);
  for (const rel of symlinkPlaceholders(root)) repos.add(rel.split('/')[0]!);
  return repos;
}

let laidOut: string | undefined;

/**
 * A copy of the corpus (in a temporary directory, once per test process) whose git symlink
 * placeholders are real relative symbolic links; links that are already real are copied as links.
 * Everything in it is writable, so tests may migrate and delete in it. Returns its path with a
 * trailing slash.
 */
export function realSymlinkCorpus(): string {
  if (laidOut) return laidOut;
  const root = join(tempDir('corpus-symlinks'), 'corpus');
  cpSync(CORPUS, root, { recursive: true, verbatimSymlinks: true });
  makeWritable(root);
  for (const rel of symlinkPlaceholders(root)) {
    const path = join(root, rel);
    const target = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    rmSync(path);
    symlinkSync(target, path);
  }
  laidOut = root + '/';
  return laidOut;
}

/** The shared corpus is read-only in CI (copied without write bits); its copies must not be. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) makeWritable(path);
    else if (st.isFile()) chmodSync(path, 0o644);
  }
}

/**
 * Copies one corpus repository (or any directory) to `dest`, links as links: a relative link keeps
 * pointing inside the copy. (fs.cpSync's default rewrites links to absolute paths into the source,
 * and a second copy over them fails with ERR_FS_CP_EINVAL.)
 */
export function copyTree(src: string, dest: string): void {
  cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
  makeWritable(dest);
}
