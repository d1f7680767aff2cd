const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/**
 * Formats a duration in milliseconds for people, in at most two units:
 * `950ms`, `42s`, `2m 5s`, `1h 2m`, `3d 4h`.
 *
 * The input is rounded to whole milliseconds first. Larger units are then
 * truncated, never rounded up, so 59999 is `59s` and 3599999 is `59m 59s`.
 * The second unit is always shown, also when it is zero (`1m 0s`).
 *
 * @param durationMs - non-negative finite number of milliseconds
 * @throws RangeError when `durationMs` is negative, `NaN` or infinite
 */
export function formatDuration(durationMs: number): string {
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new RangeError(
      `durationMs must be a non-negative finite number, got ${durationMs}`,
    );
  }
  const totalMs = Math.round(durationMs);

  if (totalMs < MS_PER_SECOND) {
    return `${totalMs}ms`;
  }
  if (totalMs < MS_PER_MINUTE) {
    return `${Math.floor(totalMs / MS_PER_SECOND)}s`;
  }
  if (totalMs < MS_PER_HOUR) {
    return formatPair(totalMs, MS_PER_MINUTE, 'm', MS_PER_SECOND, 's');
  }
  if (totalMs < MS_PER_DAY) {
    return formatPair(totalMs, MS_PER_HOUR, 'h', MS_PER_MINUTE, 'm');
  }
  return formatPair(totalMs, MS_PER_DAY, 'd', MS_PER_HOUR, 'h');
}

function formatPair(
  totalMs: number,
  majorMs: number,
  majorSuffix: string,
  minorMs: number,
  minorSuffix: string,
): string {
  const major = Math.floor(totalMs / majorMs);
  const minor = Math.floor((totalMs % majorMs) / minorMs);
  return `${major}${majorSuffix} ${minor}${minorSuffix}`;
}
