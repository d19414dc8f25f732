import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countOutcomes, formatSummary } from '../../src/provision/summary.js';

const MIB = 1024 * 1024;

test('summary table: each ISO with volid, node, result, size and time', () => {
  const text = formatSummary({
    event: 'summary',
    ok: true,
    seconds: 42,
    isos: [
      { volid: 'local:iso/debian-12.ab12cd34ef56.iso', node: 'pve', storage: 'local', outcome: 'downloaded', size: 640 * MIB, seconds: 40.2, specs: [] },
      { volid: 'local:iso/virtio-win.iso', node: 'pve', storage: 'local', outcome: 'verified', size: 700 * MIB, seconds: 3, specs: [] },
      { volid: 'nfs:iso/ubuntu.0123456789ab.iso', node: 'pve2', storage: 'nfs', outcome: 'reused', size: 3 * 1024 * MIB, seconds: 0.01, specs: [] },
    ],
  });
  assert.equal(
    text,
    [
      'ISOs ready: 1 downloaded, 1 reused, 1 verified in 42s',
      '  ISO                                   NODE  RESULT      SIZE     TIME',
      '  local:iso/debian-12.ab12cd34ef56.iso  pve   downloaded  640 MiB  40s',
      '  local:iso/virtio-win.iso              pve   verified    700 MiB  3.0s',
      '  nfs:iso/ubuntu.0123456789ab.iso       pve2  reused      3.0 GiB  0.0s',
    ].join('\n'),
  );
});

test('a failed ISO is listed with its error', () => {
  const text = formatSummary({ event: 'summary', ok: false, seconds: 1, isos: [{ volid: 'local:iso/x.iso', node: 'pve', storage: 'local', outcome: 'failed', seconds: 1, specs: [], error: 'checksum mismatch' }] });
  assert.match(text, /^ISO download failed: 1 failed in 1\.0s/);
  assert.match(text, /\n {2}local:iso\/x\.iso: checksum mismatch$/);
  assert.equal(countOutcomes([]).failed, 0);
});
