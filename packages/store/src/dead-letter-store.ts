import type { Signal } from '@signalpost/signal';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type { Page } from './subscription-store';

/** Why a delivery or signal was dead-lettered. */
export type DeadLetterReason =
  | 'retries_exhausted'
  | 'non_retryable_status'
  | 'expired'
  | 'stalled'
  | 'gone'
  | 'transform_failed'
  | 'subscription_disabled'
  | 'subscription_deleted'
  | 'invalid_job';

/** A dead-letter entry; `target` never carries a secret's value. */
export interface DeadLetterEntry {
  readonly id: string;
  readonly queue: string;
  readonly kind: 'delivery' | 'signal';
  readonly signalId: string | null;
  readonly subscriptionId: string | null;
  readonly targetId: string | null;
  /** The delivery that ended here, for `kind: delivery`. */
  readonly deliveryId: string | null;
  readonly reason: DeadLetterReason;
  readonly message?: string;
  readonly attempts: number;
  readonly signal: Signal | unknown;
  readonly target: unknown;
  readonly createdAt: string;
  readonly replayed?: { readonly at: string; readonly deliveryId: string };
}

/** Dead-letter entries by named queue, kept for the retention period. */
export class DeadLetterStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: { readonly retentionMs: number },
  ) {}

  /** Adds an entry; adding the same id twice keeps the first. */
  async add(entry: DeadLetterEntry): Promise<boolean> {
    const key = this.keys.deadLetter(entry.id);
    const created = await this.redis.hsetnx(
      key,
      'entry',
      JSON.stringify(entry),
    );
    if (created === 0) return false;
    const score = Date.parse(entry.createdAt);
    await this.redis
      .multi()
      .pexpire(key, this.options.retentionMs)
      .zadd(this.keys.deadLetterQueue(entry.queue), score, entry.id)
      .zadd(this.keys.deadLetterAll, score, entry.id)
      .sadd(this.keys.deadLetterQueues, entry.queue)
      .exec();
    return true;
  }

  /** Reads one entry. */
  async get(id: string): Promise<DeadLetterEntry | undefined> {
    const [json, replayed] = await this.redis.hmget(
      this.keys.deadLetter(id),
      'entry',
      'replayed',
    );
    if (!json) return undefined;
    const entry = JSON.parse(json) as DeadLetterEntry;
    return replayed
      ? {
          ...entry,
          replayed: JSON.parse(replayed) as DeadLetterEntry['replayed'],
        }
      : entry;
  }

  /** Marks an entry replayed by a new delivery. */
  async markReplayed(id: string, deliveryId: string, at: Date): Promise<void> {
    await this.redis.hset(
      this.keys.deadLetter(id),
      'replayed',
      JSON.stringify({ at: at.toISOString(), deliveryId }),
    );
  }

  /**
   * Lists entries newest first, optionally of one queue and one
   * subscription. The cursor is the offset into the queue's index.
   */
  async list(options: {
    limit: number;
    cursor?: string;
    queue?: string;
    subscriptionId?: string;
  }): Promise<Page<DeadLetterEntry>> {
    const index = options.queue
      ? this.keys.deadLetterQueue(options.queue)
      : this.keys.deadLetterAll;
    let offset = options.cursor ? Number(options.cursor) : 0;
    const data: DeadLetterEntry[] = [];
    const batch = Math.max(options.limit, 100);
    for (;;) {
      const ids = await this.redis.zrevrange(index, offset, offset + batch - 1);
      for (const [position, id] of ids.entries()) {
        const entry = await this.get(id);
        if (!entry) continue;
        if (
          options.subscriptionId &&
          entry.subscriptionId !== options.subscriptionId
        )
          continue;
        data.push(entry);
        if (data.length === options.limit) {
          const next = offset + position + 1;
          const more = (await this.redis.zcard(index)) > next;
          return { data, nextCursor: more ? String(next) : null };
        }
      }
      if (ids.length < batch) return { data, nextCursor: null };
      offset += batch;
    }
  }
}
