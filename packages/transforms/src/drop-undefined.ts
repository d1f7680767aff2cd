/**
 * Copies an object without its `undefined` properties, so that JSON bodies
 * omit absent fields instead of relying on the serializer to skip them.
 */
export function dropUndefined<T extends object>(value: T): T {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as T;
}
