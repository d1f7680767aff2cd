import {
  DEFAULT_RETRY_POLICY,
  RETRY_POLICY_LIMITS,
  resolveRetryPolicy,
  type RetryPolicy,
} from '../src';

function resolvedPolicy(partial: unknown): RetryPolicy {
  const result = resolveRetryPolicy(partial);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

describe('DEFAULT_RETRY_POLICY', () => {
  it('matches the documented defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxRetries: 10,
      backoff: 'exponential',
      baseDelayMs: 30_000,
      maxDelayMs: 7_200_000,
      jitter: true,
      retryOn: [408, 429, '5xx', 'timeout', 'connection_error'],
      giveUpAfterMs: 72 * 3_600_000,
    });
  });

  it('is frozen, retryOn included', () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.retryOn)).toBe(true);
  });
});

describe('resolveRetryPolicy', () => {
  describe('when options are missing', () => {
    it('returns the defaults for undefined', () => {
      expect(resolvedPolicy(undefined)).toBe(DEFAULT_RETRY_POLICY);
    });

    it('returns the defaults for an empty object', () => {
      expect(resolvedPolicy({})).toEqual(DEFAULT_RETRY_POLICY);
    });

    it('keeps the default of an option set to undefined', () => {
      const policy = resolvedPolicy({ maxRetries: undefined, jitter: false });
      expect(policy.maxRetries).toBe(10);
      expect(policy.jitter).toBe(false);
    });
  });

  describe('when some options are given', () => {
    it.each([
      [{ maxRetries: 3 }, { maxRetries: 3 }],
      [
        { backoff: 'linear', baseDelayMs: 1000 },
        { backoff: 'linear', baseDelayMs: 1000 },
      ],
      [{ jitter: false }, { jitter: false }],
      [{ giveUpAfterMs: 60_000 }, { giveUpAfterMs: 60_000 }],
      [{ maxDelayMs: 30_000 }, { maxDelayMs: 30_000 }],
    ])('merges %j field by field', (partial, changed) => {
      expect(resolvedPolicy(partial)).toEqual({
        ...DEFAULT_RETRY_POLICY,
        ...changed,
      });
    });

    it('replaces the default retryOn list', () => {
      expect(resolvedPolicy({ retryOn: [503] }).retryOn).toEqual([503]);
    });

    it('accepts an empty retryOn list', () => {
      expect(resolvedPolicy({ retryOn: [] }).retryOn).toEqual([]);
    });

    it('returns a frozen copy', () => {
      const retryOn = [500, 'timeout'];
      const policy = resolvedPolicy({ retryOn });
      retryOn.push(429);
      expect(Object.isFrozen(policy)).toBe(true);
      expect(Object.isFrozen(policy.retryOn)).toBe(true);
      expect(policy.retryOn).toEqual([500, 'timeout']);
    });
  });

  describe('when values sit on a limit', () => {
    it.each([
      { maxRetries: 0 },
      { maxRetries: RETRY_POLICY_LIMITS.maxRetries },
      { baseDelayMs: 0 },
      { baseDelayMs: 5000, maxDelayMs: 5000 },
      { maxDelayMs: RETRY_POLICY_LIMITS.maxDelayMs },
      { giveUpAfterMs: 0 },
      { giveUpAfterMs: RETRY_POLICY_LIMITS.giveUpAfterMs },
      { retryOn: [408, 429, 500, 599, '5xx', 'timeout', 'connection_error'] },
    ])('accepts %j', (partial) => {
      expect(resolveRetryPolicy(partial).ok).toBe(true);
    });
  });

  describe('when an option breaks a rule', () => {
    const integerRule = (max: number, got: string): string =>
      `must be an integer from 0 to ${max}, got ${got}`;
    const maxDelay = RETRY_POLICY_LIMITS.maxDelayMs;
    const giveUp = RETRY_POLICY_LIMITS.giveUpAfterMs;
    const conditionRule =
      'must be 408, 429, a status from 500 to 599, "5xx", "timeout" or "connection_error"';
    const statusRule =
      'must not name a 3xx status or a 4xx status other than 408 and 429';

    it.each<[string, unknown, string, string]>([
      ['null', null, 'retry', 'must be an object, got null'],
      ['an array', [], 'retry', 'must be an object, got an array'],
      ['a string', 'fast', 'retry', 'must be an object, got "fast"'],
      [
        'a negative maxRetries',
        { maxRetries: -1 },
        'retry.maxRetries',
        integerRule(100, '-1'),
      ],
      [
        'too many retries',
        { maxRetries: 101 },
        'retry.maxRetries',
        integerRule(100, '101'),
      ],
      [
        'a fractional maxRetries',
        { maxRetries: 1.5 },
        'retry.maxRetries',
        integerRule(100, '1.5'),
      ],
      [
        'a numeric string',
        { maxRetries: '3' },
        'retry.maxRetries',
        integerRule(100, '"3"'),
      ],
      [
        'an unknown backoff',
        { backoff: 'quadratic' },
        'retry.backoff',
        'must be "exponential", "linear" or "fixed", got "quadratic"',
      ],
      [
        'a negative baseDelayMs',
        { baseDelayMs: -5 },
        'retry.baseDelayMs',
        integerRule(maxDelay, '-5'),
      ],
      [
        'a maxDelayMs over 24 h',
        { maxDelayMs: maxDelay + 1 },
        'retry.maxDelayMs',
        integerRule(maxDelay, String(maxDelay + 1)),
      ],
      [
        'an infinite maxDelayMs',
        { maxDelayMs: Infinity },
        'retry.maxDelayMs',
        integerRule(maxDelay, 'Infinity'),
      ],
      [
        'a giveUpAfterMs over 30 days',
        { giveUpAfterMs: giveUp + 1 },
        'retry.giveUpAfterMs',
        integerRule(giveUp, String(giveUp + 1)),
      ],
      [
        'a non-boolean jitter',
        { jitter: 'yes' },
        'retry.jitter',
        'must be a boolean, got "yes"',
      ],
      [
        'a retryOn that is no array',
        { retryOn: '5xx' },
        'retry.retryOn',
        'must be an array, got "5xx"',
      ],
      [
        'a retryOn naming 404',
        { retryOn: [404] },
        'retry.retryOn[0]',
        `${statusRule}, got 404`,
      ],
      [
        'a retryOn naming 301',
        { retryOn: ['5xx', 301] },
        'retry.retryOn[1]',
        `${statusRule}, got 301`,
      ],
      [
        'a retryOn naming 200',
        { retryOn: [200] },
        'retry.retryOn[0]',
        `${conditionRule}, got 200`,
      ],
      [
        'a retryOn naming 600',
        { retryOn: [600] },
        'retry.retryOn[0]',
        `${conditionRule}, got 600`,
      ],
      [
        'a fractional status',
        { retryOn: [500.5] },
        'retry.retryOn[0]',
        `${conditionRule}, got 500.5`,
      ],
      [
        'an unknown condition',
        { retryOn: [408, 'timeouts'] },
        'retry.retryOn[1]',
        `${conditionRule}, got "timeouts"`,
      ],
      [
        'a base above the given max',
        { baseDelayMs: 5000, maxDelayMs: 1000 },
        'retry.baseDelayMs',
        'must not exceed maxDelayMs (1000), got 5000',
      ],
      [
        'an unknown key',
        { colour: 'red' },
        'retry.colour',
        'is not a retry option (known: maxRetries, backoff, baseDelayMs, maxDelayMs, jitter, retryOn, giveUpAfterMs)',
      ],
    ])('reports %s', (_label, partial, path, message) => {
      const result = resolveRetryPolicy(partial);
      expect(result).toEqual({ ok: false, issues: [{ path, message }] });
    });

    it('reports every issue at once', () => {
      const result = resolveRetryPolicy({
        maxRetries: -1,
        jitter: 1,
        extra: true,
      });
      const paths = result.ok ? [] : result.issues.map((issue) => issue.path);
      expect(paths).toEqual([
        'retry.maxRetries',
        'retry.jitter',
        'retry.extra',
      ]);
    });

    it('skips the order check when a delay is invalid', () => {
      const result = resolveRetryPolicy({ maxDelayMs: -1 });
      const paths = result.ok ? [] : result.issues.map((issue) => issue.path);
      expect(paths).toEqual(['retry.maxDelayMs']);
    });

    it('prefixes paths with the given path', () => {
      const result = resolveRetryPolicy(
        { maxRetries: -1 },
        'subscriptions[0].dispatch[1].retry',
      );
      const paths = result.ok ? [] : result.issues.map((issue) => issue.path);
      expect(paths).toEqual(['subscriptions[0].dispatch[1].retry.maxRetries']);
    });
  });
});

describe('resolveRetryPolicy with a cap alone', () => {
  // Regression: a cap below the 30 s default base used to be refused,
  // although the user never chose the base.
  it('lowers the default base to the cap', () => {
    const result = resolveRetryPolicy({ maxDelayMs: 3000 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.baseDelayMs).toBe(3000);
    expect(result.policy.maxDelayMs).toBe(3000);
  });
});
