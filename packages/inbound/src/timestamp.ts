// Unix seconds have 10 digits until the year 2286 and 11 until 5138, so a
// 13-digit millisecond value is rejected by its length.
const UNIX_SECONDS_PATTERN = /^(?:0|[1-9][0-9]{0,10})$/;

/**
 * Parses a timestamp of whole unix seconds: ASCII digits only, without sign,
 * spaces, leading zeros, fraction or exponent, and at most 11 digits. Returns
 * undefined for anything else.
 */
export function parseUnixSeconds(text: string): number | undefined {
  return UNIX_SECONDS_PATTERN.test(text) ? Number(text) : undefined;
}

/**
 * Checks a signed timestamp against the time of arrival. Returns why it is
 * rejected, or undefined when it is at most `toleranceSec` away in either
 * direction.
 */
export function findTimestampProblem(
  text: string,
  nowSec: number,
  toleranceSec: number,
): string | undefined {
  const timestampSec = parseUnixSeconds(text);
  if (timestampSec === undefined) {
    return 'timestamp is not whole unix seconds (1 to 11 digits, nothing else)';
  }

  const ageSec = nowSec - timestampSec;
  // Written so that a NaN `nowSec` rejects instead of passing.
  if (Math.abs(ageSec) <= toleranceSec) return undefined;
  const direction = ageSec > 0 ? 'in the past' : 'in the future';
  return `timestamp is ${Math.abs(ageSec)} s ${direction}, beyond the tolerance of ${toleranceSec} s`;
}
