import CircuitBreaker from 'opossum';
import { assertNonNegativeNumber } from './assert-argument';
import { CircuitOpenError } from './circuit-open-error';
import {
  assertCircuitKeys,
  assertCircuitSettings,
  type CircuitKeys,
  type CircuitOutcome,
  type CircuitSettings,
  type CircuitState,
} from './circuit-settings';
import type {
  CircuitAdmission,
  CircuitAdmitted,
  CircuitRejected,
  CircuitStatus,
  SharedCircuitBreaker,
} from './shared-circuit-breaker';

/** Maximum delay of a Node.js timer. A longer delay fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * How long a window count from Redis stays usable for batching, in batch
 * delays. A batch starts in the first half of this horizon, so its timer
 * fires by the middle, and the second half is left for the send.
 */
const COUNT_HORIZON_BATCHES = 20;

/**
 * Requests, in multiples of `failureThreshold`, that must stay counted in
 * the window while a worker delays successes.
 */
const MIN_BATCHING_THRESHOLDS = 10;

/** A worker delays at most one success per this many such requests. */
const LASTING_REQUESTS_PER_UNSENT_SUCCESS = 100;

/** Options of {@link createOriginBreaker}. */
export interface OriginBreakerOptions {
  /**
   * Clock for the wait reported when the local breaker rejects a request,
   * in milliseconds since the epoch.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /**
   * Receives an error from recording an outcome in Redis. The request has
   * been sent by then, so `fire` still returns its result.
   * @defaultValue undefined: `fire` throws the error instead of the result
   */
  readonly onRecordError?: (error: unknown) => void;
  /**
   * Max delay, in milliseconds, of successes of ordinary requests while
   * the circuit is closed. They are counted locally and sent to Redis in
   * one call at the latest this long after the first, or earlier with the
   * next other outcome. 0 sends every outcome at once. Batching applies
   * only with `onRecordError`, because a late send has no caller to throw
   * to. Successes not sent by shutdown are not counted.
   *
   * A worker delays successes only while its last reply from Redis showed
   * enough requests that stay in the window until the batch is sent: at
   * least 100, and at least 10 × `failureThreshold`. It delays at most 1 %
   * of them. Below that volume no success waits in a batch, so Redis
   * decides as it would without batching.
   * NOTE: above that volume Redis may count one worker's failure before
   * another worker's delayed successes. With n workers delaying successes,
   * the failure percentage it counts is then at most (1 + n / 100) times
   * the percentage over all outcomes. This holds while each batch reaches
   * Redis within 10 batch delays, or half of `recoveryTimeoutMs` if that
   * is shorter, after its timer was due.
   * @defaultValue 0
   */
  readonly successBatchMs?: number;
}

/** Options of {@link OriginCircuitBreaker.fire}. */
export interface FireOptions {
  /**
   * Whether the caller has just read the circuit as closed in Redis, in the
   * script that took its other resources. `fire` then skips the admit call.
   * @defaultValue false
   */
  readonly knownClosed?: boolean;
}

/** A request run by `fire`, with its result or error and how it counts. */
type Settled<T> = { readonly outcome: CircuitOutcome } & (
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown }
);

type Attempt = () => Promise<unknown>;

/**
 * Carries a request that did not succeed through opossum, which counts a
 * rejected action as a failure unless its `errorFilter` returns true.
 */
class UnsuccessfulRequest extends Error {
  constructor(readonly settled: Settled<unknown>) {
    super(`request counted as ${settled.outcome}`);
  }
}

/**
 * The circuit of one origin in one worker process: an opossum breaker that
 * mirrors the state shared in Redis.
 *
 * Redis decides: {@link SharedCircuitBreaker} admits each request, counts
 * outcomes across all workers and opens, half-opens and closes the circuit.
 * opossum contributes the local view. While it is open, requests are
 * rejected without a Redis round trip, and its timer half-opens it when
 * the shared open period ends. It also emits `open`, `halfOpen`, `close`,
 * `reject`, `success` and `failure` events and keeps rolling stats. It
 * opens only when Redis reports the circuit open or a trial fails in its
 * half-open state, never on its own stats. Its timeout is off, because the
 * request's AbortSignal aborts a slow request.
 *
 * The local state may lag behind Redis, and it never admits a request that
 * Redis rejects. Because opossum cannot be put into half-open directly, a
 * worker that has not seen the circuit open reads it as closed until Redis
 * rejects a request, and an ignored trial closes opossum while Redis stays
 * half-open. opossum's `reject` event and stats count requests rejected
 * while open, but not those rejected because every trial permit is taken.
 */
export class OriginCircuitBreaker {
  /** The local opossum breaker, for its events and stats. */
  readonly breaker: CircuitBreaker<[Attempt], unknown>;
  private readonly breakerOptions: CircuitBreaker.Options<[Attempt]>;
  private readonly now: () => number;
  private readonly onRecordError: ((error: unknown) => void) | undefined;
  private readonly successBatchMs: number;
  /** Horizon passed to `record` for `lastingRequests`, 0 without batching. */
  private readonly countHorizonMs: number;
  private localOpenUntilMs = 0;
  private unsentSuccesses = 0;
  private sendTimer: NodeJS.Timeout | undefined;
  /** The last `lastingRequests` from Redis, 0 while unknown. */
  private lastingRequests = 0;
  /** When the call that read `lastingRequests` was sent (`performance.now`). */
  private countSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly shared: SharedCircuitBreaker,
    readonly keys: CircuitKeys,
    readonly settings: CircuitSettings,
    options: OriginBreakerOptions = {},
  ) {
    assertCircuitKeys(keys);
    assertCircuitSettings(settings);
    const successBatchMs = options.successBatchMs ?? 0;
    assertNonNegativeNumber('successBatchMs', successBatchMs);
    this.now = options.now ?? Date.now;
    this.onRecordError = options.onRecordError;
    this.successBatchMs = options.onRecordError ? successBatchMs : 0;
    // An open followed by a close clears the window and takes more than
    // recoveryTimeoutMs, so a horizon no longer than that never spans both.
    this.countHorizonMs = Math.floor(
      Math.min(
        COUNT_HORIZON_BATCHES * this.successBatchMs,
        settings.recoveryTimeoutMs,
      ),
    );
    // opossum keeps this object, so a later resetTimeout applies to the next open.
    this.breakerOptions = {
      name: keys.origin,
      timeout: false,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      resetTimeout: timerMs(settings.recoveryTimeoutMs),
      errorFilter: (error) => !isCountedFailure(error),
      // Nothing reads opossum's latency percentiles or snapshots. With them
      // on, opossum 9 keeps every latency of its 10 s window and sorts the
      // whole window each second and on each failure.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    };
    this.breaker = new CircuitBreaker(
      (attempt: Attempt) => attempt(),
      this.breakerOptions,
    );
    // opossum half-opens once resetTimeout has passed since the open.
    this.breaker.on('open', () => {
      const resetTimeoutMs = this.breakerOptions.resetTimeout ?? 0;
      this.localOpenUntilMs = this.now() + resetTimeoutMs;
      // Opening clears the window, so every count read before is stale.
      this.lastingRequests = 0;
      this.countSentAtMs = performance.now();
    });
  }

  /** The circuit as this worker last saw it. Redis may be ahead. */
  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  /**
   * Sends one request through the circuit: checks admission in Redis, runs
   * `fn` through opossum, and records the outcome in Redis. `fn` is not
   * called when the circuit rejects the request.
   *
   * @param classify - how a result of `fn` counts for the circuit
   * @param classifyError - how an error thrown by `fn` counts.
   *   @defaultValue every error counts as a failure
   * @returns the result of `fn`, whatever it counted as
   * @throws CircuitOpenError when the circuit is open, or half-open with
   *   every trial permit taken. While this worker's opossum breaker is
   *   open, `retryAfterMs` is the time until it half-opens.
   * @throws the Redis client's error when admission fails, before `fn` runs
   * @throws the error thrown by `fn`, after its outcome is recorded
   */
  async fire<T>(
    fn: () => Promise<T>,
    classify: (result: T) => CircuitOutcome,
    classifyError: (error: unknown) => CircuitOutcome = countAsFailure,
    options: FireOptions = {},
  ): Promise<T> {
    // After shutdown opossum rejects with ESHUTDOWN and never calls the action.
    if (this.breaker.isShutdown) {
      return this.breaker.fire(notCalled) as Promise<never>;
    }
    if (this.breaker.opened) return this.rejectWhileOpen();
    // A closed circuit admits without writing anything, so a fresh read of
    // "closed" has the same effect as the admit call.
    const admission: CircuitAdmission = options.knownClosed
      ? { admitted: true, trial: false }
      : await this.shared.admit(this.keys, this.settings);
    if (!admission.admitted) return this.reject(admission);

    const settled = await this.run(admission, () =>
      settle(fn, classify, classifyError),
    );
    await this.record(settled.outcome, admission);
    if (settled.ok) return settled.value;
    throw settled.error;
  }

  /**
   * Stops opossum's timers. Afterwards `fire` rejects with opossum's
   * `ESHUTDOWN` error and makes no Redis call.
   */
  shutdown(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.breaker.shutdown();
  }

  private async run<T>(
    admission: CircuitAdmitted,
    attempt: () => Promise<Settled<T>>,
  ): Promise<Settled<T>> {
    if (!admission.trial && !this.breaker.opened) this.breaker.close();
    // A trial that fails in opossum's half-open state reopens it at once.
    if (admission.trial) this.setResetTimeout(this.settings.recoveryTimeoutMs);
    if (!this.breaker.closed && !this.breaker.pendingClose) {
      // NOTE: opossum's half-open state lets one request through, so a
      // second trial admitted to this worker at once, or a request whose
      // admission raced a local open, runs outside opossum's stats.
      return attempt();
    }

    try {
      return (await this.breaker.fire(() =>
        throwUnlessSuccess(attempt),
      )) as Settled<T>;
    } catch (error) {
      if (error instanceof UnsuccessfulRequest) {
        return error.settled as Settled<T>;
      }
      throw error;
    }
  }

  private async record(
    outcome: CircuitOutcome,
    admission: CircuitAdmitted,
  ): Promise<void> {
    const permitId = admission.trial ? admission.permitId : undefined;
    if (outcome === 'success' && !admission.trial && this.mayDelaySuccess()) {
      this.unsentSuccesses += 1;
      this.sendTimer ??= setTimeout(
        () => void this.sendSuccesses(),
        this.successBatchMs,
      );
      return;
    }
    await this.send(outcome, permitId);
  }

  /**
   * Returns whether one more success may wait for a batch. The window must
   * contain enough requests that stay counted until the batch reaches Redis,
   * so a failure counted meanwhile is weighed against them. A new batch
   * starts only while the count is young enough for its timer to fire in
   * the first half of the count's horizon.
   */
  private mayDelaySuccess(): boolean {
    if (this.successBatchMs === 0 || !this.breaker.closed) return false;
    const minRequests =
      MIN_BATCHING_THRESHOLDS * this.settings.failureThreshold;
    if (this.lastingRequests < minRequests) return false;
    const maxUnsent = Math.floor(
      this.lastingRequests / LASTING_REQUESTS_PER_UNSENT_SUCCESS,
    );
    if (this.unsentSuccesses >= maxUnsent) return false;
    if (this.sendTimer !== undefined) return true;
    const startDeadlineMs =
      this.countSentAtMs + this.countHorizonMs / 2 - this.successBatchMs;
    return performance.now() <= startDeadlineMs;
  }

  private async sendSuccesses(): Promise<void> {
    this.sendTimer = undefined;
    if (this.unsentSuccesses === 0 || this.breaker.isShutdown) return;
    this.unsentSuccesses -= 1;
    await this.send('success', undefined);
  }

  /** Sends an outcome to Redis with the successes not sent yet. */
  private async send(
    outcome: CircuitOutcome,
    permitId: string | undefined,
  ): Promise<void> {
    const earlierSuccesses = this.unsentSuccesses;
    this.unsentSuccesses = 0;
    const sentAtMs = performance.now();
    try {
      const status = await this.shared.record(
        this.keys,
        this.settings,
        outcome,
        permitId,
        earlierSuccesses,
        this.countHorizonMs,
      );
      this.keepCount(status, sentAtMs);
      this.mirror(status);
    } catch (error) {
      if (!this.onRecordError) throw error;
      this.onRecordError(error);
    }
  }

  /** Keeps the count of the call sent last, whatever order replies come in. */
  private keepCount(status: CircuitStatus, sentAtMs: number): void {
    if (status.lastingRequests === undefined) return;
    if (sentAtMs < this.countSentAtMs) return;
    this.lastingRequests = status.lastingRequests;
    this.countSentAtMs = sentAtMs;
  }

  private mirror(status: CircuitStatus): void {
    if (status.state === 'open') {
      this.openLocally(status.retryAfterMs);
      return;
    }
    // A closed opossum breaker still checks with Redis before every request.
    if (status.state === 'closed' || this.breaker.opened) this.breaker.close();
  }

  private async reject(rejection: CircuitRejected): Promise<never> {
    if (rejection.state === 'open') {
      this.openLocally(rejection.retryAfterMs);
      return this.rejectWhileOpen();
    }
    const { origin } = this.keys;
    throw new CircuitOpenError(origin, 'half_open', rejection.retryAfterMs);
  }

  private async rejectWhileOpen(): Promise<never> {
    // opossum rejects without calling the action and counts the rejection.
    await this.breaker.fire(notCalled).catch(() => undefined);
    const retryAfterMs = Math.max(1, this.localOpenUntilMs - this.now());
    throw new CircuitOpenError(this.keys.origin, 'open', retryAfterMs);
  }

  private openLocally(retryAfterMs: number): void {
    if (this.breaker.opened) return;
    this.setResetTimeout(retryAfterMs);
    this.breaker.open();
  }

  private setResetTimeout(ms: number): void {
    this.breakerOptions.resetTimeout = timerMs(ms);
  }
}

/**
 * Creates the circuit of one origin for this worker process. Create one per
 * origin and keep it, because each keeps opossum timers running until
 * {@link OriginCircuitBreaker.shutdown}.
 *
 * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
 *   invalid keys or settings, or a negative `successBatchMs`
 */
export function createOriginBreaker(
  shared: SharedCircuitBreaker,
  keys: CircuitKeys,
  settings: CircuitSettings,
  options: OriginBreakerOptions = {},
): OriginCircuitBreaker {
  return new OriginCircuitBreaker(shared, keys, settings, options);
}

async function settle<T>(
  fn: () => Promise<T>,
  classify: (result: T) => CircuitOutcome,
  classifyError: (error: unknown) => CircuitOutcome,
): Promise<Settled<T>> {
  try {
    const value = await fn();
    return { outcome: classify(value), ok: true, value };
  } catch (error) {
    return { outcome: classifyError(error), ok: false, error };
  }
}

async function throwUnlessSuccess<T>(
  attempt: () => Promise<Settled<T>>,
): Promise<Settled<T>> {
  const settled = await attempt();
  if (settled.outcome === 'success') return settled;
  throw new UnsuccessfulRequest(settled);
}

function isCountedFailure(error: unknown): boolean {
  return (
    !(error instanceof UnsuccessfulRequest) ||
    error.settled.outcome === 'failure'
  );
}

function countAsFailure(): CircuitOutcome {
  return 'failure';
}

function notCalled(): Promise<unknown> {
  return Promise.reject(new Error('opossum called the action while open'));
}

function timerMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
