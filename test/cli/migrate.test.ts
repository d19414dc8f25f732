import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { command } from '../../src/cli/commands/migrate.js';
import type { CommandContext } from '../../src/cli/command.js';
import { UsageError } from '../../src/errors.js';

const FIX = new URL('../../fixtures/migrate/', import.meta.url).pathname;

function context(cwd: string): CommandContext & { out(): string; err(): string } {
  const streams = [new PassThrough(), new PassThrough()];
  const chunks: Buffer[][] = [[], []];
  streams.forEach((s, i) => s.on('data', (c: Buffer) => chunks[i]!.push(c)));
  return {
    argv0: 'hclx',
    cwd,
    env: {},
    stdout: streams[0]!,
    stderr: streams[1]!,
    signal: new AbortController().signal,
    out: () => Buffer.concat(chunks[0]!).toString('utf8'),
    err: () => Buffer.concat(chunks[1]!).toString('utf8'),
  };
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-cli-migrate-'));
  copyFileSync(FIX + 'variables/before.pkr.hcl', join(dir, 'template.pkr.hcl'));
  return dir;
}

const defaults = { write: false, check: false, diff: false, backupSuffix: '.bak', followSymlinks: false };

describe('hclx migrate (command)', () => {
  it('prints the migrated template through the CLI entry, with -var applied', async () => {
    const dir = workdir();
    try {
      const ctx = context(dir);
      assert.equal(await main(['migrate', '-var', 'iso_storage=ceph-iso', 'template.pkr.hcl'], ctx), 0);
      assert.equal(ctx.out(), readFileSync(FIX + 'variables/after.pkr.hcl', 'utf8'));
      assert.match(ctx.err(), /iso_file ceph-iso:iso\/ubuntu-24\.04\.3-live-server-amd64\.iso → downloaded by the Proxmox node/);
      assert.deepEqual(readdirSync(dir), ['template.pkr.hcl']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--check returns 3 and --write writes, through the command', async () => {
    const dir = workdir();
    try {
      const ctx = context(dir);
      assert.equal(await command.run({ ...defaults, check: true }, [], ['template.pkr.hcl'], ctx), 3);
      assert.equal(await command.run({ ...defaults, write: true, backupSuffix: '.orig' }, [], ['template.pkr.hcl'], ctx), 0);
      assert.equal(readFileSync(join(dir, 'template.pkr.hcl'), 'utf8'), readFileSync(FIX + 'variables/after.pkr.hcl', 'utf8'));
      assert.equal(readFileSync(join(dir, 'template.pkr.hcl.orig'), 'utf8'), readFileSync(FIX + 'variables/before.pkr.hcl', 'utf8'));
      assert.equal(await command.run({ ...defaults, check: true }, [], ['template.pkr.hcl'], ctx), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses combined modes and a missing template', async () => {
    const ctx = context(process.cwd());
    await assert.rejects(command.run({ ...defaults, write: true, check: true }, [], ['t.pkr.hcl'], ctx), (e: unknown) => e instanceof UsageError && /--write and --check cannot be combined/.test(e.message));
    await assert.rejects(command.run({ ...defaults }, [], [], ctx), (e: unknown) => e instanceof UsageError && /needs a TEMPLATE/.test(e.message));
    await assert.rejects(command.run({ ...defaults, followSymlinks: true }, [], ['t.pkr.hcl'], ctx), (e: unknown) => e instanceof UsageError && /--follow-symlinks only applies to --write/.test(e.message));
  });
});
