import type { Redis } from 'ioredis';
import { DELIVERY_POLICY_ERROR_CODES, FixedWindowCounter } from '../src';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { closeConnections, openConnections, sleep } from './redis-connections';

const prefix = testPrefix('fixed-window');
let connections: Redis[];
let redis: Redis;
let counter: FixedWindowCounter;

beforeAll(() => {
  connections = openConnections(1);
  redis = connections[0] as Redis;
  counter = new FixedWindowCounter(redis);
});

afterAll(async () => {
  await deletePrefix(prefix);
  await closeConnections(connections);
});

describe('FixedWindowCounter', () => {
  describe('when calls pass maxCalls', () => {
    it('rejects the third call under maxCalls 2', async () => {
      const key = `${prefix}:max`;
      const hits = [];
      for (let i = 0; i < 3; i += 1)
        hits.push(await counter.hit(key, 2, 60_000));

      expect(hits.map((hit) => hit.allowed)).toEqual([true, true, false]);
      expect(hits.map((hit) => hit.count)).toEqual([1, 2, 3]);
      for (const hit of hits) {
        expect(hit.resetInMs).toBeGreaterThan(0);
        expect(hit.resetInMs).toBeLessThanOrEqual(60_000);
      }
    });

    it('counts other keys apart', async () => {
      await counter.hit(`${prefix}:apart-a`, 1, 60_000);
      const otherA = await counter.hit(`${prefix}:apart-a`, 1, 60_000);
      const firstB = await counter.hit(`${prefix}:apart-b`, 1, 60_000);

      expect(otherA.allowed).toBe(false);
      expect(firstB).toMatchObject({ allowed: true, count: 1 });
    });
  });

  describe('when the window has passed', () => {
    it('allows calls again', async () => {
      const key = `${prefix}:reset`;
      await counter.hit(key, 1, 200);
      expect((await counter.hit(key, 1, 200)).allowed).toBe(false);

      await sleep(400);
      const next = await counter.hit(key, 1, 200);

      expect(next).toMatchObject({ allowed: true, count: 1 });
    });
  });

  it('starts the window at the first call', async () => {
    const key = `${prefix}:start`;
    await counter.hit(key, 5, 1000);
    await sleep(300);
    const later = await counter.hit(key, 5, 1000);

    expect(later.count).toBe(2);
    expect(later.resetInMs).toBeLessThanOrEqual(710);
  });

  it('gives a counter without a TTL one', async () => {
    const key = `${prefix}:no-ttl`;
    await redis.set(key, '5');

    const hit = await counter.hit(key, 10, 60_000);

    expect(hit).toEqual({ allowed: true, count: 6, resetInMs: 60_000 });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  describe('when arguments are invalid', () => {
    it.each<[string, string, number, number]>([
      ['an empty key', '', 1, 1000],
      ['a zero maxCalls', 'k', 0, 1000],
      ['a fractional window', 'k', 1, 0.5],
    ])('rejects %s', async (_label, key, maxCalls, windowMs) => {
      const fullKey = key && `${prefix}:${key}`;
      await expect(
        counter.hit(fullKey, maxCalls, windowMs),
      ).rejects.toMatchObject({
        code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
      });
    });
  });
});
