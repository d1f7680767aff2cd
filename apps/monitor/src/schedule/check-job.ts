import { UnrecoverableError } from 'bullmq';

/** BullMQ queue of the monitor's scheduled checks, under the usual prefix. */
export const MONITOR_QUEUE = 'monitor';

/** Job name of a scheduled check. */
export const CHECK_JOB_NAME = 'check';

/**
 * Options of every check job. A check job whose signal cannot be enqueued
 * is retried twice. A retry reports the same interval, so its signal keeps
 * the same id.
 */
export const CHECK_JOB_OPTIONS = Object.freeze({
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
  attempts: 3,
  backoff: { type: 'exponential', delay: 500 },
});

/**
 * Data of a check job, stored in its job scheduler's template. It carries
 * the URL so that any replica can run the check, whatever its own config.
 */
export interface CheckJobData {
  readonly service: string;
  // NOTE: a URL with credentials is stored as given in Redis, in the
  // scheduler's template. Signals and logs get it without them.
  readonly url: string;
  /** Interval of the service's scheduler, to floor the scheduled time. */
  readonly intervalMs: number;
}

/**
 * Checks the data of a job taken from the monitor queue. Throws BullMQ's
 * {@link UnrecoverableError} on bad data, which no retry could repair.
 */
export function readCheckJobData(data: unknown): CheckJobData {
  const { service, url, intervalMs } = (data ?? {}) as Record<string, unknown>;
  if (typeof service !== 'string' || service === '') {
    throw new UnrecoverableError('check job data has no service name');
  }
  if (typeof url !== 'string') {
    throw new UnrecoverableError(`check job of ${service} has no URL`);
  }
  if (typeof intervalMs !== 'number' || !(intervalMs > 0)) {
    throw new UnrecoverableError(
      `check job of ${service} has an invalid intervalMs: ${String(intervalMs)}`,
    );
  }
  return { service, url, intervalMs };
}
