import { createHmac, timingSafeEqual } from 'node:crypto';

/** Length of an HMAC-SHA256 digest in bytes. */
export const SHA256_DIGEST_BYTES = 32;

/** Computes HMAC-SHA256 over the concatenation of `parts`. */
export function hmacSha256(key: Buffer, ...parts: Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/**
 * Returns whether any received signature equals any expected digest. Each
 * comparison is constant-time, and every pair is compared even after a match.
 * A received value of the wrong length never matches and never throws. Its
 * length is known to the sender anyway, so checking it first leaks nothing.
 */
export function matchesAnyDigest(
  expected: readonly Buffer[],
  received: readonly Buffer[],
): boolean {
  let matched = false;
  for (const digest of expected) {
    for (const candidate of received) {
      const sameLength = candidate.length === digest.length;
      if (sameLength && timingSafeEqual(candidate, digest)) matched = true;
    }
  }
  return matched;
}
