/**
 * Copies a JSONata result into plain JSON data: sequences become plain
 * arrays, `undefined` object members are dropped and `undefined` array
 * members become `null`, as `JSON.stringify` would make them.
 *
 * @throws TypeError when the result contains a function, which has no JSON
 *   form (a JSONata lambda or built-in function)
 */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined || value === null) {
    return value;
  }
  if (isFunctionValue(value)) {
    throw new TypeError(
      'the result contains a function, which cannot be sent as JSON',
    );
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => toJsonValue(item) ?? null);
  }
  if (typeof value === 'object') {
    return copyObject(value);
  }
  return value;
}

// Object.fromEntries defines own properties, so a `__proto__` key from the
// signal's data stays a member instead of replacing the copy's prototype.
function copyObject(value: object): Record<string, unknown> {
  const members = Object.entries(value)
    .map(([key, member]): [string, unknown] => [key, toJsonValue(member)])
    .filter(([, member]) => member !== undefined);
  return Object.fromEntries(members);
}

// jsonata 2.2 represents lambdas and built-in functions as plain objects
// carrying one of these markers.
function isFunctionValue(value: unknown): boolean {
  if (typeof value === 'function') {
    return true;
  }
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const marked = value as {
    _jsonata_lambda?: unknown;
    _jsonata_function?: unknown;
  };
  return marked._jsonata_lambda === true || marked._jsonata_function === true;
}
