import {
  decideAfterFailure,
  DEFAULT_RETRY_POLICY,
  DELIVERY_POLICY_ERROR_CODES,
  isRetryable,
  type AttemptOutcome,
  type FailedAttempt,
  type RetryPolicy,
} from '../src';

const http = (status: number): AttemptOutcome => ({ kind: 'http', status });
const timeout: AttemptOutcome = { kind: 'timeout' };
const connection: AttemptOutcome = { kind: 'connection' };
const refusedTarget: AttemptOutcome = { kind: 'refused_target' };

describe('isRetryable', () => {
  describe('with the default policy', () => {
    it.each<[string, AttemptOutcome, boolean]>([
      ['500', http(500), true],
      ['503', http(503), true],
      ['599', http(599), true],
      ['408', http(408), true],
      ['429', http(429), true],
      ['400', http(400), false],
      ['404', http(404), false],
      ['410', http(410), false],
      ['301', http(301), false],
      ['304', http(304), false],
      ['200', http(200), false],
      ['600', http(600), false],
      ['a timeout', timeout, true],
      ['a connection error', connection, true],
      ['a rejected target', refusedTarget, false],
    ])('treats %s as retryable: %s', (_label, outcome, expected) => {
      expect(isRetryable(DEFAULT_RETRY_POLICY, outcome)).toBe(expected);
    });
  });

  describe('with an exact retryOn list', () => {
    const policy: RetryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      retryOn: [503, 'timeout'],
    };

    it.each<[string, AttemptOutcome, boolean]>([
      ['the listed 503', http(503), true],
      ['an unlisted 500', http(500), false],
      ['an unlisted 429', http(429), false],
      ['a listed timeout', timeout, true],
      ['an unlisted connection error', connection, false],
      ['a rejected target', refusedTarget, false],
    ])('treats %s as retryable: %s', (_label, outcome, expected) => {
      expect(isRetryable(policy, outcome)).toBe(expected);
    });
  });

  it('never retries a 3xx even when listed', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, retryOn: [302] };
    expect(isRetryable(policy, http(302))).toBe(false);
  });
});

describe('decideAfterFailure', () => {
  const hourMs = 3_600_000;
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: 3,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    jitter: false,
    giveUpAfterMs: hourMs,
  };
  const failure = (changes: Partial<FailedAttempt>): FailedAttempt => ({
    attempt: 1,
    outcome: http(500),
    createdAtMs: 0,
    nowMs: 1000,
    ...changes,
  });

  describe('when the target answers 410', () => {
    it('dead-letters the delivery as gone', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ outcome: http(410) }),
      );
      expect(decision).toEqual({ action: 'dead_letter', reason: 'gone' });
    });

    it('reports gone even after the last attempt', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ outcome: http(410), attempt: 4 }),
      );
      expect(decision).toEqual({ action: 'dead_letter', reason: 'gone' });
    });
  });

  describe('when the outcome is not retryable', () => {
    it.each<[string, AttemptOutcome]>([
      ['a 404', http(404)],
      ['a 301', http(301)],
      ['a rejected target', refusedTarget],
    ])('dead-letters %s', (_label, outcome) => {
      expect(decideAfterFailure(policy, failure({ outcome }))).toEqual({
        action: 'dead_letter',
        reason: 'non_retryable_status',
      });
    });

    it('dead-letters a timeout that retryOn leaves out', () => {
      const strict = { ...policy, retryOn: ['5xx' as const] };
      expect(decideAfterFailure(strict, failure({ outcome: timeout }))).toEqual(
        { action: 'dead_letter', reason: 'non_retryable_status' },
      );
    });
  });

  describe('when attempts are used up', () => {
    it('retries after attempt maxRetries', () => {
      expect(decideAfterFailure(policy, failure({ attempt: 3 }))).toEqual({
        action: 'retry',
        delayMs: 4000,
      });
    });

    it('dead-letters after attempt maxRetries + 1', () => {
      expect(decideAfterFailure(policy, failure({ attempt: 4 }))).toEqual({
        action: 'dead_letter',
        reason: 'retries_exhausted',
      });
    });

    it('allows a single attempt for maxRetries 0', () => {
      const once = { ...policy, maxRetries: 0 };
      expect(decideAfterFailure(once, failure({ attempt: 1 }))).toEqual({
        action: 'dead_letter',
        reason: 'retries_exhausted',
      });
    });
  });

  describe('when the retry would start after giveUpAfterMs', () => {
    it('retries when it starts exactly at the deadline', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ createdAtMs: 5000, nowMs: 5000 + hourMs - 1000 }),
      );
      expect(decision).toEqual({ action: 'retry', delayMs: 1000 });
    });

    it('dead-letters it as expired one millisecond later', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ createdAtMs: 5000, nowMs: 5000 + hourMs - 999 }),
      );
      expect(decision).toEqual({ action: 'dead_letter', reason: 'expired' });
    });

    it('counts Retry-After towards the deadline', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ nowMs: hourMs - 10_000, retryAfterMs: 20_000 }),
      );
      expect(decision).toEqual({ action: 'dead_letter', reason: 'expired' });
    });
  });

  describe('when the delivery is retried', () => {
    it('waits for Retry-After', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ outcome: http(429), retryAfterMs: 30_000 }),
      );
      expect(decision).toEqual({ action: 'retry', delayMs: 30_000 });
    });

    it('uses the given random for jitter', () => {
      const jittered = { ...policy, jitter: true };
      const decision = decideAfterFailure(
        jittered,
        failure({ attempt: 2, random: () => 0 }),
      );
      expect(decision).toEqual({ action: 'retry', delayMs: 1600 });
    });

    it('retries a connection error', () => {
      const decision = decideAfterFailure(
        policy,
        failure({ outcome: connection }),
      );
      expect(decision).toEqual({ action: 'retry', delayMs: 1000 });
    });
  });

  it.each([0, -2, 1.5])('rejects attempt %d', (attempt) => {
    expect(() => decideAfterFailure(policy, failure({ attempt }))).toThrow(
      expect.objectContaining({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      }),
    );
  });
});
