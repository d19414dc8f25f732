// `hclx sim`: the command's option handling, what it prints, and the config file checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { command } from '../../src/cli/commands/sim.js';
import { loadConfigFile, parseListen, parseMirrorFileSpec, parseTokenSpec, parseUserSpec } from '../../src/sim/index.js';
import { UsageError } from '../../src/errors.js';

function ctx(signal: AbortSignal) {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  return { c: { argv0: 'hclx', cwd: process.cwd(), env: {}, stdout, stderr: new PassThrough(), signal }, out: () => text };
}

test('hclx sim prints URL, credentials, CA and mirror, and stops on the signal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-sim-cli-'));
  try {
    const cfg = join(dir, 'sim.json');
    writeFileSync(cfg, JSON.stringify({ users: [{ userid: 'ci@pve', password: 'from-file' }], faults: ['slow-401:ms=1'] }));
    const abort = new AbortController();
    const { c, out } = ctx(abort.signal);
    const running = command.run({ listen: '127.0.0.1:0', tls: true, config: cfg, mirrorFile: ['a.iso:1M'], token: ['ci@pve!tk=s3cret-token'], node: ['pve'] }, [], [], c);
    for (let i = 0; i < 200 && !out().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 25));
    const text = out();
    const api = /API URL: +(https:\/\/127\.0\.0\.1:\d+\/api2\/json)/.exec(text)?.[1];
    assert.ok(api, text);
    assert.match(text, /username root@pam {2}password hclx-sim/);
    assert.match(text, /username ci@pve {2}password from-file/);
    assert.match(text, /token ci@pve!tk /);
    assert.ok(!text.includes('s3cret-token'), 'token secrets are not printed');
    assert.match(text, /CA file: +\/\S+hclx-sim-ca\.pem/);
    assert.match(text, /mirror: +https:\/\/127\.0\.0\.1:\d+\/mirror\/ +\(1 generated file/);
    abort.abort();
    assert.equal(await running, 0);
    assert.match(out(), /stopped\.\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--hash-rate takes a rate with K/M/G and --guest-address an IPv4 address; bad values are usage errors', async () => {
  const abort = new AbortController();
  const { c } = ctx(abort.signal);
  await assert.rejects(command.run({ listen: '127.0.0.1:0', hashRate: 'fast' }, [], [], c), (e) => e instanceof UsageError && /--hash-rate 'fast'/.test(e.message));
  await assert.rejects(command.run({ listen: '127.0.0.1:0', guestAddress: '::1' }, [], [], c), (e) => e instanceof UsageError && /--guest-address '::1'/.test(e.message));
  const { c: c2, out } = ctx(abort.signal);
  const running = command.run({ listen: '127.0.0.1:0', hashRate: '200M' }, [], [], c2);
  for (let i = 0; i < 200 && !out().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 25));
  assert.match(out(), /hash rate: +209715200 bytes\/s/);
  abort.abort();
  assert.equal(await running, 0);
});

test('option specs are parsed or refused with a usage error', () => {
  assert.deepEqual(parseUserSpec('ci@pve:pa:ss'), { userid: 'ci@pve', password: 'pa:ss' });
  assert.deepEqual(parseTokenSpec('ci@pve!hclx=abc=def'), { tokenid: 'ci@pve!hclx', secret: 'abc=def' });
  assert.deepEqual(parseMirrorFileSpec('debian.iso:64M'), ['debian.iso', 64 * 1024 * 1024]);
  assert.deepEqual(parseListen('0.0.0.0:8006'), { host: '0.0.0.0', port: 8006 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseUserSpec('root'), UsageError);
  assert.throws(() => parseTokenSpec('root@pam=x'), UsageError);
  assert.throws(() => parseMirrorFileSpec('x.iso:big'), UsageError);
  assert.throws(() => parseListen('host:99999'), UsageError);
});

test('the config file is checked with the file name in the message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-sim-cfg-'));
  try {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "nodes": ["pve"],\n  "storages": [}\n');
    assert.throws(() => loadConfigFile(bad), (e) => e instanceof UsageError && e.message.startsWith(`${bad}:3:`));
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, '{"colour": "red"}');
    assert.throws(() => loadConfigFile(unknown), /unknown setting 'colour'/);
    const priv = join(dir, 'priv.json');
    writeFileSync(priv, '{"acls": [{"path": "/", "ugid": "a@pve", "privs": ["Sys.Everything"]}]}');
    assert.throws(() => loadConfigFile(priv), /'Sys.Everything' is not one/);
    const rate = join(dir, 'rate.json');
    writeFileSync(rate, '{"hashRate": 0}');
    assert.throws(() => loadConfigFile(rate), /'hashRate' must be a positive number of bytes per second/);
    writeFileSync(rate, '{"hashRate": 209715200, "guestAddress": "192.0.2.7"}');
    assert.deepEqual(loadConfigFile(rate), { hashRate: 209715200, guestAddress: '192.0.2.7' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
