/**
 * Signature scheme of a webhook target.
 *
 * - `standard-webhooks`: the Standard Webhooks `webhook-signature` header.
 * - `hmac-sha256`: hex HMAC-SHA256 of the body, in the GitHub `sha256=` style.
 * - `jido`: the headers of the Jido.Signal webhook adapter.
 */
export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256' | 'jido';

/** Every supported signature scheme. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = Object.freeze([
  'standard-webhooks',
  'hmac-sha256',
  'jido',
]);

/** Checks whether `value` names a supported signature scheme. */
export function isSignatureScheme(value: unknown): value is SignatureScheme {
  return SIGNATURE_SCHEMES.some((scheme) => scheme === value);
}
