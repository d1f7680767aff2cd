import {
  DELIVERY_POLICY_ERROR_CODES,
  DeliveryPolicyError,
} from './delivery-policy-error';

/** Throws an invalid-argument error unless `value` is a positive safe integer. */
export function assertPositiveInteger(name: string, value: number): void {
  if (Number.isSafeInteger(value) && value > 0) return;
  throw invalidArgument(name, 'a positive integer', value);
}

/** Throws an invalid-argument error unless `value` is a safe integer >= 0. */
export function assertCount(name: string, value: number): void {
  if (Number.isSafeInteger(value) && value >= 0) return;
  throw invalidArgument(name, 'an integer of at least 0', value);
}

/** Throws an invalid-argument error unless `value` is a finite number > 0. */
export function assertPositiveNumber(name: string, value: number): void {
  if (Number.isFinite(value) && value > 0) return;
  throw invalidArgument(name, 'a finite number above 0', value);
}

/** Throws an invalid-argument error unless `value` is a number >= 0. */
export function assertNonNegativeNumber(name: string, value: number): void {
  if (typeof value === 'number' && value >= 0) return;
  throw invalidArgument(name, 'a number of at least 0', value);
}

/** Throws an invalid-argument error unless `value` is a non-empty string. */
export function assertNonEmptyString(name: string, value: string): void {
  if (typeof value === 'string' && value.length > 0) return;
  throw invalidArgument(name, 'a non-empty string', value);
}

/** Builds the invalid-argument error for `name`, naming the value received. */
export function invalidArgument(
  name: string,
  expected: string,
  value: unknown,
): DeliveryPolicyError {
  return new DeliveryPolicyError(
    DELIVERY_POLICY_ERROR_CODES.invalidArgument,
    `${name} must be ${expected}, got ${describeValue(value)}`,
  );
}

/** Renders a value for a message: JSON for strings, the type for objects. */
export function describeValue(value: unknown): string {
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || value === null) {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'an array';
  if (type === 'object') return 'an object';
  if (type === 'function') return 'a function';
  return String(value);
}

/** Throws an invalid-argument error unless `value` is a valid Date. */
export function assertValidDate(name: string, value: Date): void {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return;
  throw invalidArgument(name, 'a valid Date', value);
}
