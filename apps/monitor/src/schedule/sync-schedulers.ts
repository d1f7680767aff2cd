import type { Queue } from 'bullmq';
import type { MonitorSettings } from '../config/monitor-settings';
import {
  CHECK_JOB_NAME,
  CHECK_JOB_OPTIONS,
  type CheckJobData,
} from './check-job';
import { schedulerJobId } from './scheduler-job-id';

/** Changes made by {@link syncSchedulers}. */
export interface SchedulerSync {
  /** Ids of the schedulers created or updated: the service names. */
  readonly upserted: readonly string[];
  /** Ids of the schedulers removed because their service left the config. */
  readonly removed: readonly string[];
}

/**
 * Makes the monitor queue's job schedulers match the settings: one per
 * service, named after it, every `intervalMs`. BullMQ gives each scheduled
 * job to one worker at a time, so however many replicas run, a service gets
 * one check per interval. A retried or stalled job checks again, under the
 * same signal id. Schedulers of other names are removed with their next job.
 */
export async function syncSchedulers(
  queue: Queue,
  settings: MonitorSettings,
): Promise<SchedulerSync> {
  const upserted: string[] = [];
  for (const service of settings.services) {
    const data: CheckJobData = {
      service: service.name,
      url: service.url,
      intervalMs: settings.intervalMs,
    };
    await queue.upsertJobScheduler(
      service.name,
      { every: settings.intervalMs },
      { name: CHECK_JOB_NAME, data, opts: CHECK_JOB_OPTIONS },
    );
    upserted.push(service.name);
  }

  const removed = await removeOthers(queue, new Set(upserted));
  return { upserted, removed };
}

async function removeOthers(
  queue: Queue,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const scheduler of await queue.getJobSchedulers()) {
    if (keep.has(scheduler.key)) continue;
    await queue.removeJobScheduler(scheduler.key);
    // BullMQ removes only a delayed next job. One already waiting would
    // still check a service that is no longer configured.
    if (scheduler.next !== undefined) {
      await queue.remove(schedulerJobId(scheduler.key, scheduler.next));
    }
    removed.push(scheduler.key);
  }
  return removed;
}
