const MONTHS = Object.freeze([
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
]);

const SHORT_DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const TIME = '(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})';

/** The three forms of an HTTP date, all in UTC (RFC 9110, section 5.6.7). */
const HTTP_DATE_FORMS = Object.freeze([
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  new RegExp(
    `^${SHORT_DAY}, (?<day>\\d{2}) (?<month>\\w{3}) (?<year>\\d{4}) ${TIME} GMT$`,
  ),
  // Obsolete RFC 850 form: Sunday, 06-Nov-94 08:49:37 GMT
  new RegExp(
    `^${LONG_DAY}, (?<day>\\d{2})-(?<month>\\w{3})-(?<year>\\d{2}) ${TIME} GMT$`,
  ),
  // Obsolete asctime form: Sun Nov  6 08:49:37 1994
  new RegExp(
    `^${SHORT_DAY} (?<month>\\w{3}) (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`,
  ),
]);

/**
 * Parses an HTTP date in IMF-fixdate form or one of the two obsolete forms
 * (RFC 850, asctime) into milliseconds since the epoch. A two-digit RFC 850
 * year that would lie more than 50 years after `now` is read as the latest
 * past year with those digits, as RFC 9110 requires. The weekday must be
 * present but is not checked against the date.
 *
 * @returns the time, or undefined when `value` is no valid HTTP date
 */
export function parseHttpDate(value: string, now: Date): number | undefined {
  const groups = matchHttpDate(value);
  if (!groups) return undefined;

  const { day = '', month = '', year = '' } = groups;
  const { hour = '', minute = '', second = '' } = groups;
  return toEpochMs({
    year:
      year.length === 2 ? expandTwoDigitYear(Number(year), now) : Number(year),
    monthIndex: MONTHS.indexOf(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  });
}

interface DateFields {
  year: number;
  monthIndex: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function matchHttpDate(value: string): Record<string, string> | undefined {
  for (const form of HTTP_DATE_FORMS) {
    const groups = form.exec(value)?.groups;
    if (groups) return groups;
  }
  return undefined;
}

function expandTwoDigitYear(twoDigits: number, now: Date): number {
  const currentYear = now.getUTCFullYear();
  const year = currentYear - (currentYear % 100) + twoDigits;
  return year > currentYear + 50 ? year - 100 : year;
}

function toEpochMs(fields: DateFields): number | undefined {
  const { year, monthIndex, day, hour, minute, second } = fields;
  // The grammar allows second 60 for a leap second, which Date rolls over.
  if (monthIndex < 0 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }

  // setUTCFullYear, unlike Date.UTC, does not map years 0 to 99 to 19xx.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  if (date.getUTCDate() !== day) return undefined;
  return date.setUTCHours(hour, minute, second, 0);
}
