import type { SignalLike } from './signal-like';
import { transformFailed } from './errors/transform-error';

/** A signal's `data` when it is a JSON object. */
export type DataObject = Readonly<Record<string, unknown>>;

/**
 * Returns the signal's `data` as an object, treating absent or `null` data as
 * an empty object.
 *
 * @throws TransformError when `data` is an array or a primitive value.
 */
export function readDataObject(
  transform: string,
  signal: SignalLike,
): DataObject {
  const data = signal.data;
  if (data === undefined || data === null) {
    return {};
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw transformFailed(
      transform,
      `${transform} requires the signal's data to be a JSON object, ` +
        `got ${describeType(data)}`,
    );
  }
  return data as DataObject;
}

/** Returns a data field's own value, ignoring inherited properties. */
export function readField(data: DataObject, field: string): unknown {
  return Object.hasOwn(data, field) ? data[field] : undefined;
}

/**
 * Returns a data field as text: a non-empty string as is, a finite number in
 * its JavaScript string form, anything else as `undefined`.
 */
export function readText(data: DataObject, field: string): string | undefined {
  const value = readField(data, field);
  if (typeof value === 'string') {
    return value === '' ? undefined : value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

/** Returns a data field when it is a finite number, else `undefined`. */
export function readFiniteNumber(
  data: DataObject,
  field: string,
): number | undefined {
  const value = readField(data, field);
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

/** Names the JSON type of a value for error messages, without the value. */
export function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
