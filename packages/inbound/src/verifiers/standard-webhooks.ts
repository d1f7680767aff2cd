import { type EventKeys, fromBodyField, fromHeader } from '../event-keys';
import { readHeader, rejectMissingHeader } from '../headers';
import { hmacSha256, matchesAnyDigest } from '../hmac';
import { InboundConfigError } from '../inbound-config-error';
import {
  listSecrets,
  resolveToleranceSec,
  type StandardWebhooksSourceConfig,
} from '../inbound-config';
import { decodeBase64 } from '../signature-encoding';
import {
  decodeStandardWebhooksSecret,
  STANDARD_WEBHOOKS_SECRET_RULE,
} from '../standard-webhooks-secret';
import { findTimestampProblem } from '../timestamp';
import {
  type InboundHeaders,
  type InboundRequest,
  reject,
  type VerifyFailure,
} from '../verify-result';
import { describeNoMatch } from './no-match-message';

interface SignedHeaderNames {
  id: string;
  timestamp: string;
  signature: string;
}

type SignedHeaders = Record<keyof SignedHeaderNames, string>;

const STANDARD_NAMES: SignedHeaderNames = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
};

// Svix also sends the scheme under `svix-` header names, and the svix
// library (1.x) reads either set.
const SVIX_NAMES: SignedHeaderNames = {
  id: 'svix-id',
  timestamp: 'svix-timestamp',
  signature: 'svix-signature',
};

/**
 * Verifies Standard Webhooks signatures: `webhook-signature` is a
 * space-separated list of `v1,<base64>` entries, each an HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` keyed by the decoded `whsec_`
 * secret. Any one entry may match. Other versions and entries that are not
 * base64 are skipped. The `svix-` headers are read when `webhook-id` is
 * absent. Returns the rejection, or undefined when the signature is valid.
 *
 * @throws InboundConfigError when a secret is not `whsec_` and base64, which
 * `parseInboundConfig` already rejects.
 */
export function checkStandardWebhooksSignature(
  config: StandardWebhooksSourceConfig,
  request: InboundRequest,
): VerifyFailure | undefined {
  const names = chooseHeaderNames(request.headers);
  const signed = readSignedHeaders(request.headers, names);
  if ('ok' in signed) return signed;

  const problem = findTimestampProblem(
    signed.timestamp,
    request.nowSec,
    resolveToleranceSec(config),
  );
  if (problem) {
    return reject('invalid_signature', `${names.timestamp}: ${problem}`);
  }

  const prefix = Buffer.from(`${signed.id}.${signed.timestamp}.`, 'utf8');
  const expected = listSecrets(config).map((secret) =>
    hmacSha256(decodeKey(secret), prefix, request.rawBody),
  );
  const received = decodeV1Signatures(signed.signature);
  if (matchesAnyDigest(expected, received)) return undefined;
  return reject('invalid_signature', describeNoMatch(names.signature));
}

/** Reads the event type from the body field `type` and the id from `webhook-id`. */
export function readStandardWebhooksEventKeys(
  headers: InboundHeaders,
  payload: unknown,
): EventKeys {
  const { id } = chooseHeaderNames(headers);
  return { type: fromBodyField(payload, 'type'), id: fromHeader(headers, id) };
}

function chooseHeaderNames(headers: InboundHeaders): SignedHeaderNames {
  const useSvix =
    headers[STANDARD_NAMES.id] === undefined &&
    headers[SVIX_NAMES.id] !== undefined;
  return useSvix ? SVIX_NAMES : STANDARD_NAMES;
}

function readSignedHeaders(
  headers: InboundHeaders,
  names: SignedHeaderNames,
): SignedHeaders | VerifyFailure {
  const id = readHeader(headers, names.id);
  if (id === undefined) return rejectMissingHeader(headers, names.id);
  const timestamp = readHeader(headers, names.timestamp);
  if (timestamp === undefined) {
    return rejectMissingHeader(headers, names.timestamp);
  }
  const signature = readHeader(headers, names.signature);
  if (signature === undefined) {
    return rejectMissingHeader(headers, names.signature);
  }
  return { id, timestamp, signature };
}

function decodeV1Signatures(list: string): Buffer[] {
  return list.split(' ').flatMap((entry) => {
    const separator = entry.indexOf(',');
    if (separator < 0 || entry.slice(0, separator) !== 'v1') return [];
    return decodeBase64(entry.slice(separator + 1)) ?? [];
  });
}

function decodeKey(secret: string): Buffer {
  const key = decodeStandardWebhooksSecret(secret);
  if (key) return key;
  const message = STANDARD_WEBHOOKS_SECRET_RULE;
  throw new InboundConfigError([{ key: 'secret', message }]);
}
