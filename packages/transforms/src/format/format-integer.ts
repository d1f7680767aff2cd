const DIGIT_GROUP_SIZE = 3;

/**
 * Formats a number as an integer with comma thousands separators:
 * `1234567` is `1,234,567`, `-1234` is `-1,234`, `0` is `0`.
 *
 * A non-integer is first rounded to the nearest integer, with halves rounded
 * away from zero (`2.5` is `3`, `-2.5` is `-3`). Negative zero and values
 * that round to zero are `0`. Integers beyond `Number.MAX_SAFE_INTEGER` are
 * written with all the digits of their double value, never in exponent form.
 *
 * @throws RangeError when `value` is `NaN` or infinite
 */
export function formatInteger(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`value must be a finite number, got ${value}`);
  }
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  if (rounded === 0) {
    return '0';
  }

  // BigInt gives every digit, whereas String(1e21) switches to exponent form.
  const digits = BigInt(Math.abs(rounded)).toString();
  const sign = rounded < 0 ? '-' : '';
  return sign + groupDigits(digits);
}

function groupDigits(digits: string): string {
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= DIGIT_GROUP_SIZE) {
    groups.unshift(digits.slice(Math.max(0, end - DIGIT_GROUP_SIZE), end));
  }
  return groups.join(',');
}
