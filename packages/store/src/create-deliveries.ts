import type { JobsOptions, Queue } from 'bullmq';
import { DELIVERY_JOB_NAME, type DeliveryJobData } from '@signalpost/queues';
import type { DeliveryStore } from './delivery-store';
import type { DeliveryInfo } from './records';

/**
 * BullMQ's own attempt limit, set far above any retry policy: the worker
 * decides when a delivery ends, so BullMQ never fails one on its own.
 */
const BULLMQ_ATTEMPTS = 10_000;

/** Backoff type whose delay the worker's backoff strategy computes. */
export const DELIVERY_BACKOFF_TYPE = 'signalpost';

/** Completed delivery jobs stay this long so a repeated enqueue is a no-op. */
const COMPLETED_RETENTION_SEC = 3600;

/** Job options of every delivery. */
export function deliveryJobOptions(
  deliveryId: string,
  delayMs = 0,
): JobsOptions {
  return {
    jobId: deliveryId,
    delay: delayMs,
    attempts: BULLMQ_ATTEMPTS,
    backoff: { type: DELIVERY_BACKOFF_TYPE },
    removeOnComplete: { age: COMPLETED_RETENTION_SEC },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Records deliveries and enqueues those still pending. Safe to repeat:
 * records are created once and job ids are the delivery ids.
 */
export async function createDeliveries(
  store: DeliveryStore,
  queue: Queue,
  jobs: readonly DeliveryJobData[],
): Promise<string[]> {
  const infos: DeliveryInfo[] = jobs.map(deliveryInfoOf);
  const pending = new Set(await store.create(infos));
  await enqueueDeliveries(
    queue,
    jobs.filter((job) => pending.has(job.deliveryId)),
  );
  return jobs.map((job) => job.deliveryId);
}

/** Enqueues delivery jobs whose records exist. BullMQ skips an id it has. */
export async function enqueueDeliveries(
  queue: Queue,
  jobs: readonly DeliveryJobData[],
): Promise<void> {
  const [only] = jobs;
  // One job, the usual case, goes without addBulk's MULTI around it.
  if (jobs.length === 1 && only) {
    await queue.add(
      DELIVERY_JOB_NAME,
      only,
      deliveryJobOptions(only.deliveryId),
    );
  } else if (jobs.length > 1) {
    await queue.addBulk(
      jobs.map((job) => ({
        name: DELIVERY_JOB_NAME,
        data: job,
        opts: deliveryJobOptions(job.deliveryId),
      })),
    );
  }
}

/** Returns the record of a delivery job. */
export function deliveryInfoOf(job: DeliveryJobData): DeliveryInfo {
  return {
    id: job.deliveryId,
    signalId: job.signal.id,
    source: job.signal.source,
    signalIdentity: job.signalIdentity,
    subscriptionId: job.subscriptionId,
    targetId: job.targetId,
    createdAt: new Date(job.createdAtMs).toISOString(),
    ...(job.fallbackOf ? { fallbackOf: job.fallbackOf } : {}),
  };
}
