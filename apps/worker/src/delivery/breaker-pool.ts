import {
  SharedCircuitBreaker,
  createOriginBreaker,
  type CircuitSettings,
  type OriginCircuitBreaker,
  type RedisClient,
} from '@signalpost/delivery-policy';
import type { Logger } from '@signalpost/observability';
import type { RedisKeys } from '@signalpost/queues';

/**
 * Max delay before successes reach the shared circuit, in milliseconds.
 * Failures are sent at once with the successes before them, so batching
 * never delays an open. It saves a Redis round trip on most deliveries to
 * a busy origin. While an origin's window contains few requests, every
 * outcome is sent at once, so batching cannot open its circuit early.
 */
const SUCCESS_BATCH_MS = 100;

/** Target URLs whose origin is kept; past it the map starts over. */
const MAX_KEPT_ORIGINS = 10_000;

/**
 * One circuit breaker per target origin in this worker process, its state
 * shared with every other worker through Redis.
 */
export class BreakerPool {
  private readonly shared: SharedCircuitBreaker;
  private readonly breakers = new Map<string, OriginCircuitBreaker>();
  /** Origin of each target URL seen, so most attempts parse no URL. */
  private readonly origins = new Map<string, string>();

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {
    this.shared = new SharedCircuitBreaker(redis);
  }

  /**
   * The breaker of a URL's origin. Targets on one origin share its circuit;
   * the settings of the first target seen for an origin apply to it.
   */
  forUrl(url: string, settings: CircuitSettings): OriginCircuitBreaker {
    const origin = this.originOf(url);
    const existing = this.breakers.get(origin);
    if (existing) return existing;
    const keys = {
      breaker: this.keys.breaker(origin),
      registry: this.keys.breakers,
      origin,
    };
    const breaker = createOriginBreaker(this.shared, keys, settings, {
      successBatchMs: SUCCESS_BATCH_MS,
      onRecordError: (error) =>
        this.logger.warn(
          { err: error, origin },
          'circuit outcome not recorded',
        ),
    });
    this.breakers.set(origin, breaker);
    return breaker;
  }

  private originOf(url: string): string {
    let origin = this.origins.get(url);
    if (origin === undefined) {
      origin = new URL(url).origin;
      if (this.origins.size >= MAX_KEPT_ORIGINS) this.origins.clear();
      this.origins.set(url, origin);
    }
    return origin;
  }

  /** Stops every breaker's timers. */
  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }
}
