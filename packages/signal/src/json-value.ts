import { isJsonObject } from './json-object';

/** Fault that keeps a value from being stored as JSON data. */
export type JsonValueFault = 'not_json' | 'too_deep';

/**
 * Finds the first part of the value that JSON cannot encode (a function,
 * `undefined` in an array, a non-finite number, a class instance), or an
 * array or object nesting deeper than `maxDepth` levels. Walks iteratively,
 * so deep input cannot overflow the stack here.
 */
export function findJsonValueFault(
  value: unknown,
  maxDepth: number,
): JsonValueFault | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [
    { value, depth: 0 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (isJsonScalar(next.value)) continue;

    const children = childrenOf(next.value);
    if (children === undefined) return 'not_json';
    if (next.depth >= maxDepth) return 'too_deep';
    for (const child of children) {
      pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return undefined;
}

function isJsonScalar(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return (
    value === null || typeof value === 'string' || typeof value === 'boolean'
  );
}

// Returns undefined for anything that is neither an array nor a plain object.
function childrenOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return Array.from(value);
  return isJsonObject(value) ? Object.values(value) : undefined;
}
