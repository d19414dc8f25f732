import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyLogLine, applyLogLines, initialProgress, parseWgetDuration, parseWgetRate } from '../../src/provision/task-log.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/provision/task-logs/${name}`, import.meta.url), 'utf8').trimEnd().split('\n');
const MIB = 1024 * 1024;

test('a real download-url log: length, progress in 32 MiB steps, completion', () => {
  const lines = fixture('talos-no-checksum.log');
  const lengthAt = lines.findIndex((l) => l.startsWith('Length:'));
  let state = applyLogLines(initialProgress(), lines.slice(0, lengthAt));
  assert.equal(state.phase, 'connecting');
  state = applyLogLine(state, lines[lengthAt]!);
  assert.equal(state.phase, 'downloading');
  assert.equal(state.total, 687124480);
  state = applyLogLines(state, lines.slice(lengthAt + 1, lengthAt + 3));
  assert.equal(state.bytes, 32 * MIB);
  assert.equal(state.percent, 4);
  assert.equal(state.bytesPerSecond, 33.4 * MIB);
  assert.equal(state.etaSeconds, 19);
  state = applyLogLine(state, lines[lengthAt + 3]!);
  assert.equal(state.bytes, 64 * MIB);
  assert.equal(state.etaSeconds, 29);
  const end = applyLogLines(initialProgress(), lines);
  assert.equal(end.phase, 'finished');
  assert.equal(end.bytes, 687124480);
  assert.equal(end.percent, 100);
  assert.equal(end.checksumVerified, false);
  assert.equal(end.existingFileVerified, false);
  assert.equal(end.lines, lines.length);
});

test('the last dot line (100% speed=elapsed) means the whole file arrived', () => {
  const s = applyLogLines(initialProgress(), ['Length: 687124480 (655M) [application/x-iso9660-image]', '655360K ........ .......                   100%  120M=13s']);
  assert.equal(s.bytes, 687124480);
  assert.equal(s.percent, 100);
  assert.equal(s.etaSeconds, 0);
  assert.equal(s.bytesPerSecond, 120 * MIB);
});

test('unknown length: bytes without percent, then checksum verified', () => {
  const lines = fixture('checksum-verified-unknown-length.log');
  const midway = applyLogLines(initialProgress(), lines.slice(0, 6));
  assert.equal(midway.total, undefined);
  assert.equal(midway.percent, undefined);
  assert.equal(midway.bytes, 32 * MIB);
  assert.equal(midway.bytesPerSecond, 12.5 * MIB);
  const verifying = applyLogLine(applyLogLines(initialProgress(), lines.slice(0, 8)), 'calculating checksum...');
  assert.equal(verifying.phase, 'verifying');
  const end = applyLogLines(initialProgress(), lines);
  assert.equal(end.bytes, 50331648);
  assert.equal(end.total, 50331648);
  assert.equal(end.checksumVerified, true);
  assert.equal(end.phase, 'finished');
});

test('an existing file verified by checksum is recognised (no transfer)', () => {
  const lines = fixture('existing-verified.log');
  const hashing = applyLogLine(applyLogLine(initialProgress(), lines[0]!), 'calculating checksum of existing file...');
  assert.equal(hashing.phase, 'verifying-existing');
  const end = applyLogLines(initialProgress(), lines);
  assert.equal(end.existingFileVerified, true);
  assert.equal(end.bytes, 0);
});

test('applyLogLine does not modify its input', () => {
  const s = initialProgress();
  applyLogLine(s, 'Length: 100 (100) [x]');
  assert.deepEqual(s, initialProgress());
});

test('wget rates and durations', () => {
  assert.equal(parseWgetRate('512'), 512);
  assert.equal(parseWgetRate('1.5K'), 1536);
  assert.equal(parseWgetRate('2G'), 2 * 1024 ** 3);
  assert.equal(parseWgetRate('fast'), undefined);
  assert.equal(parseWgetDuration('19s'), 19);
  assert.equal(parseWgetDuration('1m30s'), 90);
  assert.equal(parseWgetDuration('2h5m'), 7500);
  assert.equal(parseWgetDuration('1d3h'), 97200);
  assert.equal(parseWgetDuration('soon'), undefined);
  assert.equal(parseWgetDuration(''), undefined);
});
