/** Defaults and limits of the signature schemes. */
export const SIGNING_DEFAULTS = Object.freeze({
  /**
   * Header that carries the `hmac-sha256` signature.
   * @defaultValue `'X-Signature-256'`
   */
  signatureHeader: 'X-Signature-256',
  /** Prefix of a Standard Webhooks secret, before its base64 key. */
  standardWebhooksSecretPrefix: 'whsec_',
  /** Minimum length of a decoded Standard Webhooks key, in bytes. */
  standardWebhooksMinKeyBytes: 24,
  /** Maximum length of a decoded Standard Webhooks key, in bytes. */
  standardWebhooksMaxKeyBytes: 64,
  /** Minimum length of an `hmac-sha256` or `jido` secret, in UTF-8 bytes. */
  hmacMinSecretBytes: 16,
});
