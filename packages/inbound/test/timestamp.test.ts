import { parseUnixSeconds } from '../src';
import { findTimestampProblem } from '../src/timestamp';

const NOW_SEC = 1_700_000_000;

describe('parseUnixSeconds', () => {
  it.each([
    { text: '1700000000', expected: 1_700_000_000 },
    { text: '0', expected: 0 },
    { text: '7', expected: 7 },
    { text: '99999999999', expected: 99_999_999_999 },
  ])('accepts $text', ({ text, expected }) => {
    expect(parseUnixSeconds(text)).toBe(expected);
  });

  it.each([
    { title: 'trailing letters', text: '1700000000abc' },
    { title: 'exponent', text: '1.7e9' },
    { title: 'fraction', text: '1700000000.5' },
    { title: 'leading space', text: ' 170' },
    { title: 'trailing space', text: '170 ' },
    { title: 'trailing newline', text: '170\n' },
    { title: 'negative', text: '-170' },
    { title: 'plus sign', text: '+170' },
    { title: 'leading zero', text: '0170' },
    { title: 'milliseconds (13 digits)', text: '1700000000000' },
    { title: '12 digits', text: '100000000000' },
    { title: 'empty', text: '' },
    { title: 'hexadecimal', text: '0x10' },
    { title: 'digit separator', text: '1_700' },
    { title: 'full-width digits', text: '１７００' },
    { title: 'Arabic-Indic digits', text: '١٧٠٠' },
    { title: 'Infinity', text: 'Infinity' },
  ])('rejects $title', ({ text }) => {
    expect(parseUnixSeconds(text)).toBeUndefined();
  });
});

describe('findTimestampProblem', () => {
  it.each([
    { title: 'same second', text: String(NOW_SEC), toleranceSec: 300 },
    {
      title: 'exactly tolerance old',
      text: String(NOW_SEC - 300),
      toleranceSec: 300,
    },
    {
      title: 'exactly tolerance ahead',
      text: String(NOW_SEC + 300),
      toleranceSec: 300,
    },
    {
      title: 'zero tolerance, same second',
      text: String(NOW_SEC),
      toleranceSec: 0,
    },
  ])('accepts $title', ({ text, toleranceSec }) => {
    expect(findTimestampProblem(text, NOW_SEC, toleranceSec)).toBeUndefined();
  });

  it.each([
    {
      title: 'one second too old',
      text: String(NOW_SEC - 301),
      nowSec: NOW_SEC,
      part: '301 s in the past',
    },
    {
      title: 'one second too new',
      text: String(NOW_SEC + 301),
      nowSec: NOW_SEC,
      part: '301 s in the future',
    },
    {
      title: 'zero timestamp',
      text: '0',
      nowSec: NOW_SEC,
      part: 'in the past',
    },
    {
      title: 'malformed timestamp',
      text: '1.7e9',
      nowSec: NOW_SEC,
      part: 'not whole unix seconds',
    },
    {
      title: 'arrival time NaN',
      text: String(NOW_SEC),
      nowSec: Number.NaN,
      part: 'beyond the tolerance',
    },
  ])('rejects $title', ({ text, nowSec, part }) => {
    expect(findTimestampProblem(text, nowSec, 300)).toContain(part);
  });
});
