import type { CheckOutcome } from '../checks/check-service';
import { stripCredentials } from './strip-credentials';

/** `source` of every signal the monitor sends. */
export const MONITOR_SOURCE = 'signalpost/monitor';

/** Signal `type` per check result. */
export const HEALTH_SIGNAL_TYPES = Object.freeze({
  healthy: 'health.service.healthy',
  degraded: 'health.service.degraded',
  unhealthy: 'health.service.unhealthy',
} as const);

/** `type` of a health signal. */
export type HealthSignalType =
  (typeof HEALTH_SIGNAL_TYPES)[keyof typeof HEALTH_SIGNAL_TYPES];

/** `data` of a health signal, per result. */
export type HealthSignalData =
  | { service: string; url: string; latencyMs: number }
  | { service: string; url: string; statusCode: number; latencyMs: number }
  | { service: string; url: string; error: string };

/** A signal reporting one health check, in the shape the router accepts. */
export interface HealthSignal {
  readonly specversion: '1.0';
  /** `<service>:<interval start in ms since the epoch>`. */
  readonly id: string;
  readonly source: typeof MONITOR_SOURCE;
  readonly type: HealthSignalType;
  /** RFC 3339 time of the check's end. */
  readonly time: string;
  readonly data: HealthSignalData;
}

/** One finished check, as {@link buildHealthSignal} reads it. */
export interface FinishedCheck {
  readonly service: string;
  readonly url: string;
  /** Start of the interval the check belongs to, ms since the epoch. */
  readonly intervalStartMs: number;
  readonly outcome: CheckOutcome;
  readonly finishedAt: Date;
}

/**
 * Floors a scheduled time to the start of its interval, so that every
 * check of one interval gets the same signal id, whichever replica runs it.
 */
export function intervalStartMs(
  scheduledAtMs: number,
  intervalMs: number,
): number {
  return Math.floor(scheduledAtMs / intervalMs) * intervalMs;
}

/** Signal id of a service's check in one interval. */
export function healthSignalId(service: string, startMs: number): string {
  return `${service}:${startMs}`;
}

/**
 * BullMQ job id of a health signal: the signal id with `_` for `:`, which
 * BullMQ reserves, and a `mon_` prefix, so it is never all digits.
 */
export function healthSignalJobId(service: string, startMs: number): string {
  return `mon_${service}_${startMs}`;
}

/** Builds the signal that reports a finished check. */
export function buildHealthSignal(check: FinishedCheck): HealthSignal {
  return {
    specversion: '1.0',
    id: healthSignalId(check.service, check.intervalStartMs),
    source: MONITOR_SOURCE,
    type: HEALTH_SIGNAL_TYPES[check.outcome.result],
    time: check.finishedAt.toISOString(),
    data: buildData(check),
  };
}

function buildData(check: FinishedCheck): HealthSignalData {
  const { service, outcome } = check;
  const url = stripCredentials(check.url);
  switch (outcome.result) {
    case 'healthy':
      return { service, url, latencyMs: outcome.latencyMs };
    case 'degraded': {
      const { statusCode, latencyMs } = outcome;
      return { service, url, statusCode, latencyMs };
    }
    case 'unhealthy':
      return { service, url, error: outcome.error };
  }
}
