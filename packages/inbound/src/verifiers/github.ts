import { type EventKeys, fromHeader } from '../event-keys';
import { readHeader, rejectMissingHeader } from '../headers';
import { hmacSha256, matchesAnyDigest, SHA256_DIGEST_BYTES } from '../hmac';
import { type GithubSourceConfig, listSecrets } from '../inbound-config';
import { decodeLowerHex } from '../signature-encoding';
import {
  type InboundHeaders,
  type InboundRequest,
  reject,
  type VerifyFailure,
} from '../verify-result';
import { describeNoMatch } from './no-match-message';

const HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

/**
 * Verifies `X-Hub-Signature-256: sha256=<hex>`, an HMAC-SHA256 of the body
 * keyed by the UTF-8 bytes of the secret. GitHub signs no timestamp, so this
 * check cannot detect a replay. Only deduplicating the delivery id can.
 * Returns the rejection, or undefined when the signature is valid.
 *
 * NOTE: a webhook set to the `application/x-www-form-urlencoded` content type
 * passes this check but is rejected as `invalid_json`. Set the webhook to
 * `application/json`.
 */
export function checkGithubSignature(
  config: GithubSourceConfig,
  request: InboundRequest,
): VerifyFailure | undefined {
  const header = readHeader(request.headers, HEADER);
  if (header === undefined) {
    return rejectMissingHeader(request.headers, HEADER);
  }
  const received = header.startsWith(PREFIX)
    ? decodeLowerHex(header.slice(PREFIX.length))
    : undefined;
  if (received?.length !== SHA256_DIGEST_BYTES) {
    return reject(
      'invalid_signature',
      `${HEADER} must be sha256= followed by 64 lower-case hex digits`,
    );
  }

  const expected = listSecrets(config).map((secret) =>
    hmacSha256(Buffer.from(secret, 'utf8'), request.rawBody),
  );
  if (matchesAnyDigest(expected, [received])) return undefined;
  return reject('invalid_signature', describeNoMatch(HEADER));
}

/** Reads the event type and id from `X-GitHub-Event` and `X-GitHub-Delivery`. */
export function readGithubEventKeys(headers: InboundHeaders): EventKeys {
  return {
    type: fromHeader(headers, 'x-github-event'),
    id: fromHeader(headers, 'x-github-delivery'),
  };
}
