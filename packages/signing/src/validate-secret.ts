import type { SignatureScheme } from './signature-scheme';
import { SIGNING_DEFAULTS } from './signing-defaults';

// Standard alphabet with `=` padding. The round trip in `decodeBase64Strict`
// also rejects non-zero bits after the last full byte.
const BASE64_PATTERN =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Validates a secret for `scheme` and returns an error message, or undefined
 * when the secret is valid. The message never contains the secret.
 *
 * A `standard-webhooks` secret is `whsec_` and strict base64 that decodes to
 * 24 to 64 bytes. An `hmac-sha256` or `jido` secret is any string of at
 * least 16 UTF-8 bytes.
 */
export function validateSecret(
  scheme: SignatureScheme,
  secret: string,
): string | undefined {
  switch (scheme) {
    case 'standard-webhooks':
      return validateStandardWebhooksSecret(secret);
    case 'hmac-sha256':
    case 'jido':
      return validateHmacSecret(scheme, secret);
    default:
      return `unknown signature scheme ${JSON.stringify(scheme)}`;
  }
}

/**
 * Decodes the key bytes of a Standard Webhooks secret, or returns undefined
 * when the secret is not `whsec_` and strict base64.
 */
export function decodeStandardWebhooksKey(secret: string): Buffer | undefined {
  const prefix = SIGNING_DEFAULTS.standardWebhooksSecretPrefix;
  if (!secret.startsWith(prefix)) return undefined;

  return decodeBase64Strict(secret.slice(prefix.length));
}

function validateStandardWebhooksSecret(secret: string): string | undefined {
  const prefix = SIGNING_DEFAULTS.standardWebhooksSecretPrefix;
  if (!secret.startsWith(prefix)) {
    return `standard-webhooks secret must start with "${prefix}"`;
  }

  const key = decodeStandardWebhooksKey(secret);
  if (key === undefined) {
    return `standard-webhooks secret must be "${prefix}" followed by base64 with the standard alphabet and padding`;
  }

  const { standardWebhooksMinKeyBytes: min, standardWebhooksMaxKeyBytes: max } =
    SIGNING_DEFAULTS;
  if (key.length < min || key.length > max) {
    return `standard-webhooks secret must decode to ${min} to ${max} bytes, but it decodes to ${key.length}`;
  }
  return undefined;
}

function validateHmacSecret(
  scheme: SignatureScheme,
  secret: string,
): string | undefined {
  const min = SIGNING_DEFAULTS.hmacMinSecretBytes;
  if (Buffer.byteLength(secret, 'utf8') >= min) return undefined;

  return `${scheme} secret must be at least ${min} bytes in UTF-8`;
}

function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64_PATTERN.test(text)) return undefined;

  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
