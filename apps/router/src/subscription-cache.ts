import { PatternMatcher } from '@signalpost/patterns';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type { SubscriptionStore } from '@signalpost/store';
import type { Subscription } from '@signalpost/subscriptions';

/** How often the cache compares its version with Redis, as a safety net for missed messages. */
const VERSION_CHECK_MS = 500;

/**
 * The router's in-memory copy of the enabled subscriptions and their
 * pattern trie. A pub/sub message per change updates one subscription; a
 * version counter polled every {@link VERSION_CHECK_MS} catches anything the
 * subscriber missed and triggers a full reload, so changes apply within 1 s.
 */
export class SubscriptionCache {
  private matcher = new PatternMatcher<string>();
  private byId = new Map<string, Subscription>();
  private version = -1;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly store: SubscriptionStore,
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly keys: RedisKeys,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Loads everything and starts following changes. */
  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => {
      void this.applyMessage(message).catch(this.onError);
    });
    await this.subscriber.subscribe(this.keys.subscriptionsChannel);
    await this.reload();
    this.timer = setInterval(
      () => void this.checkVersion().catch(this.onError),
      VERSION_CHECK_MS,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Enabled subscriptions whose pattern matches the type, each once. */
  match(type: string): Subscription[] {
    const result: Subscription[] = [];
    for (const id of this.matcher.match(type)) {
      const subscription = this.byId.get(id);
      if (subscription) result.push(subscription);
    }
    return result;
  }

  /** Number of enabled subscriptions in the trie. */
  get size(): number {
    return this.byId.size;
  }

  private async applyMessage(message: string): Promise<void> {
    const [versionText, id] = message.split(' ', 2);
    const version = Number(versionText);
    if (!id) return;
    await this.refreshOne(id);
    if (version === this.version + 1) this.version = version;
    else if (version > this.version) await this.reload();
  }

  private async checkVersion(): Promise<void> {
    const current = Number(
      (await this.redis.get(this.keys.subscriptionsVersion)) ?? 0,
    );
    if (current !== this.version) await this.reload();
  }

  private async refreshOne(id: string): Promise<void> {
    const subscription = await this.store.get(id);
    this.remove(id);
    if (subscription?.enabled) this.insert(subscription);
  }

  private reload(): Promise<void> {
    this.reloading ??= this.loadAll().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async loadAll(): Promise<void> {
    const version = Number(
      (await this.redis.get(this.keys.subscriptionsVersion)) ?? 0,
    );
    const subscriptions = await this.store.all();
    const matcher = new PatternMatcher<string>();
    const byId = new Map<string, Subscription>();
    for (const subscription of subscriptions) {
      if (!subscription.enabled) continue;
      matcher.add(subscription.pattern, subscription.id);
      byId.set(subscription.id, subscription);
    }
    this.matcher = matcher;
    this.byId = byId;
    this.version = version;
  }

  private insert(subscription: Subscription): void {
    this.matcher.add(subscription.pattern, subscription.id);
    this.byId.set(subscription.id, subscription);
  }

  private remove(id: string): void {
    const previous = this.byId.get(id);
    if (!previous) return;
    this.matcher.remove(previous.pattern, id);
    this.byId.delete(id);
  }
}
