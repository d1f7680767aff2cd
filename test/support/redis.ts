import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis that global setup chose for this run. */
export function testRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests through jest');
  return url;
}

/** A hash-tagged key prefix of its own, so parallel test files never collide. */
export function testPrefix(label = 'test'): string {
  return `{sp-${label}-${randomBytes(4).toString('hex')}}`;
}

/** Deletes every key under the prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
