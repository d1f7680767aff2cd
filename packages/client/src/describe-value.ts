/** Renders a value for a message: JSON for primitives, the type otherwise. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'string' || value === null) return JSON.stringify(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
