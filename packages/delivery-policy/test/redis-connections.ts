import { Redis } from 'ioredis';
import { testRedisUrl } from '../../../test/support/redis';

/** Opens `count` separate connections, as separate workers would hold. */
export function openConnections(count: number): Redis[] {
  return Array.from(
    { length: count },
    () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }),
  );
}

/** Closes every connection, waiting for pending replies. */
export async function closeConnections(connections: Redis[]): Promise<void> {
  await Promise.all(connections.map((connection) => connection.quit()));
}

/** Resolves after at least `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
