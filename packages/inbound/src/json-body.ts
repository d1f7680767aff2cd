import { reject, type VerifyFailure } from './verify-result';

/** A body that parsed as JSON. */
export interface ParsedBody {
  ok: true;
  payload: unknown;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses the raw body as UTF-8 JSON. Invalid UTF-8 is rejected rather than
 * replaced, so the payload never differs from the signed bytes.
 */
export function parseJsonBody(rawBody: Buffer): ParsedBody | VerifyFailure {
  let text: string;
  try {
    text = utf8Decoder.decode(rawBody);
  } catch {
    return reject('invalid_json', 'body is not valid UTF-8');
  }

  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch {
    // The parser's message quotes the body, so it is not passed on.
    return reject('invalid_json', 'body is not valid JSON');
  }
}
