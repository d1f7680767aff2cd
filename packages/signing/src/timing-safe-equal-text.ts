import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Comparing HMACs under a random key gives timingSafeEqual inputs of equal
// length, so it never throws. Hashing time still grows with input length, so
// lengths may leak through timing, but contents do not.
const COMPARISON_KEY = randomBytes(32);

/**
 * Compares two strings in time that does not depend on where they differ, for
 * signatures and tokens. Strings of different lengths return false.
 */
export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function digest(text: string): Buffer {
  // UTF-16 code units keep lone surrogates apart, which UTF-8 would merge
  // into U+FFFD.
  return createHmac('sha256', COMPARISON_KEY)
    .update(Buffer.from(text, 'utf16le'))
    .digest();
}
