import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, hasBuiltinProxmox, parsePackerVersion, type PackerVersion } from '../../src/packer/version.js';

const v = (text: string): PackerVersion => parsePackerVersion(text)!;

describe('parsePackerVersion', () => {
  it('reads Packer 1.6.6 output', () => {
    assert.deepEqual(parsePackerVersion('Packer v1.6.6\n'), { major: 1, minor: 6, patch: 6, text: '1.6.6' });
  });
  it('reads newer output with an out-of-date notice after it', () => {
    const out = 'Packer v1.11.2\n\nYour version of Packer is out of date! The latest version\nis 1.12.0. You can update by downloading from www.packer.io/downloads\n';
    assert.equal(v(out).text, '1.11.2');
  });
  it('reads the bare `packer --version` form and source builds', () => {
    assert.equal(v('1.10.3\n').text, '1.10.3');
    assert.deepEqual(v('Packer v1.9.0-dev (a1b2c3d)\n'), { major: 1, minor: 9, patch: 0, prerelease: 'dev', text: '1.9.0-dev' });
  });
  it('is undefined for output without a version', () => {
    assert.equal(parsePackerVersion('command not found'), undefined);
    assert.equal(parsePackerVersion(''), undefined);
  });
});

describe('compareVersions', () => {
  it('orders numerically, not as text', () => {
    assert.ok(compareVersions(v('1.11.0'), v('1.6.6')) > 0);
    assert.ok(compareVersions(v('1.6.6'), v('1.6.10')) < 0);
    assert.equal(compareVersions(v('1.7.0'), v('Packer v1.7.0')), 0);
  });
  it('puts a prerelease before its release', () => {
    assert.ok(compareVersions(v('1.9.0-dev'), v('1.9.0')) < 0);
    assert.ok(compareVersions(v('1.9.0'), v('1.9.0-alpha')) > 0);
  });
});

describe('hasBuiltinProxmox', () => {
  it('is true before 1.7 (built-in builder, legacy dialect only) and false from 1.7 on (plugin)', () => {
    assert.equal(hasBuiltinProxmox(v('1.6.6')), true);
    assert.equal(hasBuiltinProxmox(v('1.5.2')), true);
    assert.equal(hasBuiltinProxmox(v('0.12.3')), true);
    assert.equal(hasBuiltinProxmox(v('1.7.0')), false);
    assert.equal(hasBuiltinProxmox(v('1.7.0-dev')), false);
    assert.equal(hasBuiltinProxmox(v('1.11.2')), false);
    assert.equal(hasBuiltinProxmox(v('2.0.0')), false);
  });
});
