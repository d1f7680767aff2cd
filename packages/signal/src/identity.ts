import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const WEBHOOK_ID_PREFIX = 'msg_';
const WEBHOOK_ID_HASH_CHARS = 22;

/**
 * Derives the `webhook-id` header of a signal: `msg_` and the first 22
 * characters of base64url(SHA-256(source, NUL, id)). Every attempt and every
 * target of one signal gets the same value, so receivers can deduplicate.
 */
export function webhookId(source: string, id: string): string {
  const hash = hashIdentity(source, id).toString('base64url');
  return WEBHOOK_ID_PREFIX + hash.slice(0, WEBHOOK_ID_HASH_CHARS);
}

/**
 * Derives the `webhook-id` from the signal's {@link identityHash}, the same
 * value {@link webhookId} derives from `(source, id)`, without hashing again.
 */
export function webhookIdOfIdentity(identity: string): string {
  const hash = Buffer.from(identity, 'hex').toString('base64url');
  return WEBHOOK_ID_PREFIX + hash.slice(0, WEBHOOK_ID_HASH_CHARS);
}

/**
 * Hashes a signal's identity `(source, id)` to 64 hex characters of
 * SHA-256(source, NUL, id), short and safe to embed in Redis keys.
 */
export function identityHash(source: string, id: string): string {
  return hashIdentity(source, id).toString('hex');
}

/** Generates a signal id: a UUIDv7, which sorts by creation time. */
export function newSignalId(): string {
  return uuidv7();
}

// NOTE: a NUL inside `source` makes the joined bytes ambiguous, so
// ("a\0b", "c") and ("a", "b\0c") hash alike. Rejecting NUL in `source` and
// `id` at parse time would close this if a producer ever sends one.
function hashIdentity(source: string, id: string): Buffer {
  return createHash('sha256').update(`${source}\0${id}`, 'utf8').digest();
}
