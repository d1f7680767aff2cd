import { Redis } from 'ioredis';
import { HoldSchedule } from '../src';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';

const horizonMs = 60_000;

let redis: Redis;
let other: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  other = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await Promise.all([redis.quit(), other.quit()]);
});

beforeEach(() => {
  prefix = testPrefix('hold-schedule');
});

afterEach(async () => {
  jest.restoreAllMocks();
  await deletePrefix(prefix);
});

describe('HoldSchedule.reserve', () => {
  it('spaces one turn exactly in one call', async () => {
    const schedule = new HoldSchedule(redis);
    const calls = jest.spyOn(redis, 'evalsha');
    const key = `${prefix}:target`;

    const delays = await Promise.all(
      [1, 2, 3].map(() => schedule.reserve(key, 100, horizonMs)),
    );

    expect(calls).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([100, 200, 300]);
  });

  it('shares the schedule between workers', async () => {
    const first = new HoldSchedule(redis);
    const second = new HoldSchedule(other);
    const key = `${prefix}:target`;

    const delays: number[] = [];
    for (const schedule of [first, second, first, second])
      delays.push((await schedule.reserve(key, 1_000, horizonMs)) ?? NaN);

    expect(delays[0]).toBe(1_000);
    // Each later call is made a little later, which shortens its delay.
    for (let i = 1; i < delays.length; i += 1) {
      const gap = (delays[i] as number) - (delays[i - 1] as number);
      expect(gap).toBeGreaterThan(500);
      expect(gap).toBeLessThanOrEqual(1_001);
    }
  });

  it('starts from now once the schedule has passed', async () => {
    const schedule = new HoldSchedule(redis);
    const key = `${prefix}:target`;
    await schedule.reserve(key, 50, horizonMs);

    await new Promise((resolve) => setTimeout(resolve, 120));

    expect(await schedule.reserve(key, 50, horizonMs)).toBe(50);
  });

  it('reserves nothing past the horizon', async () => {
    const schedule = new HoldSchedule(redis);
    const key = `${prefix}:target`;

    const delays = await Promise.all(
      [1, 2, 3].map(() => schedule.reserve(key, 100, 250)),
    );
    const later = await schedule.reserve(key, 10, horizonMs);

    expect(delays).toEqual([100, 200, undefined]);
    // After the second return time, not after one at 300 ms.
    expect(later).toBeLessThanOrEqual(210);
  });

  it('keeps the key until the last return time', async () => {
    const schedule = new HoldSchedule(redis);
    const key = `${prefix}:target`;

    await Promise.all(
      [1, 2, 3].map(() => schedule.reserve(key, 2_000, horizonMs)),
    );

    const ttlMs = await redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(6_000);
    expect(ttlMs).toBeLessThanOrEqual(7_000);
  });

  it('keeps schedules apart by key', async () => {
    const schedule = new HoldSchedule(redis);

    const delays = await Promise.all([
      schedule.reserve(`${prefix}:a`, 100, horizonMs),
      schedule.reserve(`${prefix}:b`, 100, horizonMs),
      schedule.reserve(`${prefix}:a`, 100, horizonMs),
    ]);

    expect(delays).toEqual([100, 100, 200]);
  });
});
