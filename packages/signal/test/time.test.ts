import { isRfc3339Timestamp } from '../src';

describe('isRfc3339Timestamp', () => {
  it.each([
    '2024-05-01T12:00:00Z',
    '2024-05-01T12:00:00.123+02:00',
    '2024-05-01T12:00:00.123456789Z',
    '2024-05-01t12:00:00z',
    '2024-05-01T12:00:00-00:00',
    '2024-05-01T23:59:59+23:59',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ])('accepts %j', (value) => {
    expect(isRfc3339Timestamp(value)).toBe(true);
  });

  it.each([
    ['a date only', '2024-05-01'],
    ['a word', 'yesterday'],
    ['month 13', '2024-13-01T00:00:00Z'],
    ['month 00', '2024-00-01T00:00:00Z'],
    ['day 00', '2024-05-00T00:00:00Z'],
    ['April 31', '2024-04-31T00:00:00Z'],
    ['February 29 of a common year', '2023-02-29T00:00:00Z'],
    ['February 29 of 1900', '1900-02-29T00:00:00Z'],
    ['hour 24', '2024-05-01T24:00:00Z'],
    ['minute 60', '2024-05-01T12:60:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['a missing offset', '2024-05-01T12:00:00'],
    ['an offset without a colon', '2024-05-01T12:00:00+0200'],
    ['offset hour 24', '2024-05-01T12:00:00+24:00'],
    ['a space instead of T', '2024-05-01 12:00:00Z'],
    ['a fraction without digits', '2024-05-01T12:00:00.Z'],
    ['missing seconds', '2024-05-01T12:00Z'],
    ['a two-digit year', '24-05-01T12:00:00Z'],
    ['trailing text', '2024-05-01T12:00:00Z extra'],
    ['a leading space', ' 2024-05-01T12:00:00Z'],
    ['an empty string', ''],
  ])('rejects %s', (_label, value) => {
    expect(isRfc3339Timestamp(value)).toBe(false);
  });
});
