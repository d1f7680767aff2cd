import { retryDelayMs, type BackoffSettings } from '../src/retry-delay';

const SETTINGS: BackoffSettings = {
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
};

describe('retryDelayMs', () => {
  it.each([
    // retry, retryAfterSec, random, expected wait
    [1, undefined, 0, 250],
    [1, undefined, 0.999_999, 500],
    [2, undefined, 0, 500],
    [2, undefined, 0.5, 750],
    [3, undefined, 0.999_999, 2000],
    [7, undefined, 0, 15_000],
    [7, undefined, 0.999_999, 30_000],
    [60, undefined, 0.999_999, 30_000],
    [1, 0, 0, 250],
    [1, 1, 0, 1000],
    [1, 1, 0.999_999, 1000],
    [5, 1, 0, 4000],
    [1, 30, 0, 30_000],
  ])(
    'waits for retry %i with Retry-After %p and random %p: %i ms',
    (retry, retryAfterSec, random, expectedMs) => {
      expect(retryDelayMs(retry, retryAfterSec, SETTINGS, () => random)).toBe(
        expectedMs,
      );
    },
  );

  it('gives up when Retry-After is longer than the maximum delay', () => {
    expect(retryDelayMs(1, 31, SETTINGS, () => 0)).toBeUndefined();
  });

  it('returns 0 when the base delay is 0 and no Retry-After is set', () => {
    const settings = { retryBaseDelayMs: 0, retryMaxDelayMs: 0 };
    expect(retryDelayMs(3, undefined, settings, () => 0.7)).toBe(0);
  });

  it('keeps every jittered wait within the upper half of the backoff', () => {
    for (let draw = 0; draw < 200; draw += 1) {
      const waitMs = retryDelayMs(4, undefined, SETTINGS);
      expect(waitMs).toBeGreaterThanOrEqual(2000);
      expect(waitMs).toBeLessThanOrEqual(4000);
    }
  });
});
