import { decodeBase64 } from './signature-encoding';

const SECRET_PREFIX = 'whsec_';

/** Rule that a Standard Webhooks secret breaks, for error messages. */
export const STANDARD_WEBHOOKS_SECRET_RULE =
  'must be whsec_ followed by a non-empty base64 key';

/**
 * Decodes a Standard Webhooks secret, `whsec_` followed by base64, to the
 * HMAC key bytes. Returns undefined when the prefix is missing, the base64 is
 * invalid or the key is empty.
 */
export function decodeStandardWebhooksSecret(
  secret: string,
): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;

  const key = decodeBase64(secret.slice(SECRET_PREFIX.length));
  return key && key.length > 0 ? key : undefined;
}
