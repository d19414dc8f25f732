import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { formatDiff, formatMigrated, nodeWriteFs, writeMigrated } from '../../src/migrate/apply.js';
import type { MigratedFile, WriteFs } from '../../src/migrate/apply.js';
import { runMigrate } from '../../src/migrate/run.js';
import type { MigrateRequest } from '../../src/migrate/run.js';
import { ToolError, UsageError } from '../../src/errors.js';

const FIX = new URL('../../fixtures/migrate/', import.meta.url).pathname;

function sink(): PassThrough & { text(): string } {
  const s = new PassThrough() as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.text = () => Buffer.concat(chunks).toString('utf8');
  return s;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hclx-migrate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function request(template: string, mode: MigrateRequest['mode'], extra: Partial<MigrateRequest> = {}): MigrateRequest & { out: ReturnType<typeof sink>; err: ReturnType<typeof sink> } {
  const out = sink();
  const err = sink();
  return { template, mode, cwd: dir, env: {}, varFiles: [], vars: [], backupSuffix: '.bak', stdout: out, stderr: err, out, err, ...extra };
}

/** A two-file template: a.pkr.hcl holds the source, b.pkr.hcl the required_plugins that must be raised. */
function twoFileTemplate(bName = 'b.pkr.hcl'): { a: string; b: string; before: Record<string, string> } {
  const seed = readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8');
  const split = seed.indexOf('source "proxmox-iso"');
  const a = join(dir, 'a.pkr.hcl');
  const b = join(dir, bName);
  writeFileSync(a, seed.slice(split));
  writeFileSync(b, seed.slice(0, split));
  return { a, b, before: { [a]: seed.slice(split), [b]: seed.slice(0, split) } };
}

describe('migrate output modes', () => {
  it('prints the migrated file and writes nothing by default', async () => {
    const target = join(dir, 'ubuntu.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', target);
    const req = request(target, 'print');
    assert.equal(await runMigrate(req), 0);
    assert.equal(req.out.text(), readFileSync(FIX + 'seed/after.pkr.hcl', 'utf8'));
    assert.equal(readFileSync(target, 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
    assert.deepEqual(readdirSync(dir), ['ubuntu.pkr.hcl']);
    assert.match(req.err.text(), /^change: .*boot_iso block/m);
  });

  it('prints a header per file when several change', async () => {
    twoFileTemplate();
    const req = request('.', 'print');
    assert.equal(await runMigrate(req), 0);
    const text = req.out.text();
    assert.match(text, /^==> a\.pkr\.hcl <==\nsource "proxmox-iso" "ubuntu" \{/);
    assert.match(text, /\n==> b\.pkr\.hcl <==\npacker \{\n {2}required_plugins \{\n {4}proxmox = \{\n {6}version = ">= 1\.2\.0"/);
  });

  it('prints a unified diff with --diff', async () => {
    const target = join(dir, 'ubuntu.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', target);
    const req = request('ubuntu.pkr.hcl', 'diff');
    assert.equal(await runMigrate(req), 0);
    const diff = req.out.text();
    assert.match(diff, /^--- a\/ubuntu\.pkr\.hcl\n\+\+\+ b\/ubuntu\.pkr\.hcl\n@@ /);
    assert.match(diff, /\n- {6}version = ">= 1\.1\.3"\n\+ {6}version = ">= 1\.2\.0"\n/);
    assert.match(diff, /\n- {2}iso_file {4}= "local:iso\/ubuntu-24\.04\.3-live-server-amd64\.iso"\n- {2}unmount_iso = true\n\+ {2}boot_iso \{\n/);
    assert.equal(readFileSync(target, 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
  });

  it('--check exits 3 when a migration is needed and 0 when not, writing nothing', async () => {
    const target = join(dir, 'ubuntu.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', target);
    const needed = request(target, 'check');
    assert.equal(await runMigrate(needed), 3);
    assert.equal(needed.out.text(), '');
    assert.match(needed.err.text(), /1 file needs migrating: ubuntu\.pkr\.hcl/);
    copyFileSync(FIX + 'seed/after.pkr.hcl', target);
    const clean = request(target, 'check');
    assert.equal(await runMigrate(clean), 0);
    assert.match(clean.err.text(), /nothing to migrate/);
    assert.deepEqual(readdirSync(dir), ['ubuntu.pkr.hcl']);
  });

  it('formats one file bare and several with headers', () => {
    const f = (p: string, after: string): MigratedFile => ({ path: p, displayPath: p, before: 'x\n', after });
    assert.equal(formatMigrated([f('a', 'A\n')]), 'A\n');
    assert.equal(formatMigrated([f('a', 'A\n'), f('b', 'B')]), '==> a <==\nA\n\n==> b <==\nB\n');
    assert.equal(formatDiff([f('a', 'x\n')]), '--- a/a\n+++ b/a\n');
  });
});

describe('migrate --write', () => {
  it('replaces the file and keeps a backup of the original', async () => {
    const target = join(dir, 'ubuntu.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', target);
    const req = request(target, 'write');
    assert.equal(await runMigrate(req), 0);
    assert.equal(readFileSync(target, 'utf8'), readFileSync(FIX + 'seed/after.pkr.hcl', 'utf8'));
    assert.equal(readFileSync(target + '.bak', 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
    assert.deepEqual(readdirSync(dir).sort(), ['ubuntu.pkr.hcl', 'ubuntu.pkr.hcl.bak'], 'no temporary file is left behind');
    assert.match(req.err.text(), /wrote ubuntu\.pkr\.hcl \(backup: ubuntu\.pkr\.hcl\.bak\)/);
    // A second run has nothing to do.
    const again = request(target, 'check');
    assert.equal(await runMigrate(again), 0);
  });

  it('uses --backup-suffix and refuses to overwrite an existing backup', async () => {
    const target = join(dir, 'ubuntu.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', target);
    writeFileSync(target + '.orig', 'precious');
    await assert.rejects(runMigrate(request(target, 'write', { backupSuffix: '.orig' })), (e: unknown) => e instanceof UsageError && /ubuntu\.pkr\.hcl\.orig already exists/.test(e.message));
    assert.equal(readFileSync(target + '.orig', 'utf8'), 'precious');
    assert.equal(readFileSync(target, 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
    assert.equal(await runMigrate(request(target, 'write', { backupSuffix: '.pre-migrate' })), 0);
    assert.equal(readFileSync(target + '.pre-migrate', 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
  });

  it('a write that fails half way restores the files already replaced (real file-system failure)', async () => {
    // The second file's backup name is longer than a file name may be (ENAMETOOLONG, even for root),
    // so the first file is already replaced when the second one fails.
    const longName = 'b' + 'x'.repeat(240 - 'b.pkr.hcl'.length) + '.pkr.hcl';
    const { a, b, before } = twoFileTemplate(longName);
    const suffix = '.backup-before-hclx-migrate';
    const req = request('.', 'write', { backupSuffix: suffix });
    await assert.rejects(runMigrate(req), (e: unknown) => {
      assert.ok(e instanceof ToolError, String(e));
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /could not write the backup .* for b?x+\.pkr\.hcl \(ENAMETOOLONG/);
      assert.match(e.message, /a\.pkr\.hcl was already replaced and has been restored to its original bytes; no template file is changed\./);
      return true;
    });
    assert.equal(readFileSync(a, 'utf8'), before[a]);
    assert.equal(readFileSync(b, 'utf8'), before[b]);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.hclx-')), [], 'temporary files are removed');
    assert.ok(!existsSync(a + suffix), 'the backup of the restored file is removed: the next run must not meet it');
  });

  it('a failed write of the migrated text removes the backup it wrote, so the next run works', async () => {
    const target = join(dir, 'ubuntu.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', target);
    const failing: WriteFs = {
      ...nodeWriteFs,
      async writeFile(path, data, mode) {
        // The backup goes through; the migrated text does not fit (a file-size limit, a full disk).
        if (path.includes('ubuntu.pkr.hcl.hclx-')) throw Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG', errno: -27, syscall: 'write' });
        return nodeWriteFs.writeFile(path, data, mode);
      },
    };
    await assert.rejects(runMigrate(request(target, 'write', { fs: failing })), (e: unknown) => {
      assert.ok(e instanceof ToolError && e.exitCode === 1, String(e));
      assert.match(e.describe(), /could not write the migrated text for ubuntu\.pkr\.hcl \(EFBIG: file too large, write\)\. No template file was changed\./);
      assert.equal(e.describe().match(/EFBIG/g)?.length, 1, `the error code is printed once: ${e.describe()}`);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ['ubuntu.pkr.hcl'], 'no backup, no temporary file is left');
    assert.equal(readFileSync(target, 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
    assert.equal(await runMigrate(request(target, 'write')), 0, 'the next run is not blocked');
    assert.equal(readFileSync(target + '.bak', 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
  });

  it('a rename that fails on the second file loses nothing (injected failure)', async () => {
    const { a, b, before } = twoFileTemplate();
    let renames = 0;
    const failing: WriteFs = {
      ...nodeWriteFs,
      async rename(from, to) {
        if (to === b) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        renames++;
        return nodeWriteFs.rename(from, to);
      },
    };
    const req = request('.', 'write', { fs: failing });
    await assert.rejects(runMigrate(req), (e: unknown) => e instanceof ToolError && /could not replace it for b\.pkr\.hcl \(EIO/.test(e.message) && /a\.pkr\.hcl was already replaced and has been restored/.test(e.message));
    assert.ok(renames >= 3, 'a was replaced, then restored');
    assert.equal(readFileSync(a, 'utf8'), before[a]);
    assert.equal(readFileSync(b, 'utf8'), before[b]);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.hclx-')), []);
  });

  it('refuses to replace a file that changed since it was read', async () => {
    const target = join(dir, 't.pkr.hcl');
    writeFileSync(target, 'new content\n');
    const file: MigratedFile = { path: target, displayPath: 't.pkr.hcl', before: 'old content\n', after: 'migrated\n' };
    await assert.rejects(writeMigrated([file], { backupSuffix: '.bak' }), (e: unknown) => e instanceof ToolError && /changed on disk/.test(e.message) && /No template file was changed/.test(e.message));
    assert.equal(readFileSync(target, 'utf8'), 'new content\n');
  });

  it('refuses to write through a symbolic link without --follow-symlinks, and with it names the file it wrote', async () => {
    mkdirSync(join(dir, 'common'));
    mkdirSync(join(dir, 'ubuntu'));
    const shared = join(dir, 'common', 'source.pkr.hcl');
    copyFileSync(FIX + 'seed/before.pkr.hcl', shared);
    symlinkSync('../common/source.pkr.hcl', join(dir, 'ubuntu', 'source.pkr.hcl'));
    const req = request('ubuntu', 'write');
    await assert.rejects(runMigrate(req), (e: unknown) => {
      assert.ok(e instanceof UsageError && e.exitCode === 2, String(e));
      assert.match(e.describe(), /^ubuntu\/source\.pkr\.hcl is a symbolic link to common\/source\.pkr\.hcl: migrate --write would change that file, and with it every template that links to it\. Nothing was written\. Pass --follow-symlinks/);
      return true;
    });
    assert.equal(readFileSync(shared, 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'));
    assert.deepEqual([readdirSync(join(dir, 'common')), readdirSync(join(dir, 'ubuntu'))], [['source.pkr.hcl'], ['source.pkr.hcl']]);

    const follow = request('ubuntu', 'write', { followSymlinks: true });
    assert.equal(await runMigrate(follow), 0);
    assert.ok(lstatSync(join(dir, 'ubuntu', 'source.pkr.hcl')).isSymbolicLink(), 'the link stays a link');
    assert.equal(readFileSync(shared, 'utf8'), readFileSync(FIX + 'seed/after.pkr.hcl', 'utf8'));
    const m = /^hclx: wrote common\/source\.pkr\.hcl, the target of the link ubuntu\/source\.pkr\.hcl \(backup: (.+)\)$/m.exec(follow.err.text());
    assert.ok(m, follow.err.text());
    assert.equal(readFileSync(join(dir, m[1]!), 'utf8'), readFileSync(FIX + 'seed/before.pkr.hcl', 'utf8'), 'the backup path printed exists');
  });

  it('treats a git symlink placeholder like a link: refused without --follow-symlinks', async () => {
    mkdirSync(join(dir, 'common'));
    mkdirSync(join(dir, 'ubuntu'));
    copyFileSync(FIX + 'seed/before.pkr.hcl', join(dir, 'common', 'source.pkr.hcl'));
    writeFileSync(join(dir, 'ubuntu', 'source.pkr.hcl'), '../common/source.pkr.hcl');
    await assert.rejects(runMigrate(request('ubuntu', 'write')), (e: unknown) => e instanceof UsageError && /^ubuntu\/source\.pkr\.hcl is a git symlink placeholder to common\/source\.pkr\.hcl: .*Nothing was written/.test(e.describe()));
    const follow = request('ubuntu', 'write', { followSymlinks: true });
    assert.equal(await runMigrate(follow), 0);
    assert.match(follow.err.text(), /^hclx: wrote common\/source\.pkr\.hcl, the target of the link ubuntu\/source\.pkr\.hcl \(backup: common\/source\.pkr\.hcl\.bak\)$/m);
    assert.equal(readFileSync(join(dir, 'ubuntu', 'source.pkr.hcl'), 'utf8'), '../common/source.pkr.hcl');
    assert.ok(existsSync(join(dir, 'common', 'source.pkr.hcl.bak')));
  });

  it('a symlinked directory is only where the files live: no refusal', async () => {
    mkdirSync(join(dir, 'real'));
    copyFileSync(FIX + 'seed/before.pkr.hcl', join(dir, 'real', 'ubuntu.pkr.hcl'));
    symlinkSync('real', join(dir, 'alias'));
    const req = request('alias', 'write');
    assert.equal(await runMigrate(req), 0);
    assert.match(req.err.text(), /^hclx: wrote alias\/ubuntu\.pkr\.hcl \(backup: alias\/ubuntu\.pkr\.hcl\.bak\)$/m);
    assert.ok(existsSync(join(dir, 'real', 'ubuntu.pkr.hcl.bak')));
  });

  it('rejects a suffix with a path separator', async () => {
    await assert.rejects(writeMigrated([], { backupSuffix: '/tmp/x' }), UsageError);
  });
});
