import { assertPositiveInteger } from './assert-argument';
import { retryDelayMs } from './backoff';
import type { RetryPolicy } from './retry-policy';

/**
 * The result of one failed delivery attempt: an HTTP status other than 2xx,
 * a timeout, a connection error, or a target rejected before any request was
 * sent because an address it resolves to is not allowed.
 */
export type AttemptOutcome =
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connection' }
  | { readonly kind: 'refused_target' };

/** Reason a delivery is dead-lettered after a failed attempt. */
export type DeadLetterReason =
  'retries_exhausted' | 'non_retryable_status' | 'expired' | 'gone';

/** Next step for a delivery after a failed attempt: retry or dead-letter. */
export type FailureDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'dead_letter'; readonly reason: DeadLetterReason };

/** A failed attempt and the clock readings the decision depends on. */
export interface FailedAttempt {
  /** Number of the attempt that failed, from 1. */
  readonly attempt: number;
  /** Kind of failure. */
  readonly outcome: AttemptOutcome;
  /**
   * Wait requested by the target's `Retry-After`, in milliseconds, as
   * returned by `parseRetryAfter`.
   * @defaultValue undefined: the backoff alone
   */
  readonly retryAfterMs?: number | undefined;
  /** Creation time of the delivery, in milliseconds since the epoch. */
  readonly createdAtMs: number;
  /** Current time, in milliseconds since the epoch. */
  readonly nowMs: number;
  /**
   * Source of uniform numbers in [0, 1] for jitter.
   * @defaultValue `Math.random`
   */
  readonly random?: (() => number) | undefined;
}

/**
 * Tells whether the policy retries an attempt that ended this way. A 3xx and
 * a rejected target are never retried. A 4xx is retried only when its status
 * is listed in `retryOn`, and a 5xx when `'5xx'` or its status is listed.
 */
export function isRetryable(
  policy: RetryPolicy,
  outcome: AttemptOutcome,
): boolean {
  switch (outcome.kind) {
    case 'http':
      return isRetryableStatus(policy, outcome.status);
    case 'timeout':
      return policy.retryOn.includes('timeout');
    case 'connection':
      return policy.retryOn.includes('connection_error');
    case 'refused_target':
      return false;
  }
}

/**
 * Decides between a retry and the dead-letter queue after a failed attempt.
 * The checks run in this order: a 410 means `gone`, an outcome the policy
 * does not retry means `non_retryable_status`, an attempt number above
 * `maxRetries` means `retries_exhausted`, and a retry that would start after
 * `createdAtMs + giveUpAfterMs` means `expired`. Otherwise the delivery is
 * retried after `retryDelayMs`.
 *
 * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` unless
 *   `attempt` is a positive integer and `retryAfterMs` is undefined or >= 0
 */
export function decideAfterFailure(
  policy: RetryPolicy,
  failure: FailedAttempt,
): FailureDecision {
  const { attempt, outcome } = failure;
  assertPositiveInteger('attempt', attempt);
  if (outcome.kind === 'http' && outcome.status === 410) {
    return deadLetter('gone');
  }
  if (!isRetryable(policy, outcome)) return deadLetter('non_retryable_status');
  if (attempt > policy.maxRetries) return deadLetter('retries_exhausted');

  const { retryAfterMs, random } = failure;
  const delayMs = retryDelayMs(policy, attempt, retryAfterMs, random);
  const giveUpAtMs = failure.createdAtMs + policy.giveUpAfterMs;
  if (failure.nowMs + delayMs > giveUpAtMs) return deadLetter('expired');
  return { action: 'retry', delayMs };
}

function isRetryableStatus(policy: RetryPolicy, status: number): boolean {
  if (status >= 500 && status <= 599) {
    return policy.retryOn.includes('5xx') || policy.retryOn.includes(status);
  }
  if (status >= 400 && status <= 499) return policy.retryOn.includes(status);
  return false;
}

function deadLetter(reason: DeadLetterReason): FailureDecision {
  return { action: 'dead_letter', reason };
}
