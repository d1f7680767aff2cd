import fc from 'fast-check';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  DELIVERY_POLICY_ERROR_CODES,
  RETRY_POLICY_LIMITS,
  resolveRetryPolicy,
  retryDelayMs,
  type BackoffKind,
  type RetryPolicy,
} from '../src';

function policyWith(changes: Partial<RetryPolicy>): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, jitter: false, ...changes };
}

const unreachableMaxMs = 100_000_000;

describe('backoffDelayMs', () => {
  describe('without jitter', () => {
    it.each<[BackoffKind, number, number]>([
      ['exponential', 1, 1000],
      ['exponential', 2, 2000],
      ['exponential', 3, 4000],
      ['exponential', 10, 512_000],
      ['linear', 1, 1000],
      ['linear', 2, 2000],
      ['linear', 5, 5000],
      ['linear', 40, 40_000],
      ['fixed', 1, 1000],
      ['fixed', 7, 1000],
    ])('waits per %s backoff after attempt %i: %i ms', (backoff, n, ms) => {
      const policy = policyWith({
        backoff,
        baseDelayMs: 1000,
        maxDelayMs: unreachableMaxMs,
      });
      expect(backoffDelayMs(policy, n)).toBe(ms);
    });

    it.each<[BackoffKind, number, number]>([
      ['exponential', 3, 4000],
      ['exponential', 4, 5000],
      ['exponential', 1000, 5000],
      ['exponential', Number.MAX_SAFE_INTEGER, 5000],
      ['linear', 5, 5000],
      ['linear', 6, 5000],
      ['linear', Number.MAX_SAFE_INTEGER, 5000],
      ['fixed', 1, 1000],
    ])('caps %s backoff at attempt %i to %i ms', (backoff, n, ms) => {
      const policy = policyWith({
        backoff,
        baseDelayMs: 1000,
        maxDelayMs: 5000,
      });
      expect(backoffDelayMs(policy, n)).toBe(ms);
    });

    it('caps a base that does not divide the max', () => {
      const policy = policyWith({ baseDelayMs: 3000, maxDelayMs: 10_000 });
      expect(backoffDelayMs(policy, 2)).toBe(6000);
      expect(backoffDelayMs(policy, 3)).toBe(10_000);
      expect(backoffDelayMs({ ...policy, backoff: 'linear' }, 4)).toBe(10_000);
    });

    it('waits 0 ms for a zero base', () => {
      const policy = policyWith({ baseDelayMs: 0 });
      expect(backoffDelayMs(policy, 1)).toBe(0);
      expect(backoffDelayMs(policy, 50)).toBe(0);
    });

    it('sums the default schedule to 22 050 s', () => {
      const policy = policyWith({});
      const attempts = Array.from(
        { length: policy.maxRetries },
        (_, i) => i + 1,
      );
      const totalMs = attempts.reduce(
        (sum, n) => sum + backoffDelayMs(policy, n),
        0,
      );
      expect(totalMs).toBe(22_050_000);
    });

    it('never calls random', () => {
      const random = jest.fn(() => 0.5);
      backoffDelayMs(policyWith({}), 3, random);
      expect(random).not.toHaveBeenCalled();
    });
  });

  describe('with jitter', () => {
    const jittered = policyWith({
      jitter: true,
      baseDelayMs: 1000,
      maxDelayMs: 5000,
    });

    it.each([
      [0, 1600],
      [0.5, 2000],
      [1, 2400],
    ])('scales the wait when random returns %d: %i ms', (value, ms) => {
      expect(backoffDelayMs(jittered, 2, () => value)).toBe(ms);
    });

    it.each([
      [0, 4000],
      [0.5, 5000],
      [1, 5000],
    ])('stays within the cap when random returns %d: %i ms', (value, ms) => {
      expect(backoffDelayMs(jittered, 10, () => value)).toBe(ms);
    });

    it('rounds to whole milliseconds', () => {
      const policy = { ...jittered, baseDelayMs: 333 };
      expect(backoffDelayMs(policy, 1, () => 0.3)).toBe(306);
    });
  });

  describe('when the attempt is invalid', () => {
    it.each([0, -1, 1.5, Number.NaN, Infinity])('rejects %d', (attempt) => {
      expect(() => backoffDelayMs(DEFAULT_RETRY_POLICY, attempt)).toThrow(
        expect.objectContaining({
          code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
        }),
      );
    });
  });
});

describe('retryDelayMs', () => {
  const policy = policyWith({ baseDelayMs: 1000, maxDelayMs: 60_000 });

  it.each<[string, number | undefined, number]>([
    ['no Retry-After', undefined, 1000],
    ['a longer Retry-After', 2000, 2000],
    ['a shorter Retry-After', 500, 1000],
    ['a Retry-After of 0', 0, 1000],
    ['a fractional Retry-After', 1500.2, 1501],
    ['a Retry-After beyond the cap', 86_400_000, 60_000],
    ['an infinite Retry-After', Infinity, 60_000],
  ])('waits the longer one for %s', (_label, retryAfterMs, ms) => {
    expect(retryDelayMs(policy, 1, retryAfterMs)).toBe(ms);
  });

  it('passes random to the backoff', () => {
    const jittered = { ...policy, jitter: true };
    expect(retryDelayMs(jittered, 1, undefined, () => 1)).toBe(1200);
  });

  it.each([-1, Number.NaN])('rejects a Retry-After of %d', (retryAfterMs) => {
    expect(() => retryDelayMs(policy, 1, retryAfterMs)).toThrow(
      expect.objectContaining({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      }),
    );
  });
});

describe('backoff properties', () => {
  const { maxDelayMs: delayLimit, maxRetries: retryLimit } =
    RETRY_POLICY_LIMITS;

  const validPolicy = fc
    .record({
      maxRetries: fc.integer({ min: 0, max: retryLimit }),
      backoff: fc.constantFrom<BackoffKind>('exponential', 'linear', 'fixed'),
      delays: fc
        .tuple(
          fc.integer({ min: 0, max: delayLimit }),
          fc.integer({ min: 0, max: delayLimit }),
        )
        .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
      jitter: fc.boolean(),
    })
    .map(({ delays: [baseDelayMs, maxDelayMs], ...rest }) => ({
      ...DEFAULT_RETRY_POLICY,
      ...rest,
      baseDelayMs,
      maxDelayMs,
    }));

  const attempt = fc.oneof(
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  );
  const unitInterval = fc.double({ min: 0, max: 1, noNaN: true });

  it('generates only valid policies', () => {
    fc.assert(
      fc.property(validPolicy, (policy) => {
        expect(resolveRetryPolicy(policy).ok).toBe(true);
      }),
    );
  });

  it('keeps every delay between 0 and maxDelayMs', () => {
    fc.assert(
      fc.property(validPolicy, attempt, unitInterval, (policy, n, value) => {
        const delayMs = backoffDelayMs(policy, n, () => value);
        expect(Number.isInteger(delayMs)).toBe(true);
        expect(delayMs).toBeGreaterThanOrEqual(0);
        expect(delayMs).toBeLessThanOrEqual(policy.maxDelayMs);
      }),
    );
  });

  it('never shortens the wait as attempts grow', () => {
    const growing = validPolicy.filter((policy) => policy.backoff !== 'fixed');
    fc.assert(
      fc.property(growing, attempt, attempt, (policy, a, b) => {
        const steady = { ...policy, jitter: false };
        const [earlier, later] = a <= b ? [a, b] : [b, a];
        expect(backoffDelayMs(steady, earlier)).toBeLessThanOrEqual(
          backoffDelayMs(steady, later),
        );
      }),
    );
  });
});
