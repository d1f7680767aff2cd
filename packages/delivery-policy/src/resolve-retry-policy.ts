import { describeValue } from './assert-argument';
import {
  DEFAULT_RETRY_POLICY,
  RETRY_POLICY_LIMITS,
  type RetryPolicy,
} from './retry-policy';

/** A rule that one retry option breaks. */
export interface RetryPolicyIssue {
  /** Path of the option, such as `retry.baseDelayMs` or `retry.retryOn[2]`. */
  readonly path: string;
  /** The rule broken and the value received. */
  readonly message: string;
}

/** A resolved policy, or every issue that prevents one. */
export type RetryPolicyResolution =
  | { readonly ok: true; readonly policy: RetryPolicy }
  | { readonly ok: false; readonly issues: readonly RetryPolicyIssue[] };

type FieldValidator = (value: unknown, path: string) => RetryPolicyIssue[];

const FIELD_VALIDATORS: Readonly<Record<keyof RetryPolicy, FieldValidator>> =
  Object.freeze({
    maxRetries: integerFromZeroTo(RETRY_POLICY_LIMITS.maxRetries),
    backoff: validateBackoff,
    baseDelayMs: integerFromZeroTo(RETRY_POLICY_LIMITS.maxDelayMs),
    maxDelayMs: integerFromZeroTo(RETRY_POLICY_LIMITS.maxDelayMs),
    jitter: validateBoolean,
    retryOn: validateRetryOn,
    giveUpAfterMs: integerFromZeroTo(RETRY_POLICY_LIMITS.giveUpAfterMs),
  });

const BACKOFF_KINDS: ReadonlySet<unknown> = new Set([
  'exponential',
  'linear',
  'fixed',
]);

const NAMED_CONDITIONS: ReadonlySet<unknown> = new Set([
  '5xx',
  'timeout',
  'connection_error',
]);

/**
 * Merges a partial `retry` object with {@link DEFAULT_RETRY_POLICY} field by
 * field, then validates it. `undefined` means no options, and an option set
 * to `undefined` keeps its default. A given `retryOn` replaces the default
 * list. Unknown keys, wrong types, values outside
 * {@link RETRY_POLICY_LIMITS} and a `baseDelayMs` above `maxDelayMs` are
 * issues.
 *
 * @param partial - the `retry` options as configured, of any type
 * @param path - prefix of every issue's path. @defaultValue `'retry'`
 * @returns a frozen policy, or every issue found
 */
export function resolveRetryPolicy(
  partial: unknown,
  path = 'retry',
): RetryPolicyResolution {
  if (partial === undefined) return { ok: true, policy: DEFAULT_RETRY_POLICY };
  if (!isPlainObject(partial)) {
    const message = `must be an object, got ${describeValue(partial)}`;
    return { ok: false, issues: [{ path, message }] };
  }

  const provided = Object.entries(partial).filter(([, v]) => v !== undefined);
  const issues = provided.flatMap(([key, value]) =>
    validateField(key, value, `${path}.${key}`),
  );
  const merged: Record<string, unknown> = {
    ...DEFAULT_RETRY_POLICY,
    ...Object.fromEntries(provided),
  };
  // A cap given alone lowers the default first wait to it: every wait is
  // capped anyway, and the user never chose the 30 s default.
  if (!Object.hasOwn(partial, 'baseDelayMs') && issues.length === 0) {
    merged.baseDelayMs = Math.min(
      Number(merged.baseDelayMs),
      Number(merged.maxDelayMs),
    );
  }
  issues.push(...validateDelayOrder(merged, path));
  if (issues.length > 0) return { ok: false, issues };

  return { ok: true, policy: freezePolicy(merged as unknown as RetryPolicy) };
}

function validateField(
  key: string,
  value: unknown,
  path: string,
): RetryPolicyIssue[] {
  if (!Object.hasOwn(FIELD_VALIDATORS, key)) {
    const known = Object.keys(FIELD_VALIDATORS).join(', ');
    return [{ path, message: `is not a retry option (known: ${known})` }];
  }
  return FIELD_VALIDATORS[key as keyof RetryPolicy](value, path);
}

function validateDelayOrder(
  merged: Record<string, unknown>,
  path: string,
): RetryPolicyIssue[] {
  const { baseDelayMs, maxDelayMs } = merged;
  const fieldsValid =
    FIELD_VALIDATORS.baseDelayMs(baseDelayMs, '').length === 0 &&
    FIELD_VALIDATORS.maxDelayMs(maxDelayMs, '').length === 0;
  if (!fieldsValid || Number(baseDelayMs) <= Number(maxDelayMs)) return [];

  const message = `must not exceed maxDelayMs (${String(maxDelayMs)}), got ${String(baseDelayMs)}`;
  return [{ path: `${path}.baseDelayMs`, message }];
}

function integerFromZeroTo(max: number): FieldValidator {
  return (value, path) => {
    const valid = Number.isSafeInteger(value) && Number(value) >= 0;
    if (valid && Number(value) <= max) return [];
    const received = describeValue(value);
    return [
      { path, message: `must be an integer from 0 to ${max}, got ${received}` },
    ];
  };
}

function validateBackoff(value: unknown, path: string): RetryPolicyIssue[] {
  if (BACKOFF_KINDS.has(value)) return [];
  const received = describeValue(value);
  const message = `must be "exponential", "linear" or "fixed", got ${received}`;
  return [{ path, message }];
}

function validateBoolean(value: unknown, path: string): RetryPolicyIssue[] {
  if (typeof value === 'boolean') return [];
  return [{ path, message: `must be a boolean, got ${describeValue(value)}` }];
}

function validateRetryOn(value: unknown, path: string): RetryPolicyIssue[] {
  if (!Array.isArray(value)) {
    const received = describeValue(value);
    return [{ path, message: `must be an array, got ${received}` }];
  }
  return value.flatMap((item, index) =>
    validateRetryCondition(item, `${path}[${index}]`),
  );
}

function validateRetryCondition(
  item: unknown,
  path: string,
): RetryPolicyIssue[] {
  if (NAMED_CONDITIONS.has(item) || isRetryableStatus(item)) return [];

  const received = describeValue(item);
  if (Number.isInteger(item) && Number(item) >= 300 && Number(item) <= 499) {
    const rule =
      'must not name a 3xx status or a 4xx status other than 408 and 429';
    return [{ path, message: `${rule}, got ${received}` }];
  }
  const expected =
    '408, 429, a status from 500 to 599, "5xx", "timeout" or "connection_error"';
  return [{ path, message: `must be ${expected}, got ${received}` }];
}

function isRetryableStatus(item: unknown): boolean {
  if (typeof item !== 'number' || !Number.isInteger(item)) return false;
  return item === 408 || item === 429 || (item >= 500 && item <= 599);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function freezePolicy(policy: RetryPolicy): RetryPolicy {
  return Object.freeze({
    ...policy,
    retryOn: Object.freeze([...policy.retryOn]),
  });
}
