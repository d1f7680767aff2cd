import {
  assertNonEmptyString,
  assertPositiveInteger,
  invalidArgument,
} from './assert-argument';

/** State of a circuit, as stored in Redis and reported in metrics. */
export type CircuitState = 'closed' | 'half_open' | 'open';

/**
 * How one request counts for the circuit: `failure` for a 5xx, a 408, a
 * timeout or a connection error, `success` for a healthy response, and
 * `ignored` for a result that shows nothing of the origin's health (a
 * 429, another 4xx, or a request that was never sent). An ignored request
 * is left out of the window altogether.
 */
export type CircuitOutcome = 'success' | 'failure' | 'ignored';

/** A target's `circuitBreaker` option, with every field filled in. */
export interface CircuitSettings {
  /** Requests that must be counted in the window before the circuit may open. */
  readonly failureThreshold: number;
  /** Share of the counted requests, in percent, whose failure opens it. */
  readonly errorThresholdPercentage: number;
  /** Length of the rolling window of counted requests, in milliseconds. */
  readonly failureWindowMs: number;
  /** Time the circuit stays open before trial requests, in milliseconds. */
  readonly recoveryTimeoutMs: number;
  /** Trial requests let through across all workers while half-open. */
  readonly halfOpenMaxCalls: number;
}

/**
 * Redis keys of one origin's circuit. The window and trial-permit keys are
 * `<breaker>:window` and `<breaker>:trials`, so every key must carry the
 * same hash tag for a Redis Cluster to keep them in one slot.
 */
export interface CircuitKeys {
  /**
   * Hash with the fields `state` and `openUntil` (Redis time in ms), for
   * example `{signalpost}:breaker:https://example.com`.
   */
  readonly breaker: string;
  /** Set of origins that have a circuit, for example `{signalpost}:breakers`. */
  readonly registry: string;
  /** The origin recorded in `registry`, for example `https://example.com`. */
  readonly origin: string;
}

/**
 * Throws an invalid-argument error unless every setting is in range: the
 * counts and durations positive integers, the percentage above 0 and at
 * most 100.
 */
export function assertCircuitSettings(settings: CircuitSettings): void {
  assertPositiveInteger('failureThreshold', settings.failureThreshold);
  assertPositiveInteger('failureWindowMs', settings.failureWindowMs);
  assertPositiveInteger('recoveryTimeoutMs', settings.recoveryTimeoutMs);
  assertPositiveInteger('halfOpenMaxCalls', settings.halfOpenMaxCalls);

  const percentage = settings.errorThresholdPercentage;
  if (Number.isFinite(percentage) && percentage > 0 && percentage <= 100) {
    return;
  }
  throw invalidArgument(
    'errorThresholdPercentage',
    'a number above 0 and at most 100',
    percentage,
  );
}

/**
 * Throws an invalid-argument error unless the keys are non-empty and the
 * breaker and registry keys share one non-empty hash tag.
 */
export function assertCircuitKeys(keys: CircuitKeys): void {
  assertNonEmptyString('keys.breaker', keys.breaker);
  assertNonEmptyString('keys.registry', keys.registry);
  assertNonEmptyString('keys.origin', keys.origin);

  const tag = hashTagOf(keys.breaker);
  if (tag === undefined) {
    const expected = 'a key with a hash tag, such as {signalpost}:breaker:...';
    throw invalidArgument('keys.breaker', expected, keys.breaker);
  }
  if (hashTagOf(keys.registry) !== tag) {
    const expected = `a key with the hash tag {${tag}}`;
    throw invalidArgument('keys.registry', expected, keys.registry);
  }
}

/**
 * Returns the part of a key that Redis Cluster hashes: the text between
 * the first `{` and the next `}`, when that text is not empty.
 */
function hashTagOf(key: string): string | undefined {
  const start = key.indexOf('{');
  if (start < 0) return undefined;
  const end = key.indexOf('}', start + 1);
  if (end <= start + 1) return undefined;
  return key.slice(start + 1, end);
}
