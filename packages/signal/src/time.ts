// Groups: year, month, day, hour, minute, second, offset hours, offset minutes.
// RFC 3339 allows lower-case `t` and `z` and the unknown-offset form `-00:00`.
const RFC3339_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = Object.freeze([
  31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
]);

/**
 * Returns whether the string is an RFC 3339 date-time with a UTC offset,
 * such as `2024-05-01T12:00:00Z` or `2024-05-01T12:00:00.123+02:00`.
 * Calendar dates are checked, so `2024-02-30T00:00:00Z` is rejected.
 */
export function isRfc3339Timestamp(value: string): boolean {
  const match = RFC3339_TIMESTAMP.exec(value);
  if (!match) return false;

  const fields = match.slice(1).map((field) => Number(field ?? '0'));
  const [year = 0, month = 0, day = 0, ...clock] = fields;
  return isCalendarDate(year, month, day) && isClockTime(clock);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12) return false;

  const leapDay = month === 2 && isLeapYear(year) ? 1 : 0;
  const maxDay = (DAYS_IN_MONTH[month - 1] ?? 0) + leapDay;
  return day >= 1 && day <= maxDay;
}

// NOTE: RFC 3339 allows a leap second (`23:59:60`), but it is rejected here
// because JavaScript's Date cannot represent it, and readers of `time` that
// call `new Date(time).toISOString()` would throw.
function isClockTime(clock: number[]): boolean {
  const [hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] =
    clock;
  return (
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
