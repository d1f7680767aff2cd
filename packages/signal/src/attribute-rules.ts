import { isStrictBase64 } from './base64';
import { findJsonValueFault } from './json-value';
import type { ExtensionValue } from './signal';
import { isRfc3339Timestamp } from './time';

/** Outcome of checking one attribute value: the value to store, or why it is invalid. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Limits of attribute values. Lengths count Unicode code points. */
export const ATTRIBUTE_LIMITS = Object.freeze({
  maxIdChars: 256,
  maxTypeChars: 255,
  maxTypeSegments: 64,
  maxSourceChars: 1024,
  // JSON.stringify recurses, and on Node 20.20 with the default stack it
  // overflowed between 1,000 and 5,000 levels, which would crash encoding.
  maxDataDepth: 128,
});

const SPEC_VERSION = /^1\.0(?:\.\d+)?$/;
const TYPE_SEGMENT = /^[A-Za-z0-9_-]+$/;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/**
 * Checks of the CloudEvents core attributes, one per attribute. Each receives
 * a value that is set (neither `undefined` nor `null`).
 */
export const CORE_ATTRIBUTE_CHECKS = Object.freeze({
  specversion: checkSpecVersion,
  id: checkId,
  type: checkType,
  source: checkSource,
  time: checkTime,
  subject: checkNonEmptyString,
  dataschema: checkNonEmptyString,
  datacontenttype: checkNonEmptyString,
  data: checkJsonValue,
  data_base64: checkBase64,
});

/** Name of a CloudEvents core attribute. */
export type CoreAttributeName = keyof typeof CORE_ATTRIBUTE_CHECKS;

/** The value type that the check of attribute `N` stores. */
export type CoreAttributeValue<N extends CoreAttributeName> =
  ReturnType<(typeof CORE_ATTRIBUTE_CHECKS)[N]> extends Checked<infer T>
    ? T
    : never;

/** Returns whether the name is one of the CloudEvents core attributes. */
export function isCoreAttributeName(name: string): name is CoreAttributeName {
  return Object.hasOwn(CORE_ATTRIBUTE_CHECKS, name);
}

/** Returns whether the name is a valid extension attribute name. */
export function isExtensionName(name: string): boolean {
  return EXTENSION_NAME.test(name);
}

/** The rule for extension attribute names, for messages. */
export const EXTENSION_NAME_RULE = 'must match [a-z0-9]{1,20}';

/** Checks an extension attribute value: a string, a finite number or a boolean. */
export function checkExtensionValue(value: unknown): Checked<ExtensionValue> {
  if (typeof value === 'string' || typeof value === 'boolean') {
    return valid(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return valid(value);
  return invalid('must be a string, number or boolean');
}

function checkSpecVersion(value: unknown): Checked<'1.0'> {
  if (typeof value === 'string' && SPEC_VERSION.test(value)) {
    return valid('1.0');
  }
  return invalid('must be the string "1.0" or "1.0.<patch>"');
}

function checkId(value: unknown): Checked<string> {
  return checkBoundedString(value, ATTRIBUTE_LIMITS.maxIdChars);
}

function checkSource(value: unknown): Checked<string> {
  return checkBoundedString(value, ATTRIBUTE_LIMITS.maxSourceChars);
}

function checkType(value: unknown): Checked<string> {
  if (typeof value !== 'string') return invalid('must be a string');
  if (value.length > ATTRIBUTE_LIMITS.maxTypeChars) {
    return invalid(
      `must be at most ${ATTRIBUTE_LIMITS.maxTypeChars} characters`,
    );
  }

  const segments = value.split('.');
  if (!segments.every((segment) => TYPE_SEGMENT.test(segment))) {
    return invalid('must be dot-separated segments of [A-Za-z0-9_-]+');
  }
  if (segments.length > ATTRIBUTE_LIMITS.maxTypeSegments) {
    return invalid(
      `must have at most ${ATTRIBUTE_LIMITS.maxTypeSegments} segments`,
    );
  }
  return valid(value);
}

// The producer's string is kept as given, so consumers see its offset.
function checkTime(value: unknown): Checked<string> {
  if (typeof value === 'string' && isRfc3339Timestamp(value)) {
    return valid(value);
  }
  return invalid(
    'must be an RFC 3339 timestamp with an offset, such as 2024-05-01T12:00:00Z',
  );
}

function checkNonEmptyString(value: unknown): Checked<string> {
  if (typeof value === 'string' && value.length > 0) return valid(value);
  return invalid('must be a non-empty string');
}

function checkJsonValue(value: unknown): Checked<unknown> {
  const fault = findJsonValueFault(value, ATTRIBUTE_LIMITS.maxDataDepth);
  if (fault === 'not_json') return invalid('must be a JSON value');
  if (fault === 'too_deep') {
    return invalid(
      `must nest arrays and objects at most ${ATTRIBUTE_LIMITS.maxDataDepth} levels deep`,
    );
  }
  return valid(value);
}

function checkBase64(value: unknown): Checked<string> {
  if (typeof value === 'string' && isStrictBase64(value)) return valid(value);
  return invalid('must be a base64 string (standard alphabet, padded)');
}

function checkBoundedString(value: unknown, maxChars: number): Checked<string> {
  const isValid =
    typeof value === 'string' &&
    value.length > 0 &&
    countCharacters(value) <= maxChars;
  if (isValid) return valid(value);
  return invalid(
    `must be a non-empty string of at most ${maxChars} characters`,
  );
}

function countCharacters(value: string): number {
  return Array.from(value).length;
}

function valid<T>(value: T): Checked<T> {
  return { ok: true, value };
}

function invalid(reason: string): Checked<never> {
  return { ok: false, reason };
}
