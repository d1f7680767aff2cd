import type { SignalIssue } from './signal';

/** Issue codes that parsing reports. */
export const ISSUE_CODES = Object.freeze({
  validationFailed: 'validation_failed',
  invalidJson: 'invalid_json',
});

/** Limits that keep client input in messages and paths short. */
const QUOTE_LIMITS = Object.freeze({ maxValueChars: 40, maxNameChars: 64 });

/** Builds an issue with a ready message. */
export function makeIssue(
  path: string,
  message: string,
  code: string = ISSUE_CODES.validationFailed,
): SignalIssue {
  return { path, code, message };
}

/**
 * Builds an issue for a value that breaks a rule, as
 * `<path> <reason>, got <value>.` with the value truncated.
 */
export function invalidValueIssue(
  path: string,
  reason: string,
  value: unknown,
): SignalIssue {
  return makeIssue(path, `${path} ${reason}, got ${describeValue(value)}.`);
}

/** Shortens an attribute name taken from client input for use in a path. */
export function quoteName(name: string): string {
  return truncate(name, QUOTE_LIMITS.maxNameChars);
}

/** Describes a value for a message without echoing more than a short prefix. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return describeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeString(value: string): string {
  const quoted = JSON.stringify(truncate(value, QUOTE_LIMITS.maxValueChars));
  const length = Array.from(value).length;
  if (length <= QUOTE_LIMITS.maxValueChars) return quoted;
  return `${quoted} (${length} characters)`;
}

// Cuts at a code point boundary so that no lone surrogate reaches the message.
function truncate(value: string, maxChars: number): string {
  const characters = Array.from(value.slice(0, maxChars * 2));
  if (characters.length <= maxChars && value.length <= maxChars * 2) {
    return value;
  }
  return `${characters.slice(0, maxChars).join('')}…`;
}
