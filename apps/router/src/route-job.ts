import type { Job } from 'bullmq';
import {
  SIGNAL_BATCH_JOB_NAME,
  type SignalBatchItem,
} from '@signalpost/queues';
import {
  deadLetterInvalidJob,
  routeSignal,
  type RouteResult,
  type RouterDependencies,
} from './route-signal';

/** Count of each verdict over the signals of a batch job. */
export type BatchRouteSummary = Partial<Record<RouteResult, number>>;

/** Job ids as BullMQ allows them here: never all digits, never a colon. */
const VALID_JOB_ID = /^(?!\d+$)[^:]{1,256}$/;

/**
 * Routes one job of the signals queue: a single signal, or a batch of
 * signals that the API accepted in one request. Safe to run twice.
 */
export async function routeJob(
  dependencies: RouterDependencies,
  job: Job,
): Promise<RouteResult | BatchRouteSummary> {
  const jobId = job.id ?? job.name;
  if (job.name !== SIGNAL_BATCH_JOB_NAME) {
    return routeSignal(dependencies, {
      id: jobId,
      data: job.data,
      timestamp: job.timestamp,
    });
  }

  const items = batchItems(job.data);
  if (typeof items === 'string') {
    await deadLetterInvalidJob(
      dependencies,
      { id: jobId, data: job.data, timestamp: job.timestamp },
      items,
    );
    return { invalid: 1 };
  }
  return routeBatch(dependencies, items, job.timestamp);
}

/**
 * Routes the signals of a batch concurrently, so their routing scripts and
 * enqueues share calls to Redis. Waits for every signal before it rethrows
 * the first error, so no routing outlives a failed job. BullMQ then runs the
 * job again, and the signals routed the first time create nothing new.
 */
async function routeBatch(
  dependencies: RouterDependencies,
  items: readonly SignalBatchItem[],
  timestamp: number,
): Promise<BatchRouteSummary> {
  const settled = await Promise.allSettled(
    items.map((item) =>
      routeSignal(dependencies, {
        id: item.jobId,
        data: item.signal,
        timestamp,
      }),
    ),
  );
  const summary: BatchRouteSummary = {};
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    summary[outcome.value] = (summary[outcome.value] ?? 0) + 1;
  }
  return summary;
}

/** Returns the items of a batch job's data, or why the data is invalid. */
function batchItems(data: unknown): readonly SignalBatchItem[] | string {
  const signals = (data as { signals?: unknown } | null)?.signals;
  if (!Array.isArray(signals) || signals.length === 0)
    return 'signals: expected a non-empty array';
  for (const [index, item] of signals.entries()) {
    const jobId = (item as { jobId?: unknown } | null)?.jobId;
    if (typeof jobId !== 'string' || !VALID_JOB_ID.test(jobId))
      return `signals.${index}.jobId: expected a job id without a colon, not all digits`;
  }
  return signals as SignalBatchItem[];
}
