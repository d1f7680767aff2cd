import { formatDuration, formatInteger } from '../src';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [950, '950ms'],
    [999, '999ms'],
    [999.4, '999ms'],
    [999.6, '1s'],
    [1000, '1s'],
    [1999, '1s'],
    [42_000, '42s'],
    [59_999, '59s'],
    [60_000, '1m 0s'],
    [125_000, '2m 5s'],
    [3_599_999, '59m 59s'],
    [3_600_000, '1h 0m'],
    [3_720_000, '1h 2m'],
    [86_399_999, '23h 59m'],
    [86_400_000, '1d 0h'],
    [273_600_000, '3d 4h'],
  ])('formats %p ms as %p', (durationMs, formatted) => {
    expect(formatDuration(durationMs)).toBe(formatted);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %p',
    (durationMs) => {
      expect(() => formatDuration(durationMs)).toThrow(RangeError);
    },
  );
});

describe('formatInteger', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [1_234_567, '1,234,567'],
    [-1234, '-1,234'],
    [-999, '-999'],
    [2.5, '3'],
    [-2.5, '-3'],
    [1234.4, '1,234'],
    [0.4, '0'],
    [-0.4, '0'],
    [1e21, '1,000,000,000,000,000,000,000'],
  ])('formats %p as %p', (value, formatted) => {
    expect(formatInteger(value)).toBe(formatted);
  });

  it.each([Number.NaN, Number.NEGATIVE_INFINITY])('rejects %p', (value) => {
    expect(() => formatInteger(value)).toThrow(RangeError);
  });
});
