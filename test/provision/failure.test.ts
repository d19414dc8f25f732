import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyTaskFailure, isTaskSuccess } from '../../src/provision/failure.js';

test('never retried: checksum mismatch, refusing to override, invalid file, interrupt', () => {
  for (const text of [
    "checksum mismatch: got 'aa' != expect 'bb'",
    "checksum mismatch: got 'aa' != expect 'bb', aborting",
    "refusing to override existing file '/var/lib/vz/template/iso/x.iso'",
    'failed to verify file: qcow2 image with backing file',
    'download failed: received interrupt',
  ]) {
    assert.equal(classifyTaskFailure(text), 'fatal', text);
  }
});

test('HTTP 4xx from the mirror: try the next URL, no retry', () => {
  assert.equal(classifyTaskFailure('download failed: 2026-05-03 11:09:55 ERROR 404: Not Found.'), 'url');
  assert.equal(classifyTaskFailure('download failed: 2026-05-03 11:09:55 ERROR 403: Forbidden.'), 'url');
  assert.equal(classifyTaskFailure('download failed: unable to resolve host address ‘mirror.invalid’'), 'url');
});

test('network trouble and 5xx from the mirror are transient', () => {
  assert.equal(classifyTaskFailure('download failed: 2026-05-03 11:09:55 ERROR 503: Service Unavailable.'), 'transient');
  assert.equal(classifyTaskFailure('download failed: Read error at byte 1048576/52428800 (Connection reset by peer). Giving up.'), 'transient');
  assert.equal(classifyTaskFailure('download failed: Connection refused.'), 'transient');
  assert.equal(classifyTaskFailure('unexpected status'), 'transient');
});

test('task success is OK or WARNINGS: n', () => {
  assert.equal(isTaskSuccess('OK'), true);
  assert.equal(isTaskSuccess('WARNINGS: 2'), true);
  assert.equal(isTaskSuccess('checksum mismatch'), false);
  assert.equal(isTaskSuccess(undefined), false);
});
