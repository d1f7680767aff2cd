import type { Redis } from 'ioredis';
import { DELIVERY_POLICY_ERROR_CODES, InFlightLimiter } from '../src';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { closeConnections, openConnections, sleep } from './redis-connections';

const prefix = testPrefix('in-flight');
const longLeaseMs = 60_000;
let connections: Redis[];
let redis: Redis;
let limiter: InFlightLimiter;

beforeAll(() => {
  connections = openConnections(5);
  redis = connections[0] as Redis;
  limiter = new InFlightLimiter(redis);
});

afterAll(async () => {
  await deletePrefix(prefix);
  await closeConnections(connections);
});

describe('InFlightLimiter', () => {
  describe('when the limit is reached', () => {
    it('grants two leases of three under limit 2', async () => {
      const key = `${prefix}:limit`;
      const first = await limiter.acquire(key, 'a', 2, longLeaseMs);
      const second = await limiter.acquire(key, 'b', 2, longLeaseMs);
      const third = await limiter.acquire(key, 'c', 2, longLeaseMs);

      expect(first).toEqual({ acquired: true, inFlight: 1, retryAfterMs: 0 });
      expect(second).toEqual({ acquired: true, inFlight: 2, retryAfterMs: 0 });
      expect(third.acquired).toBe(false);
      expect(third.inFlight).toBe(2);
      expect(third.retryAfterMs).toBeGreaterThan(0);
      expect(third.retryAfterMs).toBeLessThanOrEqual(longLeaseMs);
    });

    it('frees a slot on release', async () => {
      const key = `${prefix}:release`;
      await limiter.acquire(key, 'a', 2, longLeaseMs);
      await limiter.acquire(key, 'b', 2, longLeaseMs);

      await limiter.release(key, 'a');
      const third = await limiter.acquire(key, 'c', 2, longLeaseMs);

      expect(third).toEqual({ acquired: true, inFlight: 2, retryAfterMs: 0 });
    });

    it('grants exactly the limit to concurrent workers', async () => {
      const key = `${prefix}:concurrent`;
      const limiters = connections.map((c) => new InFlightLimiter(c));

      const results = await Promise.all(
        limiters.flatMap((each, worker) =>
          Array.from({ length: 10 }, (_, call) =>
            each.acquire(key, `lease-${worker}-${call}`, 10, longLeaseMs),
          ),
        ),
      );

      expect(results.filter((result) => result.acquired)).toHaveLength(10);
      expect(await redis.zcard(key)).toBe(10);
    });
  });

  describe('when a lease id is acquired twice', () => {
    it('takes one slot only', async () => {
      const key = `${prefix}:idempotent`;
      const first = await limiter.acquire(key, 'a', 1, longLeaseMs);
      const again = await limiter.acquire(key, 'a', 1, longLeaseMs);

      expect(first.acquired).toBe(true);
      expect(again).toEqual({ acquired: true, inFlight: 1, retryAfterMs: 0 });
    });
  });

  describe('when a worker dies holding a lease', () => {
    it('frees the slot once the lease expires', async () => {
      const key = `${prefix}:expiry`;
      expect((await limiter.acquire(key, 'dead', 1, 200)).acquired).toBe(true);
      expect((await limiter.acquire(key, 'next', 1, 200)).acquired).toBe(false);

      await sleep(400);
      const next = await limiter.acquire(key, 'next', 1, longLeaseMs);

      expect(next).toEqual({ acquired: true, inFlight: 1, retryAfterMs: 0 });
    });
  });

  describe('renew', () => {
    it('keeps a renewed lease past its first expiry', async () => {
      const key = `${prefix}:renew`;
      await limiter.acquire(key, 'a', 1, 200);

      expect(await limiter.renew(key, 'a', longLeaseMs)).toBe(true);
      await sleep(400);

      expect((await limiter.acquire(key, 'b', 1, 200)).acquired).toBe(false);
    });

    it('does not revive an expired lease', async () => {
      const key = `${prefix}:renew-expired`;
      await limiter.acquire(key, 'a', 1, 200);
      await sleep(400);

      expect(await limiter.renew(key, 'a', longLeaseMs)).toBe(false);
      expect(await redis.zscore(key, 'a')).toBeNull();
    });

    it('rejects renewing a released lease', async () => {
      const key = `${prefix}:renew-released`;
      await limiter.acquire(key, 'a', 1, longLeaseMs);
      await limiter.release(key, 'a');

      expect(await limiter.renew(key, 'a', longLeaseMs)).toBe(false);
    });
  });

  it('expires the key with its last lease', async () => {
    const key = `${prefix}:ttl`;
    await limiter.acquire(key, 'short', 5, 1000);
    await limiter.acquire(key, 'long', 5, 10_000);
    await limiter.acquire(key, 'middle', 5, 5000);

    const ttlMs = await redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(5000);
    expect(ttlMs).toBeLessThanOrEqual(10_000);
  });

  it('ignores the release of an unknown lease', async () => {
    const key = `${prefix}:unknown`;
    await limiter.acquire(key, 'a', 2, longLeaseMs);
    await limiter.release(key, 'nobody');

    expect(await redis.zcard(key)).toBe(1);
  });

  describe('when arguments are invalid', () => {
    const invalid = expect.objectContaining({
      code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
    });

    it.each<[string, string, string, number, number]>([
      ['an empty key', '', 'a', 1, 1000],
      ['an empty lease id', 'k', '', 1, 1000],
      ['a zero limit', 'k', 'a', 0, 1000],
      ['a fractional limit', 'k', 'a', 1.5, 1000],
      ['a zero lease time', 'k', 'a', 1, 0],
    ])('rejects %s on acquire', async (_label, key, id, limit, leaseMs) => {
      const fullKey = key && `${prefix}:${key}`;
      await expect(
        limiter.acquire(fullKey, id, limit, leaseMs),
      ).rejects.toMatchObject(invalid);
    });

    it('rejects a negative lease time on renew', async () => {
      await expect(limiter.renew(`${prefix}:k`, 'a', -1)).rejects.toMatchObject(
        invalid,
      );
    });

    it('rejects an empty lease id on release', async () => {
      await expect(limiter.release(`${prefix}:k`, '')).rejects.toMatchObject(
        invalid,
      );
    });
  });
});
