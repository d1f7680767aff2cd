import { type EventKeys, fromBodyField } from '../event-keys';
import { readHeader, rejectMissingHeader } from '../headers';
import { hmacSha256, matchesAnyDigest } from '../hmac';
import {
  listSecrets,
  resolveToleranceSec,
  type StripeSourceConfig,
} from '../inbound-config';
import { decodeLowerHex } from '../signature-encoding';
import { findTimestampProblem } from '../timestamp';
import {
  type InboundRequest,
  reject,
  type VerifyFailure,
} from '../verify-result';
import { describeNoMatch } from './no-match-message';

const HEADER = 'stripe-signature';
const SIGNATURE_SCHEME = 'v1';

interface StripeSignatureHeader {
  timestamp: string;
  signatures: string[];
}

/**
 * Verifies `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`, an
 * HMAC-SHA256 of `<t>.<body>` keyed by the UTF-8 bytes of the secret as
 * given. Any one `v1` may match, and other schemes such as `v0` are ignored.
 * Returns the rejection, or undefined when the signature is valid.
 */
export function checkStripeSignature(
  config: StripeSourceConfig,
  request: InboundRequest,
): VerifyFailure | undefined {
  const header = readHeader(request.headers, HEADER);
  if (header === undefined) {
    return rejectMissingHeader(request.headers, HEADER);
  }
  const parsed = parseSignatureHeader(header);
  if (typeof parsed === 'string') return reject('invalid_signature', parsed);

  const { timestamp } = parsed;
  const problem = findTimestampProblem(
    timestamp,
    request.nowSec,
    resolveToleranceSec(config),
  );
  if (problem) return reject('invalid_signature', `${HEADER}: ${problem}`);

  const signedContent = [Buffer.from(`${timestamp}.`, 'utf8'), request.rawBody];
  const expected = listSecrets(config).map((secret) =>
    hmacSha256(Buffer.from(secret, 'utf8'), ...signedContent),
  );
  const received = parsed.signatures.flatMap(
    (text) => decodeLowerHex(text) ?? [],
  );
  if (matchesAnyDigest(expected, received)) return undefined;
  return reject('invalid_signature', describeNoMatch(HEADER));
}

/** Reads the event type and id from the body fields `type` and `id`. */
export function readStripeEventKeys(payload: unknown): EventKeys {
  return {
    type: fromBodyField(payload, 'type'),
    id: fromBodyField(payload, 'id'),
  };
}

// Splits the header the way Stripe writes it: comma-separated `key=value`
// items, no spaces. Items without `=` and unknown keys are ignored.
function parseSignatureHeader(header: string): StripeSignatureHeader | string {
  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const [key, value] = [item.slice(0, separator), item.slice(separator + 1)];
    if (key === 't') timestamps.push(value);
    if (key === SIGNATURE_SCHEME) signatures.push(value);
  }

  const [timestamp] = timestamps;
  if (timestamp === undefined || timestamps.length > 1) {
    return `${HEADER} must contain exactly one t= timestamp`;
  }
  if (signatures.length === 0) return `${HEADER} contains no v1 signature`;
  return { timestamp, signatures };
}
