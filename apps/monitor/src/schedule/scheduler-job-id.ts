import type { Job } from 'bullmq';

/**
 * Id of the job that a job scheduler creates for one due time. BullMQ 6.7
 * names these jobs `repeat:<scheduler id>:<due ms>`. The id is the only
 * record of the due time, because BullMQ sets `delay` to 0 once a job is
 * promoted.
 */
export function schedulerJobId(schedulerId: string, dueMs: number): string {
  return `${jobIdPrefix(schedulerId)}${dueMs}`;
}

/**
 * Returns when a check job was due, in ms since the epoch, read from its
 * id, which stays the same on every retry. A job added without a
 * scheduler falls back to its creation time.
 */
export function scheduledAtMs(
  job: Pick<Job, 'id' | 'repeatJobKey' | 'timestamp'>,
): number {
  if (job.repeatJobKey === undefined || job.id === undefined) {
    return job.timestamp;
  }
  const prefix = jobIdPrefix(job.repeatJobKey);
  const dueText = job.id.startsWith(prefix) ? job.id.slice(prefix.length) : '';
  return /^\d+$/.test(dueText) ? Number(dueText) : job.timestamp;
}

function jobIdPrefix(schedulerId: string): string {
  return `repeat:${schedulerId}:`;
}
