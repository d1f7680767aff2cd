import { createSecretKey, type KeyObject } from 'node:crypto';

import type { SignatureScheme } from './signature-scheme';
import { decodeStandardWebhooksKey, validateSecret } from './validate-secret';

/** Secrets per scheme whose key is kept. Past it the cache starts over. */
const MAX_KEPT_KEYS = 1_000;

/** The HMAC key of a valid secret, or why the secret is invalid. */
export type SigningKey =
  | { readonly key: KeyObject; readonly problem?: undefined }
  | { readonly key?: undefined; readonly problem: string };

const keptKeys: Record<SignatureScheme, Map<string, SigningKey>> = {
  'standard-webhooks': new Map(),
  'hmac-sha256': new Map(),
  jido: new Map(),
};

/**
 * Validates a secret for `scheme` and returns its HMAC key: the decoded
 * bytes of a Standard Webhooks secret, else the secret's UTF-8 bytes.
 * The result is kept per secret, so a target's later attempts neither
 * decode nor validate its secret again. A secret that changes, say in a
 * file, is a new entry. The problem message never contains the secret.
 */
export function signingKeyOf(
  scheme: SignatureScheme,
  secret: string,
): SigningKey {
  // A scheme from untyped input may be unknown, and validation rejects it.
  const kept = keptKeys[scheme] as Map<string, SigningKey> | undefined;
  if (kept === undefined) return deriveSigningKey(scheme, secret);

  let signingKey = kept.get(secret);
  if (signingKey === undefined) {
    signingKey = deriveSigningKey(scheme, secret);
    if (kept.size >= MAX_KEPT_KEYS) kept.clear();
    kept.set(secret, signingKey);
  }
  return signingKey;
}

function deriveSigningKey(scheme: SignatureScheme, secret: string): SigningKey {
  const problem = validateSecret(scheme, secret);
  if (problem !== undefined) return { problem };

  const bytes =
    scheme === 'standard-webhooks'
      ? decodeStandardWebhooksKey(secret)
      : Buffer.from(secret, 'utf8');
  // validateSecret has decoded the key, so this guards a regression only.
  if (bytes === undefined) return { problem: 'undecodable key' };
  return { key: createSecretKey(bytes) };
}
