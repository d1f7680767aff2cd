import type { Job, Queue } from 'bullmq';
import type { DeliveryJobData } from '@signalpost/queues';
import { deadLetterDelivery } from './delivery/dead-letter';
import type { WorkerDependencies } from './delivery/worker-dependencies';

/**
 * Time between sweeps. A sweep of an empty failed set is one Redis call,
 * while a listener on the queue's events would read every event of every job.
 */
const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 100;

/**
 * Dead-letters deliveries that BullMQ failed outside the processor, which in
 * practice means a job that stalled more than `maxStalledCount` times, then
 * removes them from BullMQ's failed set. It sweeps on a timer, so it also
 * handles failures seen by a worker that has died since.
 */
export class StalledSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly dependencies: WorkerDependencies,
    private readonly queue: Queue,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Handles every job in the failed set; runs one sweep at a time. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((error: Error) =>
        this.dependencies.logger.warn(
          { err: error },
          'failed-job sweep failed',
        ),
      )
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    for (;;) {
      const jobs = (await this.queue.getFailed(
        0,
        SWEEP_BATCH - 1,
      )) as Job<DeliveryJobData>[];
      if (jobs.length === 0) return;
      for (const job of jobs) await this.handle(job);
      if (jobs.length < SWEEP_BATCH) return;
    }
  }

  private async handle(job: Job<DeliveryJobData>): Promise<void> {
    const data = job.data;
    if (!data?.deliveryId) {
      await job.remove();
      return;
    }
    const reason = /stall/i.test(job.failedReason ?? '')
      ? 'stalled'
      : 'retries_exhausted';
    await deadLetterDelivery(this.dependencies, data, reason, {
      attempts: job.attemptsMade,
      message: `BullMQ failed the job: ${job.failedReason ?? 'no reason given'}`,
    });
    await job.remove();
  }
}
