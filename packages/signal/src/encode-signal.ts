import {
  EXTENSION_NAME_RULE,
  isCoreAttributeName,
  isExtensionName,
} from './attribute-rules';
import { describeValue } from './issue';
import { isJsonMediaType } from './media-type';
import { encodeHeaderValue } from './percent-encoding';
import type { Signal } from './signal';
import { SignalEncodingError } from './signal-encoding-error';

/** Wire format of a delivered signal, as a webhook target's `format` names it. */
export type SignalFormat =
  'json' | 'cloudevents-structured' | 'cloudevents-binary';

/** Headers and body of an outbound HTTP request that carries a signal. */
export interface EncodedSignal {
  /** Lower-case header names: `content-type`, and `ce-*` in binary mode. */
  headers: Record<string, string>;
  /** Request body bytes. */
  body: Buffer;
}

/** Content types of the two JSON formats. */
export const SIGNAL_CONTENT_TYPES = Object.freeze({
  json: 'application/json',
  structured: 'application/cloudevents+json; charset=utf-8',
});

// Binary mode sends these in the body and in content-type, not as ce-*.
const BODY_ATTRIBUTES = new Set(['data', 'data_base64', 'datacontenttype']);

/**
 * Encodes a signal for delivery. `json` and `cloudevents-structured` send
 * the signal as CloudEvents JSON and differ only in content type.
 * `cloudevents-binary` sends every attribute but the data as a
 * percent-encoded `ce-<name>` header and the data as the body.
 * @throws {@link SignalEncodingError} for an attribute that binary mode
 * cannot carry, or an unknown format.
 */
export function encodeSignal(
  signal: Signal,
  format: SignalFormat,
): EncodedSignal {
  switch (format) {
    case 'json':
      return encodeStructured(signal, SIGNAL_CONTENT_TYPES.json);
    case 'cloudevents-structured':
      return encodeStructured(signal, SIGNAL_CONTENT_TYPES.structured);
    case 'cloudevents-binary':
      return encodeBinary(signal);
    default:
      throw new SignalEncodingError(
        `Unknown signal format ${JSON.stringify(format)}. Use json, cloudevents-structured or cloudevents-binary.`,
      );
  }
}

function encodeStructured(signal: Signal, contentType: string): EncodedSignal {
  const body = Buffer.from(JSON.stringify(signal), 'utf8');
  return { headers: { 'content-type': contentType }, body };
}

function encodeBinary(signal: Signal): EncodedSignal {
  const headers: Record<string, string> = {
    'content-type': signal.datacontenttype,
  };
  for (const [name, value] of Object.entries(signal)) {
    if (BODY_ATTRIBUTES.has(name) || value === undefined) continue;
    headers[`ce-${name}`] = encodeHeaderValue(headerValueOf(name, value));
  }
  return { headers, body: encodeBinaryBody(signal) };
}

function headerValueOf(name: string, value: unknown): string {
  if (!isCoreAttributeName(name) && !isExtensionName(name)) {
    throw new SignalEncodingError(
      `Attribute name ${describeValue(name)} cannot be sent as a ce- header, because extension names ${EXTENSION_NAME_RULE}.`,
    );
  }

  const isScalar =
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean';
  if (isScalar) return String(value);
  throw new SignalEncodingError(
    `Attribute ${name} cannot be sent as a ce- header because it is not a string, number or boolean, got ${describeValue(value)}.`,
  );
}

// JSON media types get the JSON text of data, so a string becomes "...".
// Other media types get a string's UTF-8 bytes, and other values their JSON.
function encodeBinaryBody(signal: Signal): Buffer {
  const { data, data_base64: dataBase64, datacontenttype } = signal;
  if (dataBase64 !== undefined) return Buffer.from(dataBase64, 'base64');
  if (data === undefined) return Buffer.alloc(0);

  if (typeof data === 'string' && !isJsonMediaType(datacontenttype)) {
    return Buffer.from(data, 'utf8');
  }
  return Buffer.from(JSON.stringify(data), 'utf8');
}
