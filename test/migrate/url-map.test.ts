import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadUrlMap, parseUrlMap } from '../../src/migrate/url-map.js';
import { UsageError } from '../../src/errors.js';

const FIXTURES = new URL('../../fixtures/migrate/url-map/', import.meta.url).pathname;

async function failure(file: string): Promise<UsageError> {
  try {
    await loadUrlMap(FIXTURES + file, file);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${file} was accepted`);
}

describe('--url-map files', () => {
  it('reads YAML, in block and flow style, with the place of every entry', async () => {
    const map = await loadUrlMap(FIXTURES + 'windows.yaml', 'windows.yaml');
    assert.deepEqual([...map.keys()], ['autounattend.iso', 'SERVER_EVAL_x64FRE_en-us.iso', 'virtio-win-0.1.229.iso']);
    assert.equal(map.get('autounattend.iso')?.url, 'https://files.example.lab/iso/autounattend.iso');
    assert.equal(map.get('SERVER_EVAL_x64FRE_en-us.iso')?.checksum, 'file:https://files.example.lab/iso/SHA256SUMS');
    assert.equal(map.get('virtio-win-0.1.229.iso')?.checksum, 'none');
    assert.equal(map.get('virtio-win-0.1.229.iso')?.range.start.line, 8);
    assert.equal(map.get('autounattend.iso')?.range.start.line, 2);
  });

  it('reads JSON', async () => {
    const map = await loadUrlMap(FIXTURES + 'windows.json', 'windows.json');
    assert.equal(map.get('autounattend.iso')?.checksum, 'sha256:5f6e1d3c9a0b2e4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d');
    assert.equal(map.get('autounattend.iso')?.range.start.line, 2);
  });

  it('accepts an empty file as an empty map', () => {
    assert.equal(parseUrlMap('', 'empty.yaml').size, 0);
    assert.equal(parseUrlMap('{}', 'empty.json').size, 0);
  });

  it('rejects a non-http URL at its line', async () => {
    const e = await failure('bad-url.yaml');
    assert.equal(e.describe().split(' ')[0], 'bad-url.yaml:5:8:');
    assert.match(e.message, /url of 'linux\.iso' is not an http\(s\) URL/);
  });

  it('rejects a checksum that is no iso_checksum form, once, at its line', async () => {
    const e = await failure('bad-checksum.json');
    assert.match(e.describe(), /^bad-checksum\.json:4:17: checksum of 'linux\.iso' is not a checksum: use md5:/);
    assert.doesNotMatch(e.message, /more problem/);
  });

  it('rejects a key that is not a bare ISO name, pointing at the key', async () => {
    const e = await failure('bad-name.yaml');
    assert.match(e.describe(), /^bad-name\.yaml:2:1: 'local:iso\/other\.iso' is not an ISO file name/);
  });

  it('reports a missing checksum and an unknown key together', async () => {
    const e = await failure('missing-checksum.yaml');
    assert.match(e.describe(), /^missing-checksum\.yaml:2:3: /);
    assert.match(e.message, /1 more problem in this file/);
  });

  it('reports YAML syntax errors with their place', async () => {
    const e = await failure('broken.yaml');
    assert.match(e.describe(), /^broken\.yaml:\d+:\d+: the --url-map file is not valid YAML or JSON/);
  });

  it('says which file it cannot read', async () => {
    const e = await failure('does-not-exist.yaml');
    assert.match(e.message, /cannot read the --url-map file 'does-not-exist\.yaml' \(no such file\)/);
  });

  it('rejects duplicate names', () => {
    assert.throws(() => parseUrlMap('a.iso: {url: "https://x/a.iso", checksum: none}\na.iso: {url: "https://y/a.iso", checksum: none}\n', 'dup.yaml'), (e: UsageError) => /^dup\.yaml:2:1: .*unique/.test(e.describe()));
  });
});
