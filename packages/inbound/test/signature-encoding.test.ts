import {
  decodeBase64,
  decodeHex,
  decodeLowerHex,
} from '../src/signature-encoding';

const bytes = Buffer.from('00ff10abcdef', 'hex');

describe('decodeLowerHex', () => {
  it('decodes lower-case hex', () => {
    expect(decodeLowerHex('00ff10abcdef')).toEqual(bytes);
  });

  it.each([
    { title: 'upper case', text: '00FF10ABCDEF' },
    { title: 'odd length', text: '00ff1' },
    { title: 'non-hex letter', text: '00fg' },
    { title: 'prefix 0x', text: '0x00ff' },
    { title: 'whitespace', text: '00 ff' },
    { title: '64 é characters', text: 'é'.repeat(64) },
    { title: 'full-width digits', text: '００' },
  ])('rejects $title', ({ text }) => {
    expect(decodeLowerHex(text)).toBeUndefined();
  });
});

describe('decodeHex', () => {
  it.each(['00ff10abcdef', '00FF10ABCDEF'])('decodes %s', (text) => {
    expect(decodeHex(text)).toEqual(bytes);
  });

  it.each(['00Ff', '00ff1', 'é'.repeat(64), '0g'])('rejects %s', (text) => {
    expect(decodeHex(text)).toBeUndefined();
  });
});

describe('decodeBase64', () => {
  it.each([
    { text: 'AP8Qq83v', expected: bytes },
    { text: 'AP8=', expected: Buffer.from([0x00, 0xff]) },
    { text: 'AA==', expected: Buffer.from([0x00]) },
    { text: '', expected: Buffer.alloc(0) },
  ])('decodes $text', ({ text, expected }) => {
    expect(decodeBase64(text)).toEqual(expected);
  });

  it.each([
    { title: 'missing padding', text: 'AP8' },
    { title: 'unused bits set', text: 'AP9=' },
    { title: 'unused bits set, two pads', text: 'AB==' },
    { title: 'url-safe alphabet', text: 'AP-_' },
    { title: 'inner whitespace', text: 'AP8Q q83v' },
    { title: 'padding in the middle', text: 'AP8=AP8=' },
    { title: 'three pads', text: 'A===' },
    { title: 'non-ASCII', text: 'éééé' },
  ])('rejects $title', ({ text }) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});
