/**
 * Returns whether the string is canonical base64 (RFC 4648 section 4):
 * standard alphabet, `=` padding, zero padding bits, no whitespace.
 */
export function isStrictBase64(value: string): boolean {
  // Node's decoder skips characters outside the alphabet, so a string is
  // canonical exactly when decoding and encoding again gives it back.
  return Buffer.from(value, 'base64').toString('base64') === value;
}
