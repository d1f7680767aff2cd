import type { Subscription } from '@signalpost/subscriptions';

/** Max copies kept. Past it the oldest copy is dropped. */
const MAX_COPIES = 10_000;

/**
 * Max time a copy is used, in milliseconds. Every write bumps the
 * subscriptions version, which makes every copy stale at once. The age
 * limit also covers a write whose process died before it bumped the version.
 */
const MAX_AGE_MS = 30_000;

interface Copy {
  readonly version: string;
  readonly subscription: Subscription;
  readonly readAtMs: number;
}

/**
 * The worker's parsed copies of subscriptions, each tagged with the
 * subscriptions version it was read at. An attempt sends the version of
 * its copy, and Redis sends the subscription back only when the version
 * has moved on, so most attempts skip reading and parsing it.
 */
export class SubscriptionCopies {
  private readonly copies = new Map<string, Copy>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The version of the copy of `id` to send with an attempt, if any. */
  versionOf(id: string): string | undefined {
    const copy = this.copies.get(id);
    if (!copy) return undefined;
    if (this.now() - copy.readAtMs <= MAX_AGE_MS) return copy.version;
    this.copies.delete(id);
    return undefined;
  }

  /** Returns the copy of `id` at `version`, if this worker has it. */
  get(id: string, version: string): Subscription | undefined {
    const copy = this.copies.get(id);
    return copy?.version === version ? copy.subscription : undefined;
  }

  /** Keeps a subscription as read at `version`. `null` drops the copy. */
  set(id: string, version: string, subscription: Subscription | null): void {
    this.copies.delete(id);
    if (!subscription) return;
    if (this.copies.size >= MAX_COPIES) {
      const oldest = this.copies.keys().next();
      if (!oldest.done) this.copies.delete(oldest.value);
    }
    this.copies.set(id, { version, subscription, readAtMs: this.now() });
  }
}
