// hclx never touches the user's template directory: render, plan and build (run from inside the
// directory, the worst case) leave every file's bytes and mtime as they were and add nothing. Only
// `migrate --write` writes there: the migrated file and its backup, with no temporary file left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSimulator, type SimHandle } from '../../src/sim/index.js';
import { FIXTURES, cleanEnv, copyTemplateDir, removeDir, runCli, scratchDir, snapshotTree, treeChanges } from './support.js';

const STAND_IN = join(FIXTURES, 'packer', 'stand-in.mjs');
let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'user-files.iso': 1024 * 1024 } });
  home = scratchDir('user-files-home');
});
after(async () => {
  await sim.stop();
  removeDir(home);
});

/** A copy of the user directory with a symlink in it, as template directories often have. */
function userDir(): string {
  const dir = copyTemplateDir(join(FIXTURES, 'user-dir'), 'user-dir');
  symlinkSync('http/preseed.cfg', join(dir, 'preseed-link.cfg'));
  return dir;
}

const env = () => cleanEnv({ HOME: home, TMPDIR: home, PACKER_CONFIG_DIR: home, PACKER_CACHE_DIR: join(home, 'cache') });
const vars = () => [`-var=proxmox_url=${sim.apiUrl}`, `-var=mirror=${sim.mirrorUrl}`];

test('render --offline, plan and build leave the template directory exactly as it was', async () => {
  const dir = userDir();
  const out = scratchDir('user-files-out');
  try {
    const before = snapshotTree(dir);
    // mtimes have a resolution: a write in the same tick must still show up as a content change.
    const render = await runCli(['render', '--offline', '--out', join(out, 'render'), ...vars(), '.'], { cwd: dir, env: env() });
    assert.equal(render.code, 0, render.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), [], 'render --offline changed the template directory');

    const plan = await runCli(['plan', ...vars(), '.'], { cwd: dir, env: env() });
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), [], 'plan changed the template directory');

    const build = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, ...vars(), '.'], { cwd: dir, env: env() });
    assert.equal(build.code, 0, build.stdout + build.stderr);
    assert.match(build.stdout, /stand-in: iso_file\s*=\s*"local:iso\/user-files\.[0-9a-f]{12}\.iso"/, 'Packer got the rendered copy');
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), [], 'build changed the template directory');

    // And a failing build (Packer missing) leaves it as well.
    const failed = await runCli(['build', '--target', 'legacy', '--packer', join(dir, 'no-such-packer'), ...vars(), '.'], { cwd: dir, env: env() });
    assert.equal(failed.code, 1, failed.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), [], 'a failed build changed the template directory');
  } finally {
    removeDir(dir);
    removeDir(out);
  }
});

test('render --offline without --out writes outside the template directory', async () => {
  const dir = userDir();
  const cwd = scratchDir('user-files-cwd');
  try {
    const before = snapshotTree(dir);
    const r = await runCli(['render', '--offline', ...vars(), dir], { cwd, env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), []);
    const written = /^wrote (\S+)/m.exec(r.stdout)?.[1];
    assert.ok(written && existsSync(written), r.stdout);
    assert.ok(!resolve(cwd, written).startsWith(dir), `the rendering went into the template directory: ${written}`);
  } finally {
    removeDir(dir);
    removeDir(cwd);
  }
});

test('migrate --write changes only the migrated file, keeps a backup, leaves no temporary file', async () => {
  const dir = copyTemplateDir(join(FIXTURES, 'user-dir-legacy'), 'legacy');
  try {
    const before = snapshotTree(dir);
    const original = readFileSync(join(dir, 'legacy.pkr.hcl'), 'utf8');
    const check = await runCli(['migrate', '--check', 'legacy.pkr.hcl'], { cwd: dir, env: env() });
    assert.equal(check.code, 3, check.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), [], 'migrate --check wrote');
    const diff = await runCli(['migrate', '--diff', 'legacy.pkr.hcl'], { cwd: dir, env: env() });
    assert.equal(diff.code, 0, diff.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)), [], 'migrate --diff wrote');

    const write = await runCli(['migrate', '--write', 'legacy.pkr.hcl'], { cwd: dir, env: env() });
    assert.equal(write.code, 0, write.stderr);
    assert.deepEqual(treeChanges(before, snapshotTree(dir)).sort(), ['added legacy.pkr.hcl.bak', 'content changed legacy.pkr.hcl']);
    assert.equal(readFileSync(join(dir, 'legacy.pkr.hcl.bak'), 'utf8'), original);
    assert.match(readFileSync(join(dir, 'legacy.pkr.hcl'), 'utf8'), /boot_iso \{[^}]*iso_download_pve = true/);
  } finally {
    removeDir(dir);
  }
});
