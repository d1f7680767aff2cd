const LOWER_HEX_PATTERN = /^(?:[0-9a-f]{2})*$/;
// One letter case throughout, so that changing the case of a single digit
// never yields another accepted spelling of the same signature.
const HEX_PATTERN = /^(?:(?:[0-9a-f]{2})*|(?:[0-9A-F]{2})*)$/;
const BASE64_PATTERN =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes lower-case hex, the form Stripe and GitHub send. Returns undefined
 * for anything else (upper case, odd length, non-ASCII) instead of throwing.
 */
export function decodeLowerHex(text: string): Buffer | undefined {
  return LOWER_HEX_PATTERN.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** Decodes hex that is all lower or all upper case, or returns undefined. */
export function decodeHex(text: string): Buffer | undefined {
  return HEX_PATTERN.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/**
 * Decodes padded standard base64, or returns undefined. Only the canonical
 * spelling is accepted: `Buffer.from` ignores the unused low bits of the last
 * character, so without the round trip several strings would decode to the
 * same signature.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64_PATTERN.test(text)) return undefined;

  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
