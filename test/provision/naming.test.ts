import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseTargetName, parseIsoNameMode } from '../../src/provision/naming.js';
import { TemplateError, UsageError } from '../../src/errors.js';

const sha256 = { algorithm: 'sha256', value: 'AB12CD34EF567890aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' } as const;

test('checksum naming (default): <stem>.<12 hex, lower case>.<ext>, reusable by name', () => {
  assert.deepEqual(chooseTargetName('https://cdimage.debian.org/debian-cd/12.7.0/amd64/iso-cd/debian-12.7.0-amd64-netinst.iso', sha256), {
    filename: 'debian-12.7.0-amd64-netinst.ab12cd34ef56.iso',
    scheme: 'checksum',
    reuse: 'trust-name',
  });
});

test('checksum naming keeps the extension case and normalises as Proxmox does', () => {
  const t = chooseTargetName('https://host/path/My%20Disk%20(v2).IMG?token=1', { algorithm: 'md5', value: '0123456789abcdef0123456789abcdef' });
  assert.equal(t.filename, 'My_Disk__v2_.0123456789ab.IMG');
});

test('a URL already carrying the digest is not given it twice', () => {
  const t = chooseTargetName('https://host/debian.ab12cd34ef56.iso', sha256);
  assert.equal(t.filename, 'debian.ab12cd34ef56.iso');
});

test('url naming: the normalised URL name, verified by Proxmox when present', () => {
  assert.deepEqual(chooseTargetName('https://host/a/ubuntu-24.04.3-live-server-amd64.iso', sha256, 'url'), {
    filename: 'ubuntu-24.04.3-live-server-amd64.iso',
    scheme: 'url',
    reuse: 'verify',
  });
});

test('iso_checksum none: URL name whatever was asked, and an existing file is refused', () => {
  for (const mode of ['checksum', 'url'] as const) {
    assert.deepEqual(chooseTargetName('https://host/x.iso', { algorithm: 'none' }, mode), { filename: 'x.iso', scheme: 'url', reuse: 'refuse' });
  }
});

test('a URL that does not name an .iso/.img file is a template error before any call', () => {
  assert.throws(() => chooseTargetName('https://host/download?id=3', sha256), TemplateError);
  assert.throws(() => chooseTargetName('https://host/x.iso.gz', sha256), TemplateError);
});

test('--iso-name values', () => {
  assert.equal(parseIsoNameMode(undefined), 'checksum');
  assert.equal(parseIsoNameMode('url'), 'url');
  assert.throws(() => parseIsoNameMode('sha'), UsageError);
});
