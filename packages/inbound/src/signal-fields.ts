import type { InboundSourceBase } from './inbound-config';
import { MAX_TYPE_LENGTH, MAX_TYPE_SEGMENTS } from './signal-limits';
import type { VerifiedEvent } from './verify-result';

// Every code point outside the type alphabet, dots included so that they
// keep separating segments.
const DISALLOWED_TYPE_CHARACTERS = /[^A-Za-z0-9_.-]/gu;
const PLACEHOLDER_SEGMENT = '_';

/** Details of the HTTP request that carried an inbound webhook. */
export interface InboundRequestMeta {
  /** Network address of the sender. */
  remoteAddress?: string;
  /** The `User-Agent` header of the request. */
  userAgent?: string;
}

/** The signal attributes derived from a verified inbound event. */
export interface InboundSignalFields {
  /** `<typePrefix>.<event type>`, cleaned by `toSignalType`. */
  type: string;
  /** `<source name>_webhook`. */
  source: string;
  /** `<source name>:<event id>`, the same for every retry of one event. */
  id: string;
  /** The parsed JSON payload. */
  data: unknown;
  /** Extension attribute with the sender's address, when known. */
  remoteaddr?: string;
  /** Extension attribute with the sender's user agent, when known. */
  useragent?: string;
}

/** Builds the signal attributes of a verified event from the source `sourceName`. */
export function toSignalFields(
  sourceName: string,
  config: Pick<InboundSourceBase, 'typePrefix'>,
  result: VerifiedEvent,
  meta: InboundRequestMeta,
): InboundSignalFields {
  const fields: InboundSignalFields = {
    type: toSignalType(config.typePrefix, result.eventType),
    source: `${sourceName}_webhook`,
    id: `${sourceName}:${result.eventId}`,
    data: result.payload,
  };
  if (meta.remoteAddress) fields.remoteaddr = meta.remoteAddress;
  if (meta.userAgent) fields.useragent = meta.userAgent;
  return fields;
}

/**
 * Joins the prefix and a provider's event type into a valid signal type.
 * Each code point outside `[A-Za-z0-9_.-]` becomes `_`, and empty segments
 * are dropped, so `customer.subscription.created` keeps its dots and
 * `a..b/c` becomes `a.b_c`. An event type with no segment left becomes `_`.
 * Segments beyond the 64th are joined into the 64th with `_`, and a type
 * longer than 255 characters is cut there.
 */
export function toSignalType(typePrefix: string, eventType: string): string {
  const prefixSegments = splitIntoSegments(typePrefix);
  const eventSegments = splitIntoSegments(eventType);
  if (eventSegments.length === 0) eventSegments.push(PLACEHOLDER_SEGMENT);

  const segments = limitSegments([...prefixSegments, ...eventSegments]);
  return truncateType(segments.join('.'));
}

function splitIntoSegments(text: string): string[] {
  const cleaned = text.replace(DISALLOWED_TYPE_CHARACTERS, '_');
  return cleaned.split('.').filter((segment) => segment !== '');
}

function limitSegments(segments: string[]): string[] {
  if (segments.length <= MAX_TYPE_SEGMENTS) return segments;

  const kept = segments.slice(0, MAX_TYPE_SEGMENTS - 1);
  const merged = segments.slice(MAX_TYPE_SEGMENTS - 1).join('_');
  return [...kept, merged];
}

function truncateType(type: string): string {
  if (type.length <= MAX_TYPE_LENGTH) return type;
  // A cut right after a dot would leave an empty last segment.
  return type.slice(0, MAX_TYPE_LENGTH).replace(/\.+$/, '');
}
