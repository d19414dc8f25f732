// Retry policy for transient failures: exponential backoff with full jitter, bounded in attempts
// and in total time. Only failures that can heal by themselves are retried: connection errors,
// timeouts and 5xx/59x answers that were not classified as a permanent Proxmox error. A 4xx, a
// TLS or authentication failure, or a checksum mismatch is never retried.

import { NetworkError, ProxmoxError } from '../errors.js';

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** Delay cap before the first retry; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts after this much time since the first attempt. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxTotalMs: 60_000 };

export interface RetryClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Error codes of network failures that may heal by themselves (TLS and DNS problems do not). */
const TRANSIENT_NETWORK_CODES = new Set(['E_NET_REFUSED', 'E_NET_RESET', 'E_NET_TIMEOUT', 'E_NET_UNREACHABLE']);
/** Proxmox error codes that are server-side hiccups rather than a verdict about the request. */
const TRANSIENT_PROXMOX_CODES = new Set(['E_PVE_SERVER', 'E_PVE_PROXY_HOP']);

/** Whether an error is worth another attempt. */
export function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError) return TRANSIENT_NETWORK_CODES.has(error.code);
  if (error instanceof ProxmoxError) return TRANSIENT_PROXMOX_CODES.has(error.code) && (error.status ?? 0) >= 500;
  return false;
}

/** Delay before retry number `retry` (1-based): uniform in [0, min(max, base * 2^(retry-1))]. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * cap);
}

export interface RetryOptions {
  policy?: RetryPolicy;
  clock?: RetryClock;
  random?: () => number;
  signal?: AbortSignal;
  /** Decides what is retried (default: isTransient). */
  retryable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log `retrying in 1.2 s`. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/** Runs `fn` until it succeeds, fails permanently, or the policy's attempts or time are used up. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const clock = options.clock ?? realClock;
  const retryable = options.retryable ?? isTransient;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (attempt >= policy.maxAttempts || !retryable(error)) throw error;
      const delayMs = backoffDelay(policy, attempt, options.random);
      if (clock.now() - started + delayMs > policy.maxTotalMs) throw error;
      options.onRetry?.({ error, attempt, delayMs });
      await clock.sleep(delayMs, options.signal);
    }
  }
}
