import type { Queue } from 'bullmq';
import type { InFlightLimiter, TokenBucket } from '@signalpost/delivery-policy';
import type { Logger, Metrics } from '@signalpost/observability';
import type { RedisKeys } from '@signalpost/queues';
import type {
  AttemptStore,
  DeadLetterStore,
  DeliveryStore,
  SignalStore,
  SubscriptionStore,
} from '@signalpost/store';
import type {
  ExpressionCache,
  TransformRegistry,
} from '@signalpost/transforms';
import type { PreDispatchHook } from '@signalpost/plugins';
import type { BreakerPool } from './breaker-pool';
import type { InFlightHoldDelays } from './in-flight-hold-delays';
import type { SubscriptionCopies } from './subscription-copies';
import type { WebhookClient } from '../adapters/webhook-client';

/** Services a worker process shares across its deliveries. */
export interface WorkerDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly keys: RedisKeys;
  readonly subscriptions: SubscriptionStore;
  readonly signals: SignalStore;
  readonly deliveries: DeliveryStore;
  /** The per-attempt scripts: state and subscription, lease, success. */
  readonly attempts: AttemptStore;
  readonly subscriptionCopies: SubscriptionCopies;
  readonly deadLetters: DeadLetterStore;
  readonly deliveriesQueue: Queue;
  readonly webhooks: WebhookClient;
  readonly breakers: BreakerPool;
  readonly buckets: TokenBucket;
  readonly inFlight: InFlightLimiter;
  /** Delays of deliveries held back by their target's `maxInFlight`. */
  readonly inFlightHolds: InFlightHoldDelays;
  readonly transforms: TransformRegistry;
  /** Pre-dispatch hooks from `SIGNALPOST_PLUGINS`, run before every attempt. */
  readonly hooks: readonly PreDispatchHook[];
  readonly expressions: ExpressionCache;
  readonly userAgent: string;
  readonly metricsTargetLabels: boolean;
}
