import { withDeadline } from '@signalpost/queues';

/**
 * Time a read route waits for Redis before it returns 503
 * `redis_unavailable`, so that a read gets a response while Redis is
 * connected but stalled. Reads change nothing, so giving up on one is
 * safe. Writes have no such limit, because a write given up on may still
 * run in Redis afterwards.
 */
export const READ_DEADLINE_MS = 5_000;

/**
 * Starts the deadline of one request's reads. Each read passed to the
 * returned function fails with `RedisTimeoutError` once
 * {@link READ_DEADLINE_MS} have passed since this call.
 */
export function startReadDeadline(): <T>(reads: Promise<T>) => Promise<T> {
  const endMs = Date.now() + READ_DEADLINE_MS;
  return (reads) => withDeadline(reads, Math.max(1, endMs - Date.now()));
}
