/** Growth rule of the wait between attempts. */
export type BackoffKind = 'exponential' | 'linear' | 'fixed';

/**
 * An outcome that makes a failed attempt retryable: an HTTP status (408, 429
 * or 500 to 599), `'5xx'` for any status from 500 to 599, `'timeout'` or
 * `'connection_error'`.
 */
export type RetryCondition = number | '5xx' | 'timeout' | 'connection_error';

/**
 * When and how often a failed delivery is attempted again. Build one with
 * `resolveRetryPolicy`, which merges a partial policy with
 * {@link DEFAULT_RETRY_POLICY} and enforces {@link RETRY_POLICY_LIMITS}.
 */
export interface RetryPolicy {
  /**
   * Retries after the first attempt, so a delivery gets up to
   * `maxRetries + 1` attempts. At most 100.
   * @defaultValue 10
   */
  readonly maxRetries: number;
  /**
   * Growth of the wait: `base·2^(n-1)` (exponential), `base·n` (linear) or
   * `base` (fixed) after the n-th failed attempt.
   * @defaultValue `'exponential'`
   */
  readonly backoff: BackoffKind;
  /**
   * Wait after the first failed attempt, in milliseconds. At most
   * `maxDelayMs`.
   * @defaultValue 30000 (30 s)
   */
  readonly baseDelayMs: number;
  /**
   * Cap on any single wait, jitter and `Retry-After` included, in
   * milliseconds. At most 86400000 (24 h).
   * @defaultValue 7200000 (2 h)
   */
  readonly maxDelayMs: number;
  /**
   * Whether each wait is multiplied by a uniform random factor in [0.8, 1.2],
   * so that deliveries failed together do not retry together.
   * @defaultValue true
   */
  readonly jitter: boolean;
  /**
   * Outcomes that are retried. A 3xx is never retried, and the only 4xx
   * statuses allowed are 408 and 429. A list given replaces the default.
   * @defaultValue `[408, 429, '5xx', 'timeout', 'connection_error']`
   */
  readonly retryOn: readonly RetryCondition[];
  /**
   * Time after the delivery's creation, held time included, after which it is
   * dead-lettered as expired, in milliseconds. At most 2592000000 (30 days).
   * @defaultValue 259200000 (72 h)
   */
  readonly giveUpAfterMs: number;
}

/** The policy of a target that sets no `retry` options. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 10,
  backoff: 'exponential',
  baseDelayMs: 30_000,
  maxDelayMs: 7_200_000,
  jitter: true,
  retryOn: Object.freeze<RetryCondition[]>([
    408,
    429,
    '5xx',
    'timeout',
    'connection_error',
  ]),
  giveUpAfterMs: 259_200_000,
});

/**
 * Upper bounds that `resolveRetryPolicy` enforces. Every numeric field must
 * also be a non-negative integer, and `baseDelayMs` must not exceed
 * `maxDelayMs`.
 */
export const RETRY_POLICY_LIMITS = Object.freeze({
  /** Largest `maxRetries`. */
  maxRetries: 100,
  /** Largest `maxDelayMs` and `baseDelayMs`: 24 h. */
  maxDelayMs: 86_400_000,
  /** Largest `giveUpAfterMs`: 30 days. */
  giveUpAfterMs: 2_592_000_000,
});
