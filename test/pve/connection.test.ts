import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConnection } from '../../src/pve/connection.js';
import { TemplateError, type SourceRange } from '../../src/errors.js';
import { redactSecrets } from '../../src/log.js';

const range = (line: number): SourceRange => ({ file: 'build.pkr.hcl', start: { line, column: 3, offset: 0 }, end: { line, column: 20, offset: 10 } });

test('token auth from the source block; token wins over password', () => {
  const c = resolveConnection(
    { proxmox_url: 'https://pve.lab:8006/api2/json/', username: 'ci@pve!hclx', token: 'tok-secret-1111', password: 'pw-ignored', node: 'pve', insecure_skip_tls_verify: true },
    { env: {} },
  );
  assert.deepEqual(c, { url: 'https://pve.lab:8006/api2/json', node: 'pve', auth: { kind: 'token', tokenId: 'ci@pve!hclx', secret: 'tok-secret-1111' }, insecureSkipTlsVerify: true });
});

test('environment variables fill empty attributes, as the plugin does', () => {
  const env = { PROXMOX_URL: 'https://10.0.0.2:8006/api2/json', PROXMOX_USERNAME: 'root@pam', PROXMOX_PASSWORD: 'env-password-1' };
  const c = resolveConnection({ proxmox_url: '', username: null, node: 'pve' }, { env, caFile: '/tmp/ca.pem' });
  assert.deepEqual(c, { url: 'https://10.0.0.2:8006/api2/json', node: 'pve', auth: { kind: 'password', username: 'root@pam', password: 'env-password-1' }, caFile: '/tmp/ca.pem' });
  const t = resolveConnection({ username: 'ci@pve!x' }, { env: { ...env, PROXMOX_TOKEN: 'env-token-secret' } });
  assert.deepEqual(t.auth, { kind: 'token', tokenId: 'ci@pve!x', secret: 'env-token-secret' });
  // an attribute set in the template beats its environment variable
  assert.equal(resolveConnection({ proxmox_url: 'https://a:8006/api2/json' }, { env }).url, 'https://a:8006/api2/json');
});

test('secrets are registered for redaction as soon as they are read', () => {
  resolveConnection({ proxmox_url: 'https://a:8006/api2/json', username: 'root@pam', password: 'p4ssw0rd-unique-42' }, { env: {} });
  resolveConnection({ proxmox_url: 'https://a:8006/api2/json', username: 'a@pve!t', token: 'token-unique-4242' }, { env: {} });
  assert.equal(redactSecrets('x p4ssw0rd-unique-42 y token-unique-4242'), 'x <sensitive> y <sensitive>');
});

const cases: Array<[string, Parameters<typeof resolveConnection>[0], RegExp, number]> = [
  ['no url', { username: 'root@pam', password: 'x' }, /proxmox_url is not set.*PROXMOX_URL/s, 1],
  ['url without api path', { proxmox_url: 'https://pve:8006', username: 'root@pam', password: 'x' }, /does not end in \/api2\/json.*"https:\/\/pve:8006\/api2\/json"/s, 1],
  ['not a url', { proxmox_url: 'pve:8006', username: 'root@pam', password: 'x' }, /must use https/, 1],
  ['no username', { proxmox_url: 'https://a:8006/api2/json', password: 'x' }, /username is not set.*PROXMOX_USERNAME/s, 2],
  ['no realm', { proxmox_url: 'https://a:8006/api2/json', username: 'root', password: 'x' }, /no realm.*root@pam/s, 2],
  ['token without token id', { proxmox_url: 'https://a:8006/api2/json', username: 'root@pam', token: 'abcd' }, /names no token.*root@pam!hclx/s, 2],
  ['token id without secret', { proxmox_url: 'https://a:8006/api2/json', username: 'ci@pve!x', password: 'pw' }, /no token secret.*PROXMOX_TOKEN/s, 3],
  ['no credentials', { proxmox_url: 'https://a:8006/api2/json', username: 'root@pam' }, /Neither password nor token/, 4],
];
for (const [name, settings, re, line] of cases) {
  test(`refused with a fix: ${name}`, () => {
    const ranges = { proxmox_url: range(1), username: range(2), token: range(3), password: range(4) };
    assert.throws(
      () => resolveConnection(settings, { env: {}, ranges, sourceName: 'source "proxmox-iso" "debian"' }),
      (e: unknown) => e instanceof TemplateError && e.code === 'E_PVE_CONNECTION' && re.test(e.describe()) && e.range?.start.line === line && e.exitCode === 2,
    );
  });
}
