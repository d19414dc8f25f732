import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Watchdog, parseDuration } from '../../src/provision/watchdog.js';
import { UsageError } from '../../src/errors.js';

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('no progress for stallMs is a stall; progress resets the timer', () => {
  const c = clock();
  const w = new Watchdog({ stallMs: 5000, now: c.now });
  w.observe('0');
  c.advance(4999);
  assert.deepEqual(w.verdict(), { kind: 'ok' });
  w.observe('1');
  c.advance(4999);
  assert.deepEqual(w.verdict(), { kind: 'ok' });
  w.observe('1'); // same mark: not progress
  c.advance(1);
  assert.deepEqual(w.verdict(), { kind: 'stalled', idleMs: 5000 });
});

test('the overall timeout fires even while progress continues', () => {
  const c = clock();
  const w = new Watchdog({ stallMs: 5000, overallMs: 12_000, now: c.now });
  for (let i = 0; i < 2; i++) {
    c.advance(4000);
    w.observe(String(i));
    assert.equal(w.verdict().kind, 'ok');
  }
  c.advance(4000);
  w.observe('2');
  assert.equal(w.msUntilDeadline(), 0);
  assert.deepEqual(w.verdict(), { kind: 'timeout', elapsedMs: 12_000 });
});

test('disabled limits never fire', () => {
  const c = clock();
  const w = new Watchdog({ now: c.now });
  c.advance(10 ** 9);
  assert.deepEqual(w.verdict(), { kind: 'ok' });
  assert.equal(w.msUntilDeadline(), Infinity);
});

test('msUntilDeadline is the nearer of the two deadlines', () => {
  const c = clock();
  const w = new Watchdog({ stallMs: 3000, overallMs: 10_000, now: c.now });
  c.advance(1000);
  assert.equal(w.msUntilDeadline(), 2000); // stall is nearer
  for (let i = 0; i < 4; i++) {
    c.advance(2000);
    w.observe(String(i));
  }
  assert.equal(w.msUntilDeadline(), 1000); // elapsed 9000: overall is nearer than the stall (3000)
});

test('durations for --stall-timeout and --download-timeout', () => {
  assert.equal(parseDuration('90', '--stall-timeout'), 90_000);
  assert.equal(parseDuration('90s', '--stall-timeout'), 90_000);
  assert.equal(parseDuration('5m', '--stall-timeout'), 300_000);
  assert.equal(parseDuration('1h30m', '--stall-timeout'), 5_400_000);
  assert.equal(parseDuration('250ms', '--stall-timeout'), 250);
  assert.equal(parseDuration('none', '--download-timeout'), 0);
  assert.equal(parseDuration('0', '--download-timeout'), 0);
  assert.throws(() => parseDuration('soon', '--stall-timeout'), (e: unknown) => e instanceof UsageError && /--stall-timeout 'soon'/.test(e.message));
  assert.throws(() => parseDuration('', '--stall-timeout'), UsageError);
});
