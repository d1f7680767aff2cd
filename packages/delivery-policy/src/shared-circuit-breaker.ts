import { randomUUID } from 'node:crypto';
import {
  assertCount,
  assertPositiveInteger,
  invalidArgument,
} from './assert-argument';
import {
  assertCircuitKeys,
  assertCircuitSettings,
  type CircuitKeys,
  type CircuitOutcome,
  type CircuitSettings,
  type CircuitState,
} from './circuit-settings';
import {
  CIRCUIT_ADMIT_LUA,
  CIRCUIT_RECORD_LUA,
  CIRCUIT_STATE_LUA,
} from './lua/circuit-breaker';
import { LuaScript, type RedisClient } from './lua-script';

const ADMIT_SCRIPT = new LuaScript('circuit admit', CIRCUIT_ADMIT_LUA);
const RECORD_SCRIPT = new LuaScript('circuit record', CIRCUIT_RECORD_LUA);
const STATE_SCRIPT = new LuaScript('circuit state', CIRCUIT_STATE_LUA);
const STATES: readonly CircuitState[] = ['closed', 'half_open', 'open'];
const OUTCOMES: readonly CircuitOutcome[] = ['success', 'failure', 'ignored'];

/** Options of a {@link SharedCircuitBreaker}. */
export interface SharedCircuitBreakerOptions {
  /**
   * Lease of a trial permit, in milliseconds. A worker that dies during a
   * trial frees its permit when the lease ends, so the lease must outlast
   * the slowest request: a target's `timeoutMs` is at most 60 000.
   * @defaultValue 65000
   */
  readonly trialLeaseMs?: number;
  /**
   * Wait reported to callers rejected while every trial permit of a
   * half-open circuit is taken, in milliseconds. Callers add jitter.
   * @defaultValue 1000
   */
  readonly busyRetryAfterMs?: number;
  /**
   * Buckets the rolling window is split into. More buckets drop old
   * outcomes closer to the exact window length, at the cost of more hash
   * fields per origin.
   * @defaultValue 20
   */
  readonly windowBuckets?: number;
}

/** Defaults of {@link SharedCircuitBreakerOptions}. */
export const DEFAULT_SHARED_CIRCUIT_BREAKER_OPTIONS = Object.freeze({
  trialLeaseMs: 65_000,
  busyRetryAfterMs: 1000,
  windowBuckets: 20,
});

/** An admitted request, either ordinary or a trial of a half-open circuit. */
export type CircuitAdmitted =
  | { readonly admitted: true; readonly trial: false }
  | {
      readonly admitted: true;
      readonly trial: true;
      /** Trial permit, to pass to {@link SharedCircuitBreaker.record}. */
      readonly permitId: string;
    };

/** A request rejected because the circuit is open or its trials are taken. */
export interface CircuitRejected {
  readonly admitted: false;
  /** Time until the request may be admitted, in milliseconds. */
  readonly retryAfterMs: number;
  /** `half_open` when every trial permit is taken. */
  readonly state: 'open' | 'half_open';
}

/** The result of one {@link SharedCircuitBreaker.admit}. */
export type CircuitAdmission = CircuitAdmitted | CircuitRejected;

/** The state of a circuit after {@link SharedCircuitBreaker.record}. */
export interface CircuitStatus {
  readonly state: CircuitState;
  /** Time until an open circuit half-opens, 0 otherwise, in milliseconds. */
  readonly retryAfterMs: number;
  /**
   * Requests counted in the rolling window that stay counted for at least
   * the `horizonMs` passed to `record`, unless the circuit opens first.
   * Present only when `horizonMs` is above 0, and 0 while the circuit is
   * not closed.
   */
  readonly lastingRequests?: number;
}

/**
 * A circuit breaker per origin whose state lives in Redis, so every worker
 * treats a circuit as open as soon as any worker opens it. Each call is one
 * atomic Lua script on Redis server time, and all keys of one circuit share
 * the breaker key's hash tag, so on Redis Cluster they live in one slot.
 * Requests admitted while the circuit was closed may still be in flight
 * when it opens. They are not recalled, and their outcomes no longer count.
 */
export class SharedCircuitBreaker {
  private readonly trialLeaseMs: number;
  private readonly busyRetryAfterMs: number;
  private readonly windowBuckets: number;

  constructor(
    private readonly redis: RedisClient,
    options: SharedCircuitBreakerOptions = {},
  ) {
    const merged = { ...DEFAULT_SHARED_CIRCUIT_BREAKER_OPTIONS, ...options };
    assertPositiveInteger('trialLeaseMs', merged.trialLeaseMs);
    assertPositiveInteger('busyRetryAfterMs', merged.busyRetryAfterMs);
    assertPositiveInteger('windowBuckets', merged.windowBuckets);
    this.trialLeaseMs = merged.trialLeaseMs;
    this.busyRetryAfterMs = merged.busyRetryAfterMs;
    this.windowBuckets = merged.windowBuckets;
  }

  /**
   * Decides whether a request to the origin may go out now. A closed
   * circuit admits it. An open circuit rejects it until the recovery time
   * has passed, and then hands out at most `halfOpenMaxCalls` trial permits
   * at once across all workers, rejecting the rest for
   * {@link SharedCircuitBreakerOptions.busyRetryAfterMs}.
   *
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
   *   invalid keys or settings
   */
  async admit(
    keys: CircuitKeys,
    settings: CircuitSettings,
  ): Promise<CircuitAdmission> {
    assertCircuitKeys(keys);
    assertCircuitSettings(settings);
    const permitId = randomUUID();
    const args = [
      permitId,
      settings.halfOpenMaxCalls,
      this.trialLeaseMs,
      this.busyRetryAfterMs,
    ];
    const [admitted, trial, retryAfterMs, stateCode] =
      await ADMIT_SCRIPT.runForIntegers(
        this.redis,
        [keys.breaker, trialsKey(keys)],
        args,
        4,
      );

    if (admitted === 0) {
      const state = stateCode === 2 ? 'open' : 'half_open';
      return { admitted: false, retryAfterMs, state };
    }
    return trial === 1
      ? { admitted: true, trial: true, permitId }
      : { admitted: true, trial: false };
  }

  /**
   * Records how an admitted request ended and returns the circuit's state
   * afterwards. While closed, the circuit opens when, within
   * `failureWindowMs`, at least `failureThreshold` requests counted and at
   * least `errorThresholdPercentage` of them failed. A trial success closes
   * it and clears the window, a trial failure reopens it for
   * `recoveryTimeoutMs`, and an ignored trial frees its permit for another.
   * The origin is added to the registry set, for the metrics.
   *
   * NOTE: nothing removes an origin from the registry or deletes its
   * breaker hash, so both grow with every origin ever recorded.
   *
   * @param permitId - the permit of a trial admission. A permit that is no
   *   longer held, because its lease ended or another trial decided the
   *   circuit first, counts as an ordinary request.
   * @param earlierSuccesses - successes of ordinary requests not recorded
   *   yet, counted before this outcome while the circuit is closed
   * @param horizonMs - when above 0, the status reports in
   *   `lastingRequests` the requests that stay in the window for at least
   *   this many milliseconds. Counting them reads the whole window.
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
   *   invalid keys, settings, outcome, count or horizon
   */
  async record(
    keys: CircuitKeys,
    settings: CircuitSettings,
    outcome: CircuitOutcome,
    permitId?: string,
    earlierSuccesses = 0,
    horizonMs = 0,
  ): Promise<CircuitStatus> {
    validateRecord(keys, settings, outcome);
    assertCount('earlierSuccesses', earlierSuccesses);
    assertCount('horizonMs', horizonMs);
    const bucketMs = Math.ceil(settings.failureWindowMs / this.windowBuckets);
    const redisKeys = [
      keys.breaker,
      windowKey(keys),
      trialsKey(keys),
      keys.registry,
    ];
    const args = [
      keys.origin,
      outcome,
      permitId ?? '',
      settings.failureThreshold,
      settings.errorThresholdPercentage,
      settings.failureWindowMs,
      bucketMs,
      settings.recoveryTimeoutMs,
      earlierSuccesses,
      horizonMs,
    ];
    const [stateCode, retryAfterMs, lastingRequests] =
      await RECORD_SCRIPT.runForIntegers(this.redis, redisKeys, args, 3);
    const status = { state: stateOfCode(stateCode), retryAfterMs };
    return horizonMs > 0 ? { ...status, lastingRequests } : status;
  }

  /**
   * Reads the circuit's state without changing it. An open circuit whose
   * recovery time has passed reads as half-open.
   *
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
   *   invalid keys
   */
  async state(keys: CircuitKeys): Promise<CircuitState> {
    assertCircuitKeys(keys);
    const [stateCode] = await STATE_SCRIPT.runForIntegers(
      this.redis,
      [keys.breaker],
      [],
      2,
    );
    return stateOfCode(stateCode);
  }
}

function validateRecord(
  keys: CircuitKeys,
  settings: CircuitSettings,
  outcome: CircuitOutcome,
): void {
  assertCircuitKeys(keys);
  assertCircuitSettings(settings);
  if (OUTCOMES.includes(outcome)) return;
  throw invalidArgument('outcome', `one of ${OUTCOMES.join(', ')}`, outcome);
}

function windowKey(keys: CircuitKeys): string {
  return `${keys.breaker}:window`;
}

function trialsKey(keys: CircuitKeys): string {
  return `${keys.breaker}:trials`;
}

function stateOfCode(code: number): CircuitState {
  return STATES[code] ?? 'closed';
}
