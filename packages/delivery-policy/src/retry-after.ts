import { assertValidDate } from './assert-argument';
import { parseHttpDate } from './http-date';

const DELTA_SECONDS = /^\d+$/;

/**
 * Parses a `Retry-After` header into a wait in milliseconds. The value is
 * either delta-seconds (a non-negative integer) or an HTTP date, and a date
 * before `now` gives 0. Surrounding whitespace is ignored.
 *
 * @returns the wait, or undefined for a missing or unparsable value (such as
 *   `soon`, `-1`, `1.5` or an empty string)
 * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` when
 *   `now` is an invalid date
 */
export function parseRetryAfter(
  value: string | undefined,
  now: Date,
): number | undefined {
  assertValidDate('now', now);
  if (value === undefined) return undefined;

  const trimmed = value.trim();
  if (DELTA_SECONDS.test(trimmed)) {
    return Math.min(Number(trimmed) * 1000, Number.MAX_SAFE_INTEGER);
  }
  const dateMs = parseHttpDate(trimmed, now);
  if (dateMs === undefined) return undefined;
  return Math.max(0, dateMs - now.getTime());
}
