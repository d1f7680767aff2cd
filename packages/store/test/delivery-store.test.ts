import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@signalpost/queues';
import { DeliveryStore } from '../src';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';

const retentionMs = 3_600_000;
const nextAttemptAt = new Date('2030-01-01T00:00:00.000Z');

let redis: Redis;
let prefix: string;
let keys: RedisKeys;
let deliveries: DeliveryStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(async () => {
  prefix = testPrefix('delivery-store');
  keys = redisKeys(prefix);
  deliveries = new DeliveryStore(redis, keys, { retentionMs });
  await deliveries.create(
    ['d-1', 'd-2', 'd-3'].map((id) => ({
      id,
      signalId: `signal-${id}`,
      signalIdentity: `identity-${id}`,
      source: 'shop',
      subscriptionId: 'orders',
      targetId: 'primary',
      createdAt: '2025-01-01T00:00:00.000Z',
    })),
  );
});

afterEach(async () => {
  jest.restoreAllMocks();
  await deletePrefix(prefix);
});

describe('DeliveryStore.setState', () => {
  it('writes the states of one turn in one call', async () => {
    const calls = jest.spyOn(redis, 'evalsha');
    await Promise.all([
      deliveries.setState('d-1', 'scheduled', {
        nextAttemptAt,
        reason: 'max_in_flight',
      }),
      deliveries.setState('d-2', 'scheduled', {
        nextAttemptAt,
        reason: 'rate_limited',
      }),
      deliveries.setState('d-3', 'pending'),
    ]);

    expect(calls).toHaveBeenCalledTimes(1);
    const [first, second, third] = await Promise.all(
      ['d-1', 'd-2', 'd-3'].map((id) => deliveries.get(id)),
    );
    expect(first).toMatchObject({
      state: 'scheduled',
      nextAttemptAt: nextAttemptAt.toISOString(),
      reason: 'max_in_flight',
    });
    expect(second).toMatchObject({
      state: 'scheduled',
      reason: 'rate_limited',
    });
    expect(third?.state).toBe('pending');
    expect(third?.nextAttemptAt).toBeUndefined();
  });

  it('clears nextAttemptAt, keeps the reason', async () => {
    await deliveries.setState('d-1', 'scheduled', {
      nextAttemptAt,
      reason: 'circuit_open',
    });
    await deliveries.setState('d-1', 'in_flight');

    const record = await deliveries.get('d-1');
    expect(record?.state).toBe('in_flight');
    expect(record?.nextAttemptAt).toBeUndefined();
    expect(record?.reason).toBe('circuit_open');
  });

  it('leaves an ended delivery alone', async () => {
    await deliveries.finalize('d-1', 'delivered');
    await deliveries.setState('d-1', 'scheduled', {
      nextAttemptAt,
      reason: 'max_in_flight',
    });

    const record = await deliveries.get('d-1');
    expect(record?.state).toBe('delivered');
    expect(record?.nextAttemptAt).toBeUndefined();
  });

  it('creates no record for a missing delivery', async () => {
    await deliveries.setState('missing', 'scheduled', { nextAttemptAt });

    expect(await redis.exists(keys.delivery('missing'))).toBe(0);
  });

  it('keeps the last state of a turn', async () => {
    await Promise.all([
      deliveries.setState('d-1', 'scheduled', { nextAttemptAt }),
      deliveries.setState('d-1', 'pending'),
    ]);

    const record = await deliveries.get('d-1');
    expect(record?.state).toBe('pending');
    expect(record?.nextAttemptAt).toBeUndefined();
  });
});

describe('DeliveryStore.finalize', () => {
  it('ends once and clears nextAttemptAt', async () => {
    await deliveries.setState('d-1', 'scheduled', { nextAttemptAt });

    const first = await deliveries.finalize('d-1', 'dead_lettered', 'gone');
    const second = await deliveries.finalize('d-1', 'delivered');

    const record = await deliveries.get('d-1');
    expect([first, second]).toEqual([true, false]);
    expect(record).toMatchObject({ state: 'dead_lettered', reason: 'gone' });
    expect(record?.nextAttemptAt).toBeUndefined();
    expect(await deliveries.ledger()).toMatchObject({
      created: 3,
      dead_lettered: 1,
      delivered: 0,
      inFlight: 2,
    });
  });

  it("counts an expired record's end once", async () => {
    await redis.del(keys.delivery('d-1'));

    const first = await deliveries.finalize('d-1', 'dead_lettered', 'gone');
    const second = await deliveries.finalize('d-1', 'dead_lettered', 'gone');

    expect([first, second]).toEqual([true, false]);
    expect(await deliveries.ledger()).toMatchObject({
      created: 3,
      dead_lettered: 1,
      inFlight: 2,
    });
    expect(await deliveries.get('d-1')).toBeUndefined();
    const ttlMs = await redis.pttl(keys.delivery('d-1'));
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(retentionMs);
  });
});
