/** A plain object, as `JSON.parse` returns for `{...}`. */
export type JsonObject = Record<string, unknown>;

/** Returns whether the value is a plain object: not null, not an array, not a class instance. */
export function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return false;

  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Returns the object's own property, ignoring inherited ones, so that a key
 * such as `constructor` or `__proto__` reads as absent unless the input set it.
 */
export function ownValue(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Returns whether an optional attribute is set: `null` counts as absent. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}
