import {
  type InboundHeaders,
  reject,
  type VerifyFailure,
} from './verify-result';

/**
 * Returns the single non-empty value of a header, or undefined when the
 * header is missing, empty or sent more than once. A repeated header is
 * ambiguous, so no value of it is trusted.
 */
export function readHeader(
  headers: InboundHeaders,
  name: string,
): string | undefined {
  const value = headers[name];
  if (!Array.isArray(value)) return value || undefined;
  return value.length === 1 ? value[0] || undefined : undefined;
}

/** Builds the `invalid_signature` rejection for a signature header without a value. */
export function rejectMissingHeader(
  headers: InboundHeaders,
  name: string,
): VerifyFailure {
  return reject('invalid_signature', describeHeaderProblem(headers, name));
}

/** Describes why `readHeader` found no value, for a rejection message. */
export function describeHeaderProblem(
  headers: InboundHeaders,
  name: string,
): string {
  const value = headers[name];
  if (Array.isArray(value) && value.length > 1) {
    return `header ${name} was sent more than once`;
  }
  return `missing header ${name}`;
}
