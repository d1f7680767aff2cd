import type { Queue } from 'bullmq';
import type { SignalpostConfig } from '@signalpost/config';
import type { InboundSourceConfig } from '@signalpost/inbound';
import type { AllowRule } from '@signalpost/net-guard';
import type { Logger, Metrics } from '@signalpost/observability';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type {
  DeadLetterStore,
  DeliveryStore,
  IdempotencyStore,
  SignalStore,
  SubscriptionStore,
} from '@signalpost/store';
import type { IngestRateLimit } from './middleware/ingest-rate-limit-option';

/** Everything the API's routes share, built once at start. */
export interface ApiContext {
  readonly config: SignalpostConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Fails fast while Redis is down, so requests return 503 in time. */
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly signalsQueue: Queue;
  readonly deliveriesQueue: Queue;
  readonly subscriptions: SubscriptionStore;
  readonly signals: SignalStore;
  readonly deliveries: DeliveryStore;
  readonly deadLetters: DeadLetterStore;
  readonly idempotency: IdempotencyStore;
  readonly allowRules: readonly AllowRule[];
  readonly transformNames: ReadonlySet<string>;
  /** Inbound webhook sources of the config file by name, validated at start. */
  readonly inboundSources: ReadonlyMap<string, InboundSourceConfig>;
  /** Limit of `POST /v1/signals` per API key, or undefined for no limit. */
  readonly ingestRateLimit?: IngestRateLimit;
}
