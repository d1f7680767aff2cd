/** The backoff settings that {@link retryDelayMs} reads. */
export interface BackoffSettings {
  /** Backoff before the first retry, in milliseconds. */
  readonly retryBaseDelayMs: number;
  /** Maximum backoff, and maximum `Retry-After` worth waiting for, in ms. */
  readonly retryMaxDelayMs: number;
}

/**
 * Computes the wait before retry number `retry` (1-based), in milliseconds.
 * The backoff is `retryBaseDelayMs · 2^(retry-1)`, capped at
 * `retryMaxDelayMs`. Jitter then draws the wait uniformly from the upper
 * half of the backoff, so clients that failed together spread out. A
 * `Retry-After` is a lower bound on the wait.
 *
 * @param random - source of uniform numbers in [0, 1). @defaultValue `Math.random`
 * @returns the wait, or undefined when `retryAfterSec` is longer than
 *   `retryMaxDelayMs`, which means the caller should give up now
 */
export function retryDelayMs(
  retry: number,
  retryAfterSec: number | undefined,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number | undefined {
  const retryAfterMs = (retryAfterSec ?? 0) * 1000;
  if (retryAfterMs > settings.retryMaxDelayMs) return undefined;

  const backoffMs = cappedBackoffMs(retry, settings);
  const jitteredMs = Math.round(backoffMs / 2 + (backoffMs / 2) * random());
  return Math.max(jitteredMs, retryAfterMs);
}

function cappedBackoffMs(retry: number, settings: BackoffSettings): number {
  const { retryBaseDelayMs, retryMaxDelayMs } = settings;
  // Past 2^30 the product only grows beyond any cap, so stop doubling there.
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  return Math.min(retryBaseDelayMs * 2 ** exponent, retryMaxDelayMs);
}
