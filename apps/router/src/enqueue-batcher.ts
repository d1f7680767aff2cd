import type { Queue } from 'bullmq';
import type { DeliveryJobData } from '@signalpost/queues';
import { TurnBatch, enqueueDeliveries } from '@signalpost/store';

/**
 * Routings whose jobs share one `addBulk` at most. BullMQ adds them in one
 * MULTI, which Redis runs without interruption, so a busy turn is split.
 */
const MAX_ROUTINGS_PER_CALL = 200;

/**
 * Enqueues the delivery jobs of concurrent routings together. The jobs
 * handed over in one turn of the event loop go to BullMQ in one call, so
 * the routings share one write to Redis.
 */
export class EnqueueBatcher {
  private readonly batch: TurnBatch<readonly DeliveryJobData[], undefined>;

  constructor(queue: Queue) {
    this.batch = new TurnBatch(
      async (groups) => {
        await enqueueDeliveries(queue, groups.flat());
        return groups.map(() => undefined);
      },
      { maxItems: MAX_ROUTINGS_PER_CALL },
    );
  }

  /** Enqueues `jobs` with the others of this turn. Rejects if the call fails. */
  async enqueue(jobs: readonly DeliveryJobData[]): Promise<void> {
    if (jobs.length > 0) await this.batch.add(jobs);
  }
}
