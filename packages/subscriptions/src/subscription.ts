import type { RetryPolicy } from '@signalpost/delivery-policy';

/** Where a signing secret comes from; resolved by the worker at each attempt. */
export type SecretSource =
  string | { readonly env: string } | { readonly file: string };

/** Signature schemes a webhook target may use. */
export type SignatureSchemeName = 'standard-webhooks' | 'hmac-sha256' | 'jido';

/** Body formats a webhook target may use. */
export type WebhookFormat =
  'json' | 'cloudevents-structured' | 'cloudevents-binary';

/** Circuit breaker settings of a target, shared per origin. */
export interface CircuitBreakerOptions {
  /** Requests needed in the window before the circuit may open. @defaultValue 5 */
  readonly failureThreshold: number;
  /** Percentage of failed requests that opens it. @defaultValue 50 */
  readonly errorThresholdPercentage: number;
  /** @defaultValue 60000 */
  readonly failureWindowMs: number;
  /** Time open before the trial requests. @defaultValue 300000 */
  readonly recoveryTimeoutMs: number;
  /** Trial requests across all workers when half-open. @defaultValue 1 */
  readonly halfOpenMaxCalls: number;
}

/** Token bucket of a target. */
export interface RateLimitOptions {
  readonly requests: number;
  readonly windowMs: number;
  /** Bucket capacity. @defaultValue `requests` */
  readonly burst?: number;
  /** Bucket key shared by several targets. @defaultValue the target id */
  readonly key?: string;
}

/** Fixed-window throttle per (subscription, key), applied by the router. */
export interface ThrottleOptions {
  /** JSONata over the signal; a missing key counts as `""`. */
  readonly key: string;
  readonly maxCalls: number;
  readonly windowMs: number;
}

/** Set on a target after it responded 410 Gone; a PUT clears it. */
export interface DisabledMark {
  readonly at: string;
  readonly reason: string;
}

interface TargetBase {
  /** Unique within the subscription. @defaultValue `<subscription id>#<index>` */
  readonly id: string;
  /** @defaultValue `dead-letters` */
  readonly deadLetterQueue: string;
  readonly disabled?: DisabledMark;
}

export interface WebhookTarget extends TargetBase {
  readonly adapter: 'webhook';
  readonly url: string;
  /** @defaultValue `POST` */
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly headers: Readonly<Record<string, string>>;
  /** @defaultValue `json` */
  readonly format: WebhookFormat;
  /** Deadline of the whole request. @defaultValue 10000 */
  readonly timeoutMs: number;
  /** Secrets, several while one rotates; none means unsigned. */
  readonly secret?: readonly SecretSource[];
  /** @defaultValue `standard-webhooks` */
  readonly signature: SignatureSchemeName;
  /**
   * Header of the `hmac-sha256` scheme, set on targets of that scheme only.
   * @defaultValue `X-Signature-256`
   */
  readonly signatureHeader?: string;
  readonly transform?: { readonly name: string } | { readonly jsonata: string };
  readonly retry: RetryPolicy;
  readonly circuitBreaker: CircuitBreakerOptions;
  /** Requests in flight at once across all workers. @defaultValue 10 */
  readonly maxInFlight: number;
  readonly rateLimit?: RateLimitOptions;
  readonly throttle?: ThrottleOptions;
  /** JSONata over the signal, sent as `Idempotency-Key`. */
  readonly idempotencyKey?: string;
  readonly fallback?: Target;
}

export interface LoggerTarget extends TargetBase {
  readonly adapter: 'logger';
  /** pino level of the line. @defaultValue `info` */
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly throttle?: ThrottleOptions;
  readonly fallback?: Target;
}

export interface ConsoleTarget extends TargetBase {
  readonly adapter: 'console';
  readonly throttle?: ThrottleOptions;
  readonly fallback?: Target;
}

export interface NoopTarget extends TargetBase {
  readonly adapter: 'noop';
  readonly throttle?: ThrottleOptions;
  readonly fallback?: Target;
}

export type Target = WebhookTarget | LoggerTarget | ConsoleTarget | NoopTarget;

/** A subscription as stored in Redis, with defaults filled in. */
export interface Subscription {
  readonly id: string;
  readonly pattern: string;
  readonly enabled: boolean;
  /** JSONata that must evaluate to true for a signal to be routed. */
  readonly filter?: string;
  readonly dispatch: readonly Target[];
  /** `config` when declared in the config file, read-only through the API. */
  readonly managedBy: 'api' | 'config';
  /** Bumped on every write; workers and caches key on it. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}
