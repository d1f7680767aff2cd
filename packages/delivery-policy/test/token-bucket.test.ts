import type { Redis } from 'ioredis';
import {
  DELIVERY_POLICY_ERROR_CODES,
  MAX_TOKEN_BUCKET_REFILL_MS,
  TokenBucket,
  tokenBucketParams,
  type TokenBucketParams,
  type TokenBucketResult,
} from '../src';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { closeConnections, openConnections, sleep } from './redis-connections';

const prefix = testPrefix('token-bucket');
const hourlyRefill = 1 / 3_600_000;
let connections: Redis[];
let redis: Redis;

beforeAll(() => {
  connections = openConnections(5);
  redis = connections[0] as Redis;
});

afterAll(async () => {
  await deletePrefix(prefix);
  await closeConnections(connections);
});

describe('TokenBucket', () => {
  describe('when many workers take at once', () => {
    it('grants exactly the capacity', async () => {
      const key = `${prefix}:concurrent`;
      const params = { capacity: 10, refillPerMs: hourlyRefill };
      const buckets = connections.map(
        (connection) => new TokenBucket(connection),
      );

      const results = await Promise.all(
        buckets.flatMap((bucket) =>
          Array.from({ length: 10 }, () => bucket.take(key, params)),
        ),
      );

      const granted = results.filter((result) => result.granted);
      const rejected = results.filter((result) => !result.granted);
      expect(granted).toHaveLength(10);
      expect(rejected).toHaveLength(40);
      const remaining = granted.map((result) => result.remaining);
      expect(remaining.sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
      for (const result of rejected) {
        expect(result.retryAfterMs).toBeGreaterThan(0);
        expect(result.remaining).toBe(0);
      }
    });
  });

  describe('when the bucket is empty', () => {
    it('grants again once a token has accrued', async () => {
      const key = `${prefix}:refill`;
      const params = { capacity: 1, refillPerMs: 1 / 200 };
      const bucket = new TokenBucket(redis);
      const startedAt = Date.now();

      expect((await bucket.take(key, params)).granted).toBe(true);
      const rejected = await bucket.take(key, params);
      expect(rejected.granted).toBe(false);

      const granted = await takeUntilGranted(bucket, key, params, 3000);
      expect(granted?.granted).toBe(true);
      // Redis time is whole milliseconds, so allow a few milliseconds of rounding.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(195);
    });

    it('reports the time until one token', async () => {
      const key = `${prefix}:retry-after`;
      const params = { capacity: 2, refillPerMs: 1 / 1000 };
      const bucket = new TokenBucket(redis);
      const startedAt = Date.now();

      expect((await bucket.take(key, params, 2)).granted).toBe(true);
      const rejected = await bucket.take(key, params);
      const elapsedMs = Date.now() - startedAt;

      expect(rejected.granted).toBe(false);
      expect(rejected.remaining).toBe(0);
      expect(rejected.retryAfterMs).toBeLessThanOrEqual(1000);
      expect(rejected.retryAfterMs).toBeGreaterThanOrEqual(
        1000 - elapsedMs - 2,
      );
    });
  });

  it('takes several tokens at once', async () => {
    const key = `${prefix}:several`;
    const params = { capacity: 5, refillPerMs: hourlyRefill };
    const bucket = new TokenBucket(redis);

    const first = await bucket.take(key, params, 3);
    const second = await bucket.take(key, params, 3);

    expect(first).toEqual({ granted: true, retryAfterMs: 0, remaining: 2 });
    expect(second.granted).toBe(false);
    expect(second.remaining).toBe(2);
    expect(second.retryAfterMs).toBeGreaterThan(3_500_000);
  });

  it('keeps buckets apart by key', async () => {
    const params = { capacity: 1, refillPerMs: hourlyRefill };
    const bucket = new TokenBucket(redis);

    expect((await bucket.take(`${prefix}:apart-a`, params)).granted).toBe(true);
    expect((await bucket.take(`${prefix}:apart-a`, params)).granted).toBe(
      false,
    );
    expect((await bucket.take(`${prefix}:apart-b`, params)).granted).toBe(true);
  });

  it('expires the key once the bucket would be full', async () => {
    const key = `${prefix}:ttl`;
    const bucket = new TokenBucket(redis, { ttlMarginMs: 500 });
    await bucket.take(key, { capacity: 4, refillPerMs: 1 / 100 }, 4);

    const ttlMs = await redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(400 + 500);
  });

  describe('with a schedule horizon', () => {
    // One token a second, so the few ms between calls barely move a slot.
    const params = { capacity: 1, refillPerMs: 1 / 1000 };
    const options = { scheduleHorizonMs: 60_000 };

    it('gives denied takes slots one token apart', async () => {
      const key = `${prefix}:slots`;
      const [first, second] = connections.map(
        (connection) => new TokenBucket(connection),
      ) as [TokenBucket, TokenBucket];
      await first.take(key, params, 1, options);

      const delays: number[] = [];
      for (const bucket of [first, second, first, second]) {
        const result = await bucket.take(key, params, 1, options);
        expect(result.granted).toBe(false);
        delays.push(result.slotDelayMs ?? Number.NaN);
      }

      expect(delays[0]).toBeGreaterThan(500);
      expect(delays[0]).toBeLessThanOrEqual(1_000);
      // Each later call is made a little later, which shortens its delay.
      for (let i = 1; i < delays.length; i += 1) {
        const gap = (delays[i] as number) - (delays[i - 1] as number);
        expect(gap).toBeGreaterThan(500);
        expect(gap).toBeLessThanOrEqual(1_001);
      }
    });

    it('gives no slot past the horizon', async () => {
      const key = `${prefix}:horizon`;
      const bucket = new TokenBucket(redis);
      const horizon = { scheduleHorizonMs: 2_500 };
      await bucket.take(key, params, 1, horizon);

      const within = [
        await bucket.take(key, params, 1, horizon),
        await bucket.take(key, params, 1, horizon),
      ];
      const past = await bucket.take(key, params, 1, horizon);

      expect(within.map((result) => result.slotDelayMs)).toEqual([
        expect.any(Number),
        expect.any(Number),
      ]);
      expect(past.granted).toBe(false);
      expect(past.slotDelayMs).toBeUndefined();
    });

    it('keeps the key until the last slot', async () => {
      const key = `${prefix}:slot-ttl`;
      const bucket = new TokenBucket(redis, { ttlMarginMs: 500 });
      await bucket.take(key, params, 1, options);
      for (let i = 0; i < 10; i += 1)
        await bucket.take(key, params, 1, options);

      // The last slot is about 10 s ahead, the bucket full 1 s ahead.
      expect(await redis.pttl(key)).toBeGreaterThan(8_000);
    });

    it('gives no slot without a horizon', async () => {
      const key = `${prefix}:no-slot`;
      const bucket = new TokenBucket(redis);
      await bucket.take(key, params);

      const denied = await bucket.take(key, params);

      expect(denied.granted).toBe(false);
      expect(denied.slotDelayMs).toBeUndefined();
      expect(await redis.hexists(key, 'slotAtMs')).toBe(0);
    });
  });

  describe('when arguments are invalid', () => {
    const valid: TokenBucketParams = { capacity: 2, refillPerMs: 0.01 };
    const slowest = 2 / MAX_TOKEN_BUCKET_REFILL_MS;

    it.each<[string, string, TokenBucketParams, number]>([
      ['an empty key', '', valid, 1],
      ['a zero capacity', 'k', { ...valid, capacity: 0 }, 1],
      ['a fractional capacity', 'k', { ...valid, capacity: 1.5 }, 1],
      ['a zero refill rate', 'k', { ...valid, refillPerMs: 0 }, 1],
      ['a NaN refill rate', 'k', { ...valid, refillPerMs: Number.NaN }, 1],
      ['a too slow refill', 'k', { ...valid, refillPerMs: slowest / 2 }, 1],
      ['zero tokens', 'k', valid, 0],
      ['more tokens than capacity', 'k', valid, 3],
    ])('rejects %s', async (_label, key, params, tokens) => {
      const bucket = new TokenBucket(redis);
      await expect(
        bucket.take(key && `${prefix}:${key}`, params, tokens),
      ).rejects.toMatchObject({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      });
    });

    it.each([-1, 1.5])('rejects a schedule horizon of %s', async (ms) => {
      const bucket = new TokenBucket(redis);
      await expect(
        bucket.take(`${prefix}:bad-horizon`, valid, 1, {
          scheduleHorizonMs: ms,
        }),
      ).rejects.toMatchObject({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      });
    });

    it('accepts the slowest refill allowed', async () => {
      const bucket = new TokenBucket(redis);
      const params = { capacity: 2, refillPerMs: slowest };
      const result = await bucket.take(`${prefix}:slowest`, params);
      expect(result.granted).toBe(true);
    });

    it('rejects a zero TTL margin', () => {
      expect(() => new TokenBucket(redis, { ttlMarginMs: 0 })).toThrow(
        expect.objectContaining({
          code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
        }),
      );
    });
  });
});

describe('tokenBucketParams', () => {
  it('uses requests as the capacity by default', () => {
    expect(tokenBucketParams({ requests: 10, windowMs: 1000 })).toEqual({
      capacity: 10,
      refillPerMs: 0.01,
    });
  });

  it('uses burst as the capacity when given', () => {
    const params = tokenBucketParams({
      requests: 60,
      windowMs: 60_000,
      burst: 5,
    });
    expect(params).toEqual({ capacity: 5, refillPerMs: 0.001 });
  });

  it.each([
    { requests: 0, windowMs: 1000 },
    { requests: 10, windowMs: 0 },
    { requests: 10, windowMs: 1000, burst: 0 },
  ])('rejects %j', (rateLimit) => {
    expect(() => tokenBucketParams(rateLimit)).toThrow(
      expect.objectContaining({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      }),
    );
  });
});

async function takeUntilGranted(
  bucket: TokenBucket,
  key: string,
  params: TokenBucketParams,
  timeoutMs: number,
): Promise<TokenBucketResult | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await bucket.take(key, params);
    if (result.granted) return result;
    await sleep(Math.min(result.retryAfterMs, 50));
  }
  return undefined;
}
