/**
 * A signal to publish: CloudEvents 1.0 attribute names. The API fills in
 * `id` (a UUIDv7), `specversion`, `time` and `datacontenttype` when absent,
 * and rejects anything out of its rules with `validation_failed`.
 */
export interface SignalInput {
  /** Dot-separated segments of `[A-Za-z0-9_-]+`, such as `order.created`. */
  readonly type: string;
  /** The producer. The pair `(source, id)` is the signal's identity. */
  readonly source: string;
  /** At most 256 characters. A repeat of a seen `(source, id)` is a duplicate. */
  readonly id?: string;
  readonly specversion?: string;
  /** RFC 3339 timestamp. */
  readonly time?: string;
  readonly subject?: string;
  readonly dataschema?: string;
  readonly datacontenttype?: string;
  /** Any JSON value. */
  readonly data?: unknown;
  /** Binary data in base64, set instead of `data`, never with it. */
  readonly data_base64?: string;
  /** Extension attributes named `[a-z0-9]{1,20}`, with scalar values. */
  readonly [extension: string]: unknown;
}

/** A signal as the API stores it, with its defaults filled in. */
export interface StoredSignal extends SignalInput {
  readonly id: string;
  readonly specversion: string;
  readonly time: string;
}

/** Response of a single publish. */
export interface PublishResult {
  /** The signal's id, which for a duplicate is the id of the original. */
  readonly id: string;
  /** True when the signal or the idempotency key was seen before. */
  readonly duplicate: boolean;
}

/** Response of a batch publish. */
export interface BatchPublishResult {
  /** Ids of the signals stored by this request. */
  readonly accepted: readonly string[];
  /** Ids of the signals that were seen before and fanned out nothing. */
  readonly duplicates: readonly string[];
}

/** Options of a publish call. */
export interface PublishOptions {
  /**
   * `Idempotency-Key` of the request, 1 to 255 characters, scoped to the API
   * key. Every retry of the call sends the same key.
   * @defaultValue a new `crypto.randomUUID()` per call
   */
  readonly idempotencyKey?: string;
}

/** One attempt of a delivery. */
export interface DeliveryAttempt {
  /** 1 for the first attempt. */
  readonly number: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly durationMs: number;
  /** `timeout`, `connection`, `dns`, `tls`, `http` or `refused_target`. */
  readonly errorClass?: string;
  readonly errorMessage?: string;
  /** The first 4 KiB of the response body. */
  readonly responseBody?: string;
}

/** A delivery of a signal to one target. */
export interface Delivery {
  readonly id: string;
  readonly signalId: string;
  readonly source: string;
  readonly subscriptionId: string;
  readonly targetId: string;
  /**
   * `pending`, `scheduled`, `in_flight`, `delivered`, `dead_lettered`,
   * `throttled` or `dropped`.
   */
  readonly state: string;
  readonly nextAttemptAt?: string;
  /** Reason for the scheduled retry or for the final state. */
  readonly reason?: string;
  readonly createdAt: string;
  readonly updatedAt?: string;
  /** The delivery that this fallback delivery replaces. */
  readonly fallbackOf?: string;
  /** The delivery this one replays from the dead letters. */
  readonly replayOf?: string;
  readonly attempts: readonly DeliveryAttempt[];
}

/** Response of `GET /v1/signals/:id`: the signal and its deliveries. */
export interface SignalRecord {
  readonly signal: StoredSignal;
  /** `routing`, `routed`, `unmatched` or `filtered`. */
  readonly state: string;
  readonly receivedAt: string;
  readonly routedAt?: string;
  readonly deliveries: readonly Delivery[];
  /**
   * Matched targets that got no delivery because a 410 Gone disabled them,
   * or absent when there were none.
   */
  readonly skippedTargets?: readonly {
    readonly subscriptionId: string;
    readonly targetId: string;
    readonly reason: 'target_disabled';
  }[];
}

/** A subscription as the API returns it, with secrets redacted. */
export interface Subscription {
  readonly id: string;
  readonly pattern: string;
  readonly enabled: boolean;
  readonly filter?: string;
  /** The targets, each with an `id` and an `adapter` among other fields. */
  readonly dispatch: readonly SubscriptionTarget[];
  /** `config` when declared in the config file, read-only through the API. */
  readonly managedBy: 'api' | 'config';
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A target of a subscription, as the API returns it. */
export interface SubscriptionTarget {
  readonly id: string;
  /** `webhook`, `logger`, `console` or `noop`. */
  readonly adapter: string;
  readonly url?: string;
  /**
   * Set when the target responded 410 Gone. Matching signals create no
   * delivery for it until the subscription is saved again.
   */
  readonly disabled?: { readonly at: string; readonly reason: string };
  readonly [field: string]: unknown;
}

/**
 * The body of a subscription create or replace. The API validates it and
 * rejects it with `validation_failed` and the faulty paths in `details`.
 */
export interface SubscriptionInput {
  readonly id?: string;
  readonly pattern: string;
  readonly enabled?: boolean;
  readonly filter?: string;
  /** One target object or an array of them. */
  readonly dispatch: unknown;
  readonly [field: string]: unknown;
}

/** A dead-letter entry. */
export interface DeadLetterEntry {
  readonly id: string;
  readonly queue: string;
  /** `delivery`, or `signal` for a signal the router could not handle. */
  readonly kind: 'delivery' | 'signal';
  readonly signalId: string | null;
  readonly subscriptionId: string | null;
  readonly targetId: string | null;
  readonly deliveryId: string | null;
  /** Such as `retries_exhausted`, `non_retryable_status` or `invalid_job`. */
  readonly reason: string;
  readonly message?: string;
  readonly attempts: number;
  readonly signal: unknown;
  /** The target, with its secret redacted. */
  readonly target: unknown;
  readonly createdAt: string;
  readonly replayed?: { readonly at: string; readonly deliveryId: string };
}

/** Response of a dead-letter replay. */
export interface ReplayResult {
  /** The new delivery, sent under the original `webhook-id`. */
  readonly deliveryId: string;
}

/** One page of a list route. */
export interface Page<T> {
  readonly data: readonly T[];
  /** The `cursor` of the next page, or null on the last page. */
  readonly nextCursor: string | null;
}

/** Paging options of a list call. */
export interface PageOptions {
  /** Items per page, 1 to 1000. @defaultValue 100 (set by the API) */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** Options of a dead-letter listing. */
export interface DeadLetterListOptions extends PageOptions {
  /** Only entries of this dead-letter queue. */
  readonly queue?: string;
  /** Only entries of this subscription. */
  readonly subscription?: string;
}

/** Options of a signal lookup. */
export interface GetSignalOptions {
  /** Picks one signal when several sources used the same id. */
  readonly source?: string;
}
