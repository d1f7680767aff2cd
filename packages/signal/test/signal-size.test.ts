import {
  encodedSize,
  MAX_SIGNAL_BYTES,
  parseSignal,
  type Signal,
} from '../src';

function signalWithData(data: unknown): Signal {
  const result = parseSignal({
    id: '1',
    type: 'a',
    source: '/s',
    time: '2024-05-01T12:00:00Z',
    data,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.signal;
}

describe('encodedSize', () => {
  it('counts the bytes of the JSON encoding', () => {
    const signal = signalWithData('x');

    expect(encodedSize(signal)).toBe(JSON.stringify(signal).length);
  });

  it('counts multi-byte characters in UTF-8 bytes', () => {
    const ascii = signalWithData('aaaa');
    const euro = signalWithData('€€€€');

    // Each euro sign is 3 bytes in UTF-8, one character in the string.
    expect(encodedSize(euro) - encodedSize(ascii)).toBe(8);
  });

  it('counts the escapes that JSON adds', () => {
    const plain = signalWithData('ab');
    const escaped = signalWithData('a\nb"');

    // Two more characters, and a backslash before each of them.
    expect(encodedSize(escaped) - encodedSize(plain)).toBe(4);
  });
});

describe('MAX_SIGNAL_BYTES', () => {
  it('is 256 KiB', () => {
    expect(MAX_SIGNAL_BYTES).toBe(262_144);
  });

  it('separates signals just under and over the limit', () => {
    const empty = encodedSize(signalWithData(''));
    const fits = signalWithData('x'.repeat(MAX_SIGNAL_BYTES - empty));
    const tooLarge = signalWithData('x'.repeat(MAX_SIGNAL_BYTES - empty + 1));

    expect(encodedSize(fits)).toBe(MAX_SIGNAL_BYTES);
    expect(encodedSize(tooLarge)).toBeGreaterThan(MAX_SIGNAL_BYTES);
  });
});
