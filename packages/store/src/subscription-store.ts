import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type {
  DisabledMark,
  Subscription,
  Target,
} from '@signalpost/subscriptions';

/** A page of a list. */
export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/**
 * Subscriptions in Redis: a hash of JSON by id, a sorted set of ids for
 * listing, and a version counter plus a pub/sub message on every change so
 * routers and workers refresh their caches.
 */
export class SubscriptionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Reads one subscription with its targets' disabled marks, or undefined. */
  async get(id: string): Promise<Subscription | undefined> {
    const [json, marks] = await Promise.all([
      this.redis.hget(this.keys.subscriptions, id),
      this.redis.hgetall(this.keys.subscriptionDisabled(id)),
    ]);
    if (!json) return undefined;
    return applyMarks(JSON.parse(json) as Subscription, marks);
  }

  /** Reads every subscription with its disabled marks, for the router's matcher. */
  async all(): Promise<Subscription[]> {
    const [entries, marked] = await Promise.all([
      this.redis.hgetall(this.keys.subscriptions),
      this.redis.smembers(this.keys.subscriptionsWithDisabled),
    ]);
    const marks = new Map<string, Record<string, string>>();
    for (const id of marked)
      marks.set(
        id,
        await this.redis.hgetall(this.keys.subscriptionDisabled(id)),
      );
    return Object.values(entries).map((json) => {
      const subscription = JSON.parse(json) as Subscription;
      return applyMarks(subscription, marks.get(subscription.id) ?? {});
    });
  }

  /** Lists subscriptions ordered by id, after `cursor` (an id). */
  async list(limit: number, cursor?: string): Promise<Page<Subscription>> {
    const start = cursor ? `(${cursor}` : '-';
    const ids = await this.redis.zrangebylex(
      this.keys.subscriptionIds,
      start,
      '+',
      'LIMIT',
      0,
      limit + 1,
    );
    const pageIds = ids.slice(0, limit);
    const subscriptions = await Promise.all(pageIds.map((id) => this.get(id)));
    const data = subscriptions.filter(
      (item): item is Subscription => item !== undefined,
    );
    const nextCursor =
      ids.length > limit ? (pageIds[pageIds.length - 1] ?? null) : null;
    return { data, nextCursor };
  }

  /** Creates a subscription; returns false when the id exists. */
  async create(subscription: Subscription): Promise<boolean> {
    const created = await this.redis.hsetnx(
      this.keys.subscriptions,
      subscription.id,
      JSON.stringify(subscription),
    );
    if (created === 0) return false;
    await this.redis.zadd(this.keys.subscriptionIds, 0, subscription.id);
    await this.announce(subscription.id);
    return true;
  }

  /** Creates or replaces a subscription, clearing its disabled marks. */
  async put(subscription: Subscription): Promise<void> {
    await this.redis
      .multi()
      .hset(
        this.keys.subscriptions,
        subscription.id,
        JSON.stringify(subscription),
      )
      .zadd(this.keys.subscriptionIds, 0, subscription.id)
      .del(this.keys.subscriptionDisabled(subscription.id))
      .srem(this.keys.subscriptionsWithDisabled, subscription.id)
      .exec();
    await this.announce(subscription.id);
  }

  /** Deletes a subscription; returns false when there was none. */
  async delete(id: string): Promise<boolean> {
    const replies = await this.redis
      .multi()
      .hdel(this.keys.subscriptions, id)
      .zrem(this.keys.subscriptionIds, id)
      .del(this.keys.subscriptionDisabled(id))
      .srem(this.keys.subscriptionsWithDisabled, id)
      .exec();
    const removed = replies?.[0]?.[1] === 1;
    if (removed) await this.announce(id);
    return removed;
  }

  /** Marks a target disabled (after 410 Gone) until the next PUT. */
  async disableTarget(
    id: string,
    targetId: string,
    mark: DisabledMark,
  ): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.subscriptionDisabled(id), targetId, JSON.stringify(mark))
      .sadd(this.keys.subscriptionsWithDisabled, id)
      .exec();
    await this.announce(id);
  }

  /** Reads the disabled marks of a subscription's targets. */
  async disabledTargets(id: string): Promise<Map<string, DisabledMark>> {
    const marks = await this.redis.hgetall(this.keys.subscriptionDisabled(id));
    return new Map(
      Object.entries(marks).map(([target, json]) => [
        target,
        JSON.parse(json) as DisabledMark,
      ]),
    );
  }

  /** Reads the change counter, which grows on every write. */
  async version(): Promise<number> {
    return Number((await this.redis.get(this.keys.subscriptionsVersion)) ?? 0);
  }

  private async announce(id: string): Promise<void> {
    const version = await this.redis.incr(this.keys.subscriptionsVersion);
    await this.redis.publish(
      this.keys.subscriptionsChannel,
      `${version} ${id}`,
    );
  }
}

/** Copies the disabled marks onto the subscription's targets. */
export function applyMarks(
  subscription: Subscription,
  marks: Record<string, string>,
): Subscription {
  if (Object.keys(marks).length === 0) return subscription;
  const mark = (target: Target): Target => {
    const json = marks[target.id];
    const marked = json
      ? { ...target, disabled: JSON.parse(json) as DisabledMark }
      : target;
    return marked.fallback
      ? { ...marked, fallback: mark(marked.fallback) }
      : marked;
  };
  return { ...subscription, dispatch: subscription.dispatch.map(mark) };
}
