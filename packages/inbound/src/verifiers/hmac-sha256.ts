import {
  type EventKeys,
  type EventKeySource,
  fromBodyField,
  fromHeader,
} from '../event-keys';
import { readHeader, rejectMissingHeader } from '../headers';
import { hmacSha256, matchesAnyDigest, SHA256_DIGEST_BYTES } from '../hmac';
import { InboundConfigError } from '../inbound-config-error';
import { type HmacSha256SourceConfig, listSecrets } from '../inbound-config';
import { decodeBase64, decodeHex } from '../signature-encoding';
import {
  type InboundRequest,
  reject,
  type VerifyFailure,
} from '../verify-result';
import { describeNoMatch } from './no-match-message';

const PREFIX = 'sha256=';

/**
 * Verifies an HMAC-SHA256 of the body, keyed by the UTF-8 bytes of the
 * secret, in the configured header. The value is hex, all lower or all upper
 * case, or padded standard base64, with an optional `sha256=` prefix.
 * Returns the rejection, or undefined when the signature is valid.
 */
export function checkHmacSha256Signature(
  config: HmacSha256SourceConfig,
  request: InboundRequest,
): VerifyFailure | undefined {
  const header = readHeader(request.headers, config.header);
  if (header === undefined) {
    return rejectMissingHeader(request.headers, config.header);
  }
  const received = decodeDigest(
    header.startsWith(PREFIX) ? header.slice(PREFIX.length) : header,
  );
  if (received === undefined) {
    return reject(
      'invalid_signature',
      `${config.header} is not a hex or base64 HMAC-SHA256 digest`,
    );
  }

  const expected = listSecrets(config).map((secret) =>
    hmacSha256(Buffer.from(secret, 'utf8'), request.rawBody),
  );
  if (matchesAnyDigest(expected, [received])) return undefined;
  return reject('invalid_signature', describeNoMatch(config.header));
}

/**
 * Reads the event type and id from the configured body fields or headers.
 *
 * @throws InboundConfigError when neither the field nor the header of a pair
 * is set, which `parseInboundConfig` already rejects.
 */
export function readHmacSha256EventKeys(
  config: HmacSha256SourceConfig,
  request: InboundRequest,
  payload: unknown,
): EventKeys {
  return {
    type: readConfiguredKey(config, request, payload, 'type'),
    id: readConfiguredKey(config, request, payload, 'id'),
  };
}

function decodeDigest(text: string): Buffer | undefined {
  const candidates = [decodeHex(text), decodeBase64(text)];
  return candidates.find((bytes) => bytes?.length === SHA256_DIGEST_BYTES);
}

function readConfiguredKey(
  config: HmacSha256SourceConfig,
  request: InboundRequest,
  payload: unknown,
  key: 'type' | 'id',
): EventKeySource {
  const field = config[`${key}Field` as const];
  const header = config[`${key}Header` as const];
  if (field !== undefined) return fromBodyField(payload, field);
  if (header !== undefined) return fromHeader(request.headers, header);

  const message = `set exactly one of ${key}Field and ${key}Header`;
  throw new InboundConfigError([{ key: `${key}Field`, message }]);
}
