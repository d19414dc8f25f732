import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatUpid, parseUpid, tryParseUpid } from '../../src/pve/upid.js';
import { ProxmoxError } from '../../src/errors.js';

test('parses a download UPID, hex fields and token user included', () => {
  const u = parseUpid('UPID:pve1:0003A1B2:01C2D3E4:6650F0A1:download:debian-12.7.0-amd64-netinst.iso:ci@pve!hclx:');
  assert.deepEqual(u, { node: 'pve1', pid: 0x3a1b2, pstart: 0x1c2d3e4, starttime: 0x6650f0a1, type: 'download', id: 'debian-12.7.0-amd64-netinst.iso', user: 'ci@pve!hclx' });
});

test('accepts an empty id and a 9-digit pstart', () => {
  assert.equal(parseUpid('UPID:node-2:00001234:1ABCDEF01:6650F0A1:imgcopy::root@pam:').pstart, 0x1abcdef01);
  assert.equal(parseUpid('UPID:node-2:00001234:1ABCDEF01:6650F0A1:imgcopy::root@pam:').id, '');
});

test('refuses malformed UPIDs with a typed error', () => {
  for (const bad of ['', 'UPID:pve:1:2:3:download:x:root@pam:', 'UPID:pve.example.com:00001234:00001234:6650F0A1:download:x:root@pam:', 'UPID:pve:00001234:00001234:6650F0A1:download:x:root@pam']) {
    assert.equal(tryParseUpid(bad), undefined, bad);
    assert.throws(() => parseUpid(bad), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_BAD_UPID');
  }
});

test('formatUpid is the inverse of parseUpid', () => {
  const name = fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  fc.assert(
    fc.property(
      name,
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xfffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.constantFrom('download', 'imgdel', 'imgcopy'),
      fc.stringMatching(/^[A-Za-z0-9_.-]{0,20}$/),
      fc.constantFrom('root@pam', 'ci@pve!hclx'),
      (node, pid, pstart, starttime, type, id, user) => {
        const upid = { node, pid, pstart, starttime, type, id, user };
        assert.deepEqual(parseUpid(formatUpid(upid)), upid);
      },
    ),
    { numRuns: 200 },
  );
});
