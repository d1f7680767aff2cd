import { identityHash, type Signal } from '@signalpost/signal';
import { ApiError } from '@signalpost/errors';
import {
  SIGNAL_BATCH_JOB_NAME,
  SIGNAL_JOB_NAME,
  signalBatchJobId,
  signalJobId,
  withDeadline,
  type SignalBatchJobData,
} from '@signalpost/queues';
import type { SignalToStore } from '@signalpost/store';
import type { ApiContext } from '../context';

/** A request must be stored within this time, else the API returns 503. */
export const STORE_DEADLINE_MS = 1500;

/** How long completed signal jobs stay in Redis after the router is done. */
const SIGNAL_JOB_RETENTION_SEC = 3600;

/** Per signal of a request: its id and whether it had been seen. */
export interface PublishOutcome {
  readonly id: string;
  readonly duplicate: boolean;
}

/**
 * Stores signals and enqueues the new ones for the router. Duplicates of a
 * `(source, id)` seen within the dedup window are reported, not enqueued.
 * Resolves only once everything new is in Redis; rejects otherwise, after
 * removing what it wrote, so a retry starts clean.
 */
export async function publishSignals(
  context: ApiContext,
  signals: readonly Signal[],
): Promise<PublishOutcome[]> {
  // Commands sent while disconnected would wait in ioredis's offline queue
  // and might still run after the client got its 503.
  if (context.redis.status !== 'ready') {
    throw new ApiError(
      'redis_unavailable',
      'Redis is unreachable; nothing was stored, retry later',
      {
        retryAfterSec: 1,
      },
    );
  }
  const acceptedAt = new Date();
  const items: SignalToStore[] = signals.map((signal) => {
    const identity = identityHash(signal.source, signal.id);
    return {
      signal,
      identity,
      jobId: signalJobId(identity, acceptedAt.getTime()),
    };
  });

  const outcomes = await withDeadline(
    context.signals.store(items, acceptedAt),
    STORE_DEADLINE_MS,
  );
  const fresh = items.filter((_, index) => !outcomes[index]?.duplicate);
  // A duplicate still in `routing` may be one whose first request failed
  // between storing and enqueueing, so it is enqueued again under its first
  // job id. Alone, that is a no-op when its first job still exists. In a
  // batch it may be routed twice under the same id, which the router's
  // claim makes harmless: the second routing creates nothing new.
  const stranded = items.flatMap((item, index) => {
    const outcome = outcomes[index];
    return outcome?.duplicate && outcome.state === 'routing'
      ? [{ ...item, jobId: outcome.jobId }]
      : [];
  });

  try {
    await withDeadline(
      enqueue(context, [...fresh, ...stranded], acceptedAt.getTime()),
      STORE_DEADLINE_MS,
    );
  } catch (error) {
    await context.signals.unstore(fresh).catch(() => undefined);
    throw error;
  }
  return items.map((item, index) => ({
    id: item.signal.id,
    duplicate: outcomes[index]?.duplicate === true,
  }));
}

async function enqueue(
  context: ApiContext,
  items: readonly SignalToStore[],
  acceptedAtMs: number,
): Promise<void> {
  const [only] = items;
  if (only === undefined) return;
  const opts = {
    timestamp: acceptedAtMs,
    removeOnComplete: { age: SIGNAL_JOB_RETENTION_SEC },
    removeOnFail: { age: 7 * 24 * 3600 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
  };
  if (items.length === 1) {
    await context.signalsQueue.add(SIGNAL_JOB_NAME, only.signal, {
      ...opts,
      jobId: only.jobId,
    });
    return;
  }
  // The signals of one request share one job, so the router pays for one
  // job lifecycle per request instead of one per signal. Each signal keeps
  // its own job id, from which its delivery ids derive.
  // A signal repeated within one request is stored once, from its first
  // occurrence, but listed twice: the first occurrence is the one routed.
  const seen = new Set<string>();
  const unique = items.filter(
    (item) => !seen.has(item.jobId) && seen.add(item.jobId),
  );
  const data: SignalBatchJobData = {
    signals: unique.map((item) => ({ jobId: item.jobId, signal: item.signal })),
  };
  await context.signalsQueue.add(SIGNAL_BATCH_JOB_NAME, data, {
    ...opts,
    jobId: signalBatchJobId(unique.map((item) => item.jobId)),
  });
}
