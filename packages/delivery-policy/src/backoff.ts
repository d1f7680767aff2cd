import {
  assertNonNegativeNumber,
  assertPositiveInteger,
} from './assert-argument';
import type { RetryPolicy } from './retry-policy';

/** Bounds of the random factor applied to a wait when jitter is on. */
export const JITTER_RANGE = Object.freeze({ min: 0.8, max: 1.2 });

/**
 * Computes the wait after the `attempt`-th failed attempt (1-based), in
 * milliseconds: `base·2^(n-1)` (exponential), `base·n` (linear) or `base`
 * (fixed), capped at `maxDelayMs`. With jitter on, the capped wait is
 * multiplied by a uniform factor in [0.8, 1.2] and capped again, so
 * `maxDelayMs` stays an upper bound and jitter at the cap only shortens it.
 *
 * @param random - source of uniform numbers in [0, 1]. @defaultValue `Math.random`
 * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` unless
 *   `attempt` is a positive integer
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  assertPositiveInteger('attempt', attempt);
  const cappedMs = cappedBackoffMs(policy, attempt);
  if (!policy.jitter) return Math.round(cappedMs);

  const { min, max } = JITTER_RANGE;
  const jitteredMs = Math.round(cappedMs * (min + (max - min) * random()));
  return Math.min(jitteredMs, policy.maxDelayMs);
}

/**
 * Computes the wait before the next attempt: the longer of the backoff and
 * the target's `Retry-After` (as returned by `parseRetryAfter`), capped at
 * `maxDelayMs`. An undefined `retryAfterMs` leaves the backoff alone.
 *
 * @param random - source of uniform numbers in [0, 1]. @defaultValue `Math.random`
 * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` unless
 *   `attempt` is a positive integer and `retryAfterMs` is undefined or >= 0
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoffMs = backoffDelayMs(policy, attempt, random);
  if (retryAfterMs === undefined) return backoffMs;

  assertNonNegativeNumber('retryAfterMs', retryAfterMs);
  const longerMs = Math.max(backoffMs, Math.ceil(retryAfterMs));
  return Math.min(longerMs, policy.maxDelayMs);
}

function cappedBackoffMs(policy: RetryPolicy, attempt: number): number {
  const { backoff, baseDelayMs, maxDelayMs } = policy;
  if (baseDelayMs <= 0) return 0;

  // The multiplier is capped at the first value that reaches maxDelayMs, so
  // the product stays finite for any attempt number.
  const ratio = maxDelayMs / baseDelayMs;
  switch (backoff) {
    case 'fixed':
      return Math.min(baseDelayMs, maxDelayMs);
    case 'linear':
      return Math.min(baseDelayMs * Math.min(attempt, ratio), maxDelayMs);
    case 'exponential': {
      const doublings = Math.max(0, Math.ceil(Math.log2(ratio)));
      const exponent = Math.min(attempt - 1, doublings);
      return Math.min(baseDelayMs * 2 ** exponent, maxDelayMs);
    }
  }
}
