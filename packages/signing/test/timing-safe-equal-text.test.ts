import { timingSafeEqualText } from '@signalpost/signing';

const CASES: [string, string, string, boolean][] = [
  ['equal signatures', 'v1,abc=', 'v1,abc=', true],
  ['two empty strings', '', '', true],
  ['equal non-ASCII text', 'café 🚀', 'café 🚀', true],
  ['one differing character', 'sha256=aaaa', 'sha256=aaab', false],
  ['a shorter value', 'sha256=aaaa', 'sha256=aa', false],
  ['an empty and a full value', '', 'sha256=aaaa', false],
  ['different case', 'ABC', 'abc', false],
  ['different lone surrogates', '\ud800', '\udbff', false],
];

describe('timingSafeEqualText', () => {
  it.each(CASES)('compares %s', (_case, a, b, expected) => {
    expect(timingSafeEqualText(a, b)).toBe(expected);
  });

  it('is symmetric for different lengths', () => {
    expect(timingSafeEqualText('a'.repeat(1000), 'a')).toBe(false);
    expect(timingSafeEqualText('a', 'a'.repeat(1000))).toBe(false);
  });
});
