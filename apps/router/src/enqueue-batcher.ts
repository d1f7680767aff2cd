import type { Queue } from 'bullmq';
import type { DeliveryJobData } from '@signalpost/queues';
import { enqueueDeliveries } from '@signalpost/store';

interface Waiting {
  readonly jobs: readonly DeliveryJobData[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Enqueues the delivery jobs of concurrent routings together. The jobs
 * handed over in one turn of the event loop go to BullMQ in one call, so
 * the routings share one write to Redis.
 */
export class EnqueueBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly queue: Queue) {}

  /** Enqueues `jobs` with the others of this turn. Rejects if the call fails. */
  enqueue(jobs: readonly DeliveryJobData[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ jobs, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    try {
      await enqueueDeliveries(
        this.queue,
        batch.flatMap((item) => item.jobs),
      );
      for (const item of batch) item.resolve();
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
