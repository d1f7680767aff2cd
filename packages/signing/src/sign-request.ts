import { createHmac, type KeyObject } from 'node:crypto';

import { HEADER } from './signature-headers';
import type { SignatureScheme } from './signature-scheme';
import { SIGNING_DEFAULTS } from './signing-defaults';
import { SIGNING_ERROR_CODES, SigningError } from './signing-error';
import { signingKeyOf } from './signing-key';

// RFC 9110 token characters, the only ones allowed in a header name.
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII: ids and event types go into headers and signed content.
const HEADER_TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** Input of `signRequest`. */
export interface SignInput {
  /** Signature scheme of the target. */
  readonly scheme: SignatureScheme;
  /**
   * Secrets to sign with: one, or several while a secret rotates. An empty
   * list sends the request unsigned. `standard-webhooks` signs with every
   * secret, and the other schemes sign with the first only.
   */
  readonly secrets: readonly string[];
  /** Value of `webhook-id`, the same on every attempt. */
  readonly webhookId: string;
  /** Unix time of this attempt, in whole seconds. */
  readonly timestampSec: number;
  /** Request body, exactly the bytes that are sent. */
  readonly body: Buffer;
  /** Signal type, sent as `x-webhook-event` by the `jido` scheme. */
  readonly eventType: string;
  /**
   * Header that carries the `hmac-sha256` signature, ignored by the other
   * schemes. It is returned in lower case.
   * @defaultValue `SIGNING_DEFAULTS.signatureHeader` (`'X-Signature-256'`)
   */
  readonly signatureHeader?: string;
}

/**
 * Adds a scheme's signature headers to `headers`. `keys` contains the key
 * of each secret, in the order of `input.secrets`.
 */
type Signer = (
  input: SignInput,
  keys: readonly KeyObject[],
  headers: Record<string, string>,
) => void;

const SIGNERS: Readonly<Record<SignatureScheme, Signer>> = Object.freeze({
  'standard-webhooks': signStandardWebhooks,
  'hmac-sha256': signHmacSha256,
  jido: signJido,
});

/**
 * Computes the signature headers of one attempt and returns the headers to
 * add, with lower-case names. `webhook-id` and `webhook-timestamp` are always
 * present, and the scheme's own headers only when there is a secret.
 *
 * The HMAC covers `body` as given, so the caller must send those exact bytes.
 *
 * @throws SigningError with code `SIGNALPOST_ERR_SIGNING_INVALID_SECRET` when
 *   a secret is invalid for the scheme, or `SIGNALPOST_ERR_SIGNING_INVALID_INPUT`
 *   when the id, timestamp, event type or signature header cannot be sent.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const keys = validateInput(input);

  const headers: Record<string, string> = {};
  headers[HEADER.webhookId] = input.webhookId;
  headers[HEADER.webhookTimestamp] = String(input.timestampSec);
  if (keys.length === 0) return headers;

  SIGNERS[input.scheme](input, keys, headers);
  return headers;
}

function signStandardWebhooks(
  input: SignInput,
  keys: readonly KeyObject[],
  headers: Record<string, string>,
): void {
  const signedPrefix = `${input.webhookId}.${input.timestampSec}.`;
  let signatures = '';
  for (const key of keys) {
    const mac = createHmac('sha256', key)
      .update(signedPrefix)
      .update(input.body);
    const separator = signatures === '' ? '' : ' ';
    signatures = `${signatures}${separator}v1,${mac.digest('base64')}`;
  }

  headers[HEADER.webhookSignature] = signatures;
}

function signHmacSha256(
  input: SignInput,
  keys: readonly KeyObject[],
  headers: Record<string, string>,
): void {
  const header = (
    input.signatureHeader ?? SIGNING_DEFAULTS.signatureHeader
  ).toLowerCase();
  const mac = createHmac('sha256', firstKey(keys)).update(input.body);

  headers[header] = `sha256=${mac.digest('hex')}`;
}

function signJido(
  input: SignInput,
  keys: readonly KeyObject[],
  headers: Record<string, string>,
): void {
  const mac = createHmac('sha256', firstKey(keys))
    .update(`${input.timestampSec}.`)
    .update(input.body);

  headers[HEADER.jidoSignature] = mac.digest('hex');
  headers[HEADER.jidoTimestamp] = String(input.timestampSec);
  headers[HEADER.jidoEvent] = input.eventType;
}

function firstKey(keys: readonly KeyObject[]): KeyObject {
  // signRequest calls a signer only with at least one key.
  return keys[0] as KeyObject;
}

/** Checks the input and returns the key of each secret. */
function validateInput(input: SignInput): readonly KeyObject[] {
  if (!HEADER_TOKEN_PATTERN.test(input.webhookId)) {
    throw invalidInput('webhookId must be non-empty visible ASCII');
  }
  if (!Number.isSafeInteger(input.timestampSec) || input.timestampSec < 0) {
    throw invalidInput(
      `timestampSec must be a non-negative integer, but it is ${input.timestampSec}`,
    );
  }
  if (input.secrets.length === 0) return [];

  const keys = signingKeys(input);
  if (input.scheme === 'jido') validateEventType(input.eventType);
  if (input.scheme === 'hmac-sha256' && input.signatureHeader !== undefined) {
    validateSignatureHeader(input.signatureHeader);
  }
  return keys;
}

/** Validates every secret, even those a scheme does not sign with. */
function signingKeys(input: SignInput): KeyObject[] {
  const keys: KeyObject[] = [];
  for (let index = 0; index < input.secrets.length; index += 1) {
    const secret = input.secrets[index] as string;
    const signingKey = signingKeyOf(input.scheme, secret);
    if (signingKey.key === undefined) {
      throw invalidSecret(index, input.secrets.length, signingKey.problem);
    }
    keys.push(signingKey.key);
  }
  return keys;
}

function validateEventType(eventType: string): void {
  if (HEADER_TOKEN_PATTERN.test(eventType)) return;

  throw invalidInput('eventType must be non-empty visible ASCII');
}

function validateSignatureHeader(signatureHeader: string): void {
  const header = signatureHeader.toLowerCase();
  if (!HEADER_NAME_PATTERN.test(header)) {
    throw invalidInput(
      `signatureHeader ${JSON.stringify(signatureHeader)} is not a valid header name`,
    );
  }
  if (header === HEADER.webhookId || header === HEADER.webhookTimestamp) {
    throw invalidInput(
      `signatureHeader must not be ${header}, which every request carries`,
    );
  }
}

function invalidSecret(
  index: number,
  count: number,
  problem: string,
): SigningError {
  return new SigningError(
    SIGNING_ERROR_CODES.invalidSecret,
    `secret ${index + 1} of ${count} is invalid: ${problem}`,
  );
}

function invalidInput(message: string): SigningError {
  return new SigningError(SIGNING_ERROR_CODES.invalidInput, message);
}
