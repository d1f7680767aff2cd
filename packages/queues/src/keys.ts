/**
 * Redis key layout. Every key starts with the hash-tagged prefix, so all of
 * Signalpost's keys, queues included, share one Redis Cluster slot.
 */
export function redisKeys(prefix: string) {
  return Object.freeze({
    /** Hash: subscription id → subscription JSON. */
    subscriptions: `${prefix}:subscriptions`,
    /** Sorted set of subscription ids, for ordered listing. */
    subscriptionIds: `${prefix}:subscription-ids`,
    /** Hash: target id → disabled mark of one subscription. */
    subscriptionDisabled: (subscriptionId: string) =>
      `${prefix}:subscription-disabled:${subscriptionId}`,
    /** Set: ids of subscriptions with a disabled target. */
    subscriptionsWithDisabled: `${prefix}:subscriptions-with-disabled`,
    /** Counter bumped on every subscription change. */
    subscriptionsVersion: `${prefix}:subscriptions:version`,
    /** Pub/sub channel announcing a changed subscription id. */
    subscriptionsChannel: `${prefix}:subscriptions:changed`,
    /** Lock held while the config file's subscriptions are applied. */
    configLock: `${prefix}:config-lock`,
    /** String: the job id that first carried a `(source, id)`. */
    dedup: (identity: string) => `${prefix}:dedup:${identity}`,
    /** Hash: a signal's record. */
    signal: (identity: string) => `${prefix}:signal:${identity}`,
    /** Sorted set: delivery ids of a signal, by creation time. */
    signalDeliveries: (identity: string) =>
      `${prefix}:signal:${identity}:deliveries`,
    /** Set: identities of the signals that carry an id. */
    signalsById: (id: string) => `${prefix}:signal-id:${id}`,
    /** Hash: a delivery's record. */
    delivery: (deliveryId: string) => `${prefix}:delivery:${deliveryId}`,
    /** List: a delivery's attempts, JSON each. */
    deliveryAttempts: (deliveryId: string) =>
      `${prefix}:delivery:${deliveryId}:attempts`,
    /** Hash: an Idempotency-Key's state. */
    idempotency: (apiKeyHash: string, keyHash: string) =>
      `${prefix}:idempotency:${apiKeyHash}:${keyHash}`,
    /** Hash: a dead-letter entry. */
    deadLetter: (entryId: string) => `${prefix}:dead-letter:${entryId}`,
    /** Sorted set: entry ids of one dead-letter queue, by time. */
    deadLetterQueue: (queue: string) => `${prefix}:dead-letter-queue:${queue}`,
    /** Sorted set: entry ids of every dead-letter queue, by time. */
    deadLetterAll: `${prefix}:dead-letter-all`,
    /** Set: names of the dead-letter queues in use. */
    deadLetterQueues: `${prefix}:dead-letter-queues`,
    /** Hash: the delivery ledger's counters. */
    ledger: `${prefix}:ledger`,
    /** Token bucket of a rate limit key. */
    bucket: (key: string) => `${prefix}:bucket:${key}`,
    /** Sorted set of in-flight leases of a target. */
    inFlight: (targetKey: string) => `${prefix}:in-flight:${targetKey}`,
    /** String: the last return time of a target's held deliveries and its spacing, in ms. */
    holdSchedule: (targetKey: string) => `${prefix}:hold-schedule:${targetKey}`,
    /** Throttle window of a (subscription, key). */
    throttle: (subscriptionId: string, keyHash: string) =>
      `${prefix}:throttle:${subscriptionId}:${keyHash}`,
    /** Hash: shared circuit breaker state of an origin. */
    breaker: (origin: string) => `${prefix}:breaker:${origin}`,
    /** Set: origins with breaker state, for the metrics. */
    breakers: `${prefix}:breakers`,
    /** Rate limit of the ingest API per key. */
    ingestLimit: (apiKeyHash: string) => `${prefix}:ingest-limit:${apiKeyHash}`,
  });
}

export type RedisKeys = ReturnType<typeof redisKeys>;
