import {
  DEFAULT_RETRY_POLICY,
  DELIVERY_POLICY_ERROR_CODES,
  parseHttpDate,
  parseRetryAfter,
  retryDelayMs,
} from '../src';

const now = new Date('2024-03-01T12:00:00.000Z');

describe('parseRetryAfter', () => {
  describe('with delta-seconds', () => {
    it.each([
      ['2', 2000],
      ['0', 0],
      ['120', 120_000],
      [' 120 ', 120_000],
      ['86400', 86_400_000],
      ['007', 7000],
    ])('reads %j as %i ms', (value, ms) => {
      expect(parseRetryAfter(value, now)).toBe(ms);
    });

    it('caps an enormous delay at the largest safe integer', () => {
      expect(parseRetryAfter('9'.repeat(400), now)).toBe(
        Number.MAX_SAFE_INTEGER,
      );
    });
  });

  describe('with an HTTP date', () => {
    it.each([
      ['IMF-fixdate', 'Fri, 01 Mar 2024 12:00:03 GMT'],
      ['RFC 850', 'Friday, 01-Mar-24 12:00:03 GMT'],
      ['asctime', 'Fri Mar  1 12:00:03 2024'],
    ])('reads a %s date 3 s ahead as 3000 ms', (_form, value) => {
      expect(parseRetryAfter(value, now)).toBe(3000);
    });

    it('reads a past date as 0', () => {
      const value = 'Thu, 29 Feb 2024 12:00:00 GMT';
      expect(parseRetryAfter(value, now)).toBe(0);
    });

    it('reads a date a day ahead', () => {
      const value = 'Sat, 02 Mar 2024 12:00:00 GMT';
      expect(parseRetryAfter(value, now)).toBe(86_400_000);
    });
  });

  describe('with an unparsable value', () => {
    it.each([
      'soon',
      '-1',
      '1.5',
      '',
      '   ',
      '1e3',
      '0x10',
      '+5',
      '2024-03-01T12:00:03Z',
      'Fri, 01 Mar 2024 12:00:03 UTC',
    ])('ignores %j', (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    });

    it('ignores a missing header', () => {
      expect(parseRetryAfter(undefined, now)).toBeUndefined();
    });
  });

  it('rejects an invalid now', () => {
    expect(() => parseRetryAfter('2', new Date(Number.NaN))).toThrow(
      expect.objectContaining({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      }),
    );
  });

  it('lets retryDelayMs cap a day-long Retry-After', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: false };
    const retryAfterMs = parseRetryAfter('86400', now);
    expect(retryDelayMs(policy, 1, retryAfterMs)).toBe(policy.maxDelayMs);
  });

  it('lets retryDelayMs ignore an unparsable Retry-After', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: false };
    const retryAfterMs = parseRetryAfter('soon', now);
    expect(retryDelayMs(policy, 1, retryAfterMs)).toBe(policy.baseDelayMs);
  });
});

describe('parseHttpDate', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sun Nov  6 08:49:37 1994', '1994-11-06T08:49:37.000Z'],
    ['Sun Nov 06 08:49:37 1994', '1994-11-06T08:49:37.000Z'],
    ['Thu, 29 Feb 2024 00:00:00 GMT', '2024-02-29T00:00:00.000Z'],
    ['Sat, 31 Dec 2016 23:59:60 GMT', '2017-01-01T00:00:00.000Z'],
    ['Mon, 01 Jan 0050 00:00:00 GMT', '0050-01-01T00:00:00.000Z'],
  ])('parses %j', (value, iso) => {
    expect(parseHttpDate(value, now)).toBe(Date.parse(iso));
  });

  it.each([
    ['24', '2024'],
    ['74', '2074'],
    ['75', '1975'],
    ['99', '1999'],
  ])('reads the RFC 850 year %s as %s in 2024', (twoDigits, year) => {
    const value = `Friday, 01-Mar-${twoDigits} 00:00:00 GMT`;
    const parsed = parseHttpDate(value, now);
    expect(
      parsed === undefined ? undefined : new Date(parsed).getUTCFullYear(),
    ).toBe(Number(year));
  });

  it('does not check the weekday against the date', () => {
    const value = 'Mon, 06 Nov 1994 08:49:37 GMT';
    expect(parseHttpDate(value, now)).toBe(Date.parse('1994-11-06T08:49:37Z'));
  });

  it.each([
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'sun, 06 nov 1994 08:49:37 gmt',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 00 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    'Sun, 06 Nov 1994 08:49:61 GMT',
    'Sunday, 06-Nov-1994 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT trailing',
    'Sun, 06 Nov 1994',
  ])('rejects %j', (value) => {
    expect(parseHttpDate(value, now)).toBeUndefined();
  });
});
