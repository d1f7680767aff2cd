const DELTA_SECONDS = /^\d+$/;

/**
 * All three HTTP date forms start with the day of the week. Checking for it
 * first matters because Date.parse also reads bare numbers such as `-1` or
 * `1.5` as dates.
 */
const HTTP_DATE_START = /^[A-Za-z]{3,9},? /;

/**
 * Parses a `Retry-After` header into whole seconds. The header contains either
 * delta-seconds or an HTTP date. A date is rounded up to the next second,
 * and a date in the past gives 0.
 *
 * @returns the seconds, or undefined for a missing or unparsable header
 */
export function parseRetryAfterSec(
  header: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (header === null || header === undefined) return undefined;

  const trimmed = header.trim();
  if (DELTA_SECONDS.test(trimmed)) return Number(trimmed);

  if (!HTTP_DATE_START.test(trimmed)) return undefined;
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}
