import type { Queue } from 'bullmq';
import type { Metrics } from '@signalpost/observability';
import type { RedisClient, RedisKeys } from '@signalpost/queues';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'completed',
  'failed',
  'prioritized',
] as const;
const CIRCUIT_STATE_VALUES: Record<string, number> = {
  closed: 0,
  half_open: 1,
  open: 2,
};

/**
 * Reads queue depths, the oldest waiting job and circuit states from Redis
 * into the API's gauges; called on each scrape.
 */
export async function refreshQueueGauges(
  metrics: Metrics,
  queues: readonly Queue[],
  redis: RedisClient,
  keys: RedisKeys,
): Promise<void> {
  for (const queue of queues) {
    const counts = await queue.getJobCounts(...STATES);
    for (const state of STATES)
      metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
    const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
    const ageSec = oldest
      ? Math.max(0, (Date.now() - oldest.timestamp) / 1000)
      : 0;
    metrics.queueOldestWaiting.set({ queue: queue.name }, ageSec);
  }
  await refreshCircuitGauges(metrics, redis, keys);
}

async function refreshCircuitGauges(
  metrics: Metrics,
  redis: RedisClient,
  keys: RedisKeys,
): Promise<void> {
  const origins = await redis.smembers(keys.breakers);
  metrics.circuitState.reset();
  for (const origin of origins) {
    const [state, openUntil] = await redis.hmget(
      keys.breaker(origin),
      'state',
      'openUntil',
    );
    if (!state) continue;
    const open =
      state === 'open' && Number(openUntil ?? 0) <= Date.now()
        ? 'half_open'
        : state;
    metrics.circuitState.set({ origin }, CIRCUIT_STATE_VALUES[open] ?? 0);
  }
}
