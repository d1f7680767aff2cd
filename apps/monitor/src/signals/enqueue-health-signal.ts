import type { Queue } from 'bullmq';
import { SIGNAL_JOB_NAME } from '@signalpost/queues';
import { healthSignalJobId, type HealthSignal } from './health-signal';

/**
 * Options of a health signal's job, the same as the API gives its signal
 * jobs. Completed jobs stay an hour, so a retried check within that hour
 * finds its job id taken. The router's `(source, id)` deduplication catches
 * later repeats.
 */
const SIGNAL_JOB_OPTIONS = Object.freeze({
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
});

/**
 * Adds a health signal to the signals queue under a job id derived from
 * its service and interval, so adding it again is a no-op.
 */
export async function enqueueHealthSignal(
  signalsQueue: Queue,
  signal: HealthSignal,
  intervalStartMs: number,
): Promise<string> {
  const jobId = healthSignalJobId(signal.data.service, intervalStartMs);
  await signalsQueue.add(SIGNAL_JOB_NAME, signal, {
    ...SIGNAL_JOB_OPTIONS,
    jobId,
  });
  return jobId;
}
