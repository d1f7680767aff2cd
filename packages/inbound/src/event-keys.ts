import { readHeader } from './headers';
import { MAX_EVENT_ID_LENGTH } from './signal-limits';
import {
  reject,
  type InboundHeaders,
  type VerifyResult,
} from './verify-result';

/** A value read from the request, with where it came from for messages. */
export interface EventKeySource {
  /** The value found, not yet checked. */
  value: unknown;
  /** Origin of the value for messages, such as `body field "type"`. */
  location: string;
}

/** The event type and event id of a request, as read by its verifier. */
export interface EventKeys {
  /** Source of the event type. */
  type: EventKeySource;
  /** Source of the event id. */
  id: EventKeySource;
}

/** Reads a value from the parsed body by a dot path such as `event.type`. */
export function fromBodyField(payload: unknown, path: string): EventKeySource {
  let value: unknown = payload;
  for (const key of path.split('.')) value = readOwnProperty(value, key);
  return { value, location: `body field "${path}"` };
}

/** Reads a value from a request header. */
export function fromHeader(
  headers: InboundHeaders,
  name: string,
): EventKeySource {
  return { value: readHeader(headers, name), location: `header ${name}` };
}

/**
 * Checks the event type and id and builds the verified event. The type must
 * be a non-empty string. The id must be a non-empty string or a safe
 * integer, at most `MAX_EVENT_ID_LENGTH` characters.
 */
export function identifyEvent(keys: EventKeys, payload: unknown): VerifyResult {
  const { type, id } = keys;
  if (typeof type.value !== 'string' || type.value === '') {
    return reject(
      'validation_failed',
      `missing event type: expected a non-empty string in ${type.location}`,
    );
  }

  const eventId = normaliseEventId(id.value);
  if (eventId === undefined) {
    return reject(
      'validation_failed',
      `missing event id: expected a non-empty string or an integer in ${id.location}`,
    );
  }
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    return reject(
      'validation_failed',
      `event id in ${id.location} is longer than ${MAX_EVENT_ID_LENGTH} characters`,
    );
  }
  return { ok: true, eventType: type.value, eventId, payload };
}

function normaliseEventId(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return Number.isSafeInteger(value) ? String(value) : undefined;
}

// Own properties only, so a path such as `constructor` or `__proto__` never
// reaches the prototype.
function readOwnProperty(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!Object.hasOwn(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}
