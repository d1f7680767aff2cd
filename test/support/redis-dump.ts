import { Redis } from 'ioredis';
import { testRedisUrl } from './redis';

/** Defaults of {@link dumpPrefix}. */
export const REDIS_DUMP_DEFAULTS = Object.freeze({
  /**
   * Maximum number of keys read. A prefix with more keys makes the dump
   * fail instead of running on.
   * @defaultValue 100000
   */
  maxKeys: 100_000,
});

/**
 * Reads every key under `prefix` with its value, whatever the Redis type,
 * and returns it all as one text: one line per key, the name and then the
 * value as JSON. A test searches it for values that must never be stored.
 *
 * @throws Error when the prefix contains more than `maxKeys` keys
 */
export async function dumpPrefix(
  prefix: string,
  maxKeys: number = REDIS_DUMP_DEFAULTS.maxKeys,
): Promise<string> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    const keys = await scanKeys(redis, prefix, maxKeys);
    const lines: string[] = [];
    for (const key of keys) {
      lines.push(`${key} ${JSON.stringify(await readValue(redis, key))}`);
    }
    return lines.join('\n');
  } finally {
    redis.disconnect();
  }
}

async function scanKeys(
  redis: Redis,
  prefix: string,
  maxKeys: number,
): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    for (const key of batch) keys.add(key);
    if (keys.size > maxKeys) {
      throw new Error(`more than ${maxKeys} keys under ${prefix}`);
    }
  } while (cursor !== '0');
  return [...keys].sort();
}

async function readValue(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return `(${type})`;
  }
}
