import type { SignatureScheme } from './signature-scheme';
import { SIGNING_DEFAULTS } from './signing-defaults';

/** Lower-case names of the headers that the signature schemes set. */
export const HEADER = Object.freeze({
  webhookId: 'webhook-id',
  webhookTimestamp: 'webhook-timestamp',
  webhookSignature: 'webhook-signature',
  jidoSignature: 'x-webhook-signature',
  jidoTimestamp: 'x-webhook-timestamp',
  jidoEvent: 'x-webhook-event',
});

/**
 * Lower-case names of every header that some scheme sets with its default
 * options. Subscription validation rejects user headers with these names.
 * `signatureHeadersFor` also covers a custom `hmac-sha256` header.
 */
export const SIGNATURE_HEADER_NAMES: readonly string[] = Object.freeze([
  HEADER.webhookId,
  HEADER.webhookTimestamp,
  HEADER.webhookSignature,
  SIGNING_DEFAULTS.signatureHeader.toLowerCase(),
  HEADER.jidoSignature,
  HEADER.jidoTimestamp,
  HEADER.jidoEvent,
]);

/**
 * Lists the lower-case names of the headers that `signRequest` sets for
 * `scheme`, so that user headers with those names can be rejected.
 *
 * @param signatureHeader - header of the `hmac-sha256` scheme, ignored by the
 *   other schemes.
 *   @defaultValue `SIGNING_DEFAULTS.signatureHeader` (`'X-Signature-256'`)
 */
export function signatureHeadersFor(
  scheme: SignatureScheme,
  signatureHeader: string = SIGNING_DEFAULTS.signatureHeader,
): readonly string[] {
  const common = [HEADER.webhookId, HEADER.webhookTimestamp];

  switch (scheme) {
    case 'standard-webhooks':
      return [...common, HEADER.webhookSignature];
    case 'hmac-sha256':
      return [...common, signatureHeader.toLowerCase()];
    case 'jido':
      return [
        ...common,
        HEADER.jidoSignature,
        HEADER.jidoTimestamp,
        HEADER.jidoEvent,
      ];
  }
}
