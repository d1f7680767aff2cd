import fc from 'fast-check';
import { decodeHeaderValue, encodeHeaderValue } from '../src/percent-encoding';

describe('encodeHeaderValue', () => {
  it.each([
    ['plain ASCII', 'user.created', 'user.created'],
    ['a space', 'a b', 'a%20b'],
    ['a double quote', 'say "hi"', 'say%20%22hi%22'],
    ['a percent sign', '100%', '100%25'],
    ['a line break', 'a\r\nb', 'a%0D%0Ab'],
    ['a tab', 'a\tb', 'a%09b'],
    ['DEL', 'a\u007fb', 'a%7Fb'],
    ['non-ASCII letters', 'Euro €', 'Euro%20%E2%82%AC'],
    ['other printable ASCII', "/a?b=c&d#e'!~", "/a?b=c&d#e'!~"],
  ])('encodes %s', (_label, value, expected) => {
    expect(encodeHeaderValue(value)).toBe(expected);
  });
});

describe('decodeHeaderValue', () => {
  it.each([
    ['an escaped space', 'a%20b', 'a b'],
    ['lower-case hex', 'a%e2%82%acb', 'a€b'],
    ['a lone percent sign', '100%', '100%'],
    ['a percent sign before non-hex', '50%zz', '50%zz'],
    ['no escapes', 'user.created', 'user.created'],
  ])('decodes %s', (_label, value, expected) => {
    expect(decodeHeaderValue(value)).toBe(expected);
  });

  it.each([
    ['a truncated UTF-8 sequence', '%E2%82'],
    ['a stray continuation byte', '%80'],
  ])('rejects %s', (_label, value) => {
    expect(decodeHeaderValue(value)).toBeUndefined();
  });

  it('reverses encodeHeaderValue for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        expect(decodeHeaderValue(encodeHeaderValue(value))).toBe(value);
      }),
    );
  });

  it('encodes to printable ASCII only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(encodeHeaderValue(value)).toMatch(/^[\x21-\x7e]*$/);
      }),
    );
  });
});
