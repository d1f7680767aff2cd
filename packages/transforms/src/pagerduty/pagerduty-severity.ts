import type { PagerDutySeverity } from './pagerduty-event';

const SEVERITY_BY_LEVEL: ReadonlyMap<string, PagerDutySeverity> = new Map([
  ['critical', 'critical'],
  ['high', 'critical'],
  ['medium', 'error'],
  ['moderate', 'error'],
  ['low', 'warning'],
  ['info', 'warning'],
]);

/**
 * Maps a signal's `data.severity` to a PagerDuty severity: critical and high
 * to `critical`, medium and moderate to `error`, low and info to `warning`,
 * anything else (also a missing or non-string value) to `info`.
 *
 * The match ignores case and surrounding whitespace, so `' HIGH '` is
 * `critical`.
 */
export function mapPagerDutySeverity(severity: unknown): PagerDutySeverity {
  if (typeof severity !== 'string') {
    return 'info';
  }
  return SEVERITY_BY_LEVEL.get(severity.trim().toLowerCase()) ?? 'info';
}
