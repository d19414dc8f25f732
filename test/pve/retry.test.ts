import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, isTransient, withRetry, type RetryClock, type RetryPolicy } from '../../src/pve/retry.js';
import { DownloadError, NetworkError, ProxmoxError } from '../../src/errors.js';

/** A clock that only moves when slept on, recording every sleep. */
function fakeClock(): RetryClock & { sleeps: number[]; t: number } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 10_000 };
const server500 = () => new ProxmoxError('boom', { code: 'E_PVE_SERVER', status: 500 });

test('retries transient failures with growing, jittered delays until success', async () => {
  const clock = fakeClock();
  let calls = 0;
  const result = await withRetry(
    async (attempt) => {
      calls++;
      if (attempt < 4) throw attempt % 2 ? server500() : new NetworkError('refused', { code: 'E_NET_REFUSED' });
      return 'ok';
    },
    { policy, clock, random: () => 1 },
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 4);
  // random() = 1 gives the cap of each step: base * 2^(n-1)
  assert.deepEqual(clock.sleeps, [100, 200, 400]);
});

test('jitter stays within [0, cap] and the cap is bounded by maxDelayMs', () => {
  for (let retry = 1; retry <= 10; retry++) {
    const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
    assert.equal(backoffDelay(policy, retry, () => 0), 0);
    assert.equal(backoffDelay(policy, retry, () => 0.999999), cap - 1);
    assert.ok(backoffDelay(policy, retry, Math.random) <= cap);
  }
});

test('never retries 4xx, TLS, auth or checksum failures', async () => {
  for (const error of [
    new ProxmoxError('forbidden', { code: 'E_PVE_PERMISSION', status: 403 }),
    new ProxmoxError('bad param', { code: 'E_PVE_PARAMETER', status: 400 }),
    new ProxmoxError('storage missing', { code: 'E_PVE_STORAGE_NOT_FOUND', status: 500 }),
    new NetworkError('tls', { code: 'E_NET_TLS' }),
    new DownloadError('checksum mismatch', { code: 'E_TASK_CHECKSUM' }),
    new Error('bug'),
  ]) {
    const clock = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw error;
      }, { policy, clock }),
      (e) => e === error,
    );
    assert.equal(calls, 1, error.message);
    assert.equal(isTransient(error), false);
  }
});

test('gives up after maxAttempts and rethrows the last error', async () => {
  const clock = fakeClock();
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw server500();
    }, { policy, clock, random: () => 0.5 }),
    /boom/,
  );
  assert.equal(calls, policy.maxAttempts);
});

test('gives up when the next wait would pass maxTotalMs', async () => {
  const clock = fakeClock();
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      clock.t += 3_000; // each attempt takes 3 s
      throw new NetworkError('timeout', { code: 'E_NET_TIMEOUT' });
    }, { policy: { ...policy, maxAttempts: 100 }, clock, random: () => 1 }),
  );
  assert.ok(clock.t <= policy.maxTotalMs + 3_000, `ran ${clock.t} ms`);
  assert.ok(calls >= 2 && calls <= 4, `calls ${calls}`);
});

test('an aborted signal stops retrying', async () => {
  const ac = new AbortController();
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      ac.abort(new Error('interrupted'));
      throw server500();
    }, { policy, clock: fakeClock(), signal: ac.signal }),
    /boom/,
  );
  assert.equal(calls, 1);
});

test('59x hop failures are transient, 5xx classified as permanent are not', () => {
  assert.equal(isTransient(new ProxmoxError('hop', { code: 'E_PVE_PROXY_HOP', status: 595 })), true);
  assert.equal(isTransient(new ProxmoxError('fqdn', { code: 'E_PVE_NODE_NAME', status: 596 })), false);
  assert.equal(isTransient(new ProxmoxError('no iso', { code: 'E_PVE_STORAGE_NO_ISO', status: 500 })), false);
});
