import { parseRetryAfterSec } from '../src/retry-after';

const NOW_MS = Date.parse('2025-03-01T12:00:00Z');

describe('parseRetryAfterSec', () => {
  it.each([
    ['1', 1],
    ['0', 0],
    [' 120 ', 120],
    ['Sat, 01 Mar 2025 12:00:30 GMT', 30],
    ['Sat, 01 Mar 2025 11:59:00 GMT', 0],
  ])('reads %p as %i seconds', (header, expectedSec) => {
    expect(parseRetryAfterSec(header, NOW_MS)).toBe(expectedSec);
  });

  it('rounds a date up to the next whole second', () => {
    const header = new Date(NOW_MS + 1500).toUTCString();
    // toUTCString drops the milliseconds, so the date is 1 s ahead.
    expect(parseRetryAfterSec(header, NOW_MS - 200)).toBe(2);
  });

  it.each([[null], [undefined], [''], ['soon'], ['-1'], ['1.5']])(
    'returns undefined for %p',
    (header) => {
      expect(parseRetryAfterSec(header, NOW_MS)).toBeUndefined();
    },
  );
});
