import { Redis } from 'ioredis';
import { parseAllowTargets } from '@signalpost/net-guard';
import { redisKeys, type RedisKeys } from '@signalpost/queues';
import {
  validateSubscription,
  type DisabledMark,
  type Subscription,
} from '@signalpost/subscriptions';
import {
  AttemptStore,
  DeliveryStore,
  MAX_ATTEMPTS_KEPT,
  SubscriptionStore,
  type AttemptRecord,
  type AttemptStart,
  type FinalOutcome,
  type LeaseRequest,
} from '../src';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';

const retentionMs = 3_600_000;
const leaseMs = 60_000;
const subscriptionId = 'orders';
const outcomes: readonly FinalOutcome[] = [
  'delivered',
  'dead_lettered',
  'throttled',
  'dropped',
];

let redis: Redis;
let prefix: string;
let keys: RedisKeys;
let attempts: AttemptStore;
let deliveries: DeliveryStore;
let subscriptions: SubscriptionStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = testPrefix('attempt-store');
  keys = redisKeys(prefix);
  attempts = new AttemptStore(redis, keys, { retentionMs });
  deliveries = new DeliveryStore(redis, keys, { retentionMs });
  subscriptions = new SubscriptionStore(redis, keys);
});

afterEach(async () => {
  await deletePrefix(prefix);
});

describe('AttemptStore', () => {
  describe('begin', () => {
    it.each(outcomes)('treats %s as ended', async (outcome) => {
      await createDelivery('d-1');
      await deliveries.finalize('d-1', outcome);

      const start = await attempts.begin('d-1', subscriptionId, undefined);

      expect(start).toEqual({ ended: true, state: outcome });
    });

    it.each(['pending', 'scheduled', 'in_flight'] as const)(
      'treats %s as open',
      async (state) => {
        await subscriptions.create(await buildSubscription());
        await createDelivery('d-1');
        if (state !== 'pending') await deliveries.setState('d-1', state);

        const start = openStart(
          await attempts.begin('d-1', subscriptionId, undefined),
        );

        expect(start.ended).toBe(false);
        expect(start.state).toBe(state);
      },
    );

    it('returns the stored subscription without a copy', async () => {
      const stored = await buildSubscription();
      await subscriptions.create(stored);
      await createDelivery('d-1');

      const start = openStart(
        await attempts.begin('d-1', subscriptionId, undefined),
      );

      expect(start.state).toBe('pending');
      expect(start.version).toBe(String(await subscriptions.version()));
      expect(start.subscription).toEqual(stored);
    });

    it('skips the subscription for a current copy', async () => {
      await createDelivery('d-1');
      const current = await storeSubscription();

      const start = openStart(
        await attempts.begin('d-1', subscriptionId, current),
      );

      expect(start.state).toBe('pending');
      expect(start.version).toBe(current);
      expect(start.subscription).toBeUndefined();
    });

    it('returns the replacement after a put', async () => {
      await subscriptions.create(await buildSubscription());
      await createDelivery('d-1');
      const before = String(await subscriptions.version());
      const replaced = await buildSubscription({ pattern: 'orders.paid' });
      await subscriptions.put(replaced);

      const start = openStart(
        await attempts.begin('d-1', subscriptionId, before),
      );

      expect(start.version).not.toBe(before);
      expect(start.version).toBe(String(await subscriptions.version()));
      expect(start.subscription).toEqual(replaced);
    });

    it('applies a disabled mark to the target', async () => {
      const stored = await buildSubscription();
      await subscriptions.create(stored);
      await createDelivery('d-1');
      const before = String(await subscriptions.version());
      const mark: DisabledMark = {
        at: '2025-01-02T03:04:05.000Z',
        reason: 'target responded 410 Gone',
      };
      await subscriptions.disableTarget(subscriptionId, 'primary', mark);

      const start = openStart(
        await attempts.begin('d-1', subscriptionId, before),
      );
      const subscription = start.subscription;

      expect(start.version).not.toBe(before);
      expect(subscription?.dispatch[0]?.disabled).toEqual(mark);
      expect(subscription?.dispatch[1]?.disabled).toBeUndefined();
      expect(subscription).toEqual(await subscriptions.get(subscriptionId));
    });

    it('applies a disabled mark to a fallback target', async () => {
      await subscriptions.create(await buildSubscription());
      await createDelivery('d-1');
      const mark: DisabledMark = {
        at: '2025-01-02T03:04:05.000Z',
        reason: 'target responded 410 Gone',
      };
      await subscriptions.disableTarget(subscriptionId, 'backup', mark);

      const start = openStart(
        await attempts.begin('d-1', subscriptionId, undefined),
      );
      const primary = start.subscription?.dispatch[0];

      expect(primary?.disabled).toBeUndefined();
      expect(primary?.fallback?.disabled).toEqual(mark);
    });

    it('returns null for a deleted subscription', async () => {
      await subscriptions.create(await buildSubscription());
      await createDelivery('d-1');
      const before = String(await subscriptions.version());
      await subscriptions.delete(subscriptionId);

      const start = openStart(
        await attempts.begin('d-1', subscriptionId, before),
      );

      expect(start.version).not.toBe(before);
      expect(start.version).toBe(String(await subscriptions.version()));
      expect(start.subscription).toBeNull();
    });

    it('returns null for a subscription never stored', async () => {
      await createDelivery('d-1');

      const start = openStart(
        await attempts.begin('d-1', 'missing', undefined),
      );

      expect(start.state).toBe('pending');
      expect(start.version).toBe('0');
      expect(start.subscription).toBeNull();
    });

    it('reports no state for a missing delivery', async () => {
      const stored = await buildSubscription();
      await subscriptions.create(stored);

      const start = await attempts.begin('missing', subscriptionId, undefined);

      expect(start.ended).toBe(false);
      expect(start.state).toBeUndefined();
      expect(openStart(start).subscription).toEqual(stored);
    });
  });

  describe('start', () => {
    it('takes a lease under the limit', async () => {
      await createScheduledDelivery('d-1');
      const leaseKey = keys.inFlight('primary');

      const lease = await attempts.start(
        'd-1',
        leaseKey,
        2,
        leaseMs,
        originBreakerKey(),
      );

      expect(lease.acquired).toBe(true);
      expect(lease.retryAfterMs).toBe(0);
      expect(await redis.zscore(leaseKey, 'd-1')).not.toBeNull();
      expect(await redis.zcard(leaseKey)).toBe(1);
    });

    it('marks the delivery in flight', async () => {
      await createScheduledDelivery('d-1');

      await attempts.start(
        'd-1',
        keys.inFlight('primary'),
        2,
        leaseMs,
        originBreakerKey(),
      );
      const record = await deliveries.get('d-1');

      expect(await deliveries.state('d-1')).toBe('in_flight');
      expect(record?.state).toBe('in_flight');
      expect(record?.nextAttemptAt).toBeUndefined();
      expect(record?.updatedAt).toBeDefined();
    });

    it('leaves an ended delivery ended, so it is counted once', async () => {
      const leaseKey = keys.inFlight('primary');
      await createDelivery('d-1');
      await attempts.succeed('d-1', attempt(1), leaseKey);

      await attempts.start('d-1', leaseKey, 2, leaseMs, originBreakerKey());
      const again = await attempts.succeed('d-1', attempt(2), leaseKey);

      expect(again).toBe(false);
      expect(await deliveries.state('d-1')).toBe('delivered');
      expect(await deliveries.ledger()).toMatchObject({
        delivered: 1,
        inFlight: 0,
      });
    });

    it('writes no record for a delivery that has none', async () => {
      await attempts.start(
        'missing',
        keys.inFlight('primary'),
        2,
        leaseMs,
        originBreakerKey(),
      );

      expect(await redis.exists(keys.delivery('missing'))).toBe(0);
    });

    it.each([
      { breaker: 'no hash', fields: undefined, circuitClosed: true },
      { breaker: 'no state', fields: { openUntil: '0' }, circuitClosed: true },
      { breaker: 'closed', fields: { state: 'closed' }, circuitClosed: true },
      { breaker: 'open', fields: { state: 'open' }, circuitClosed: false },
      {
        breaker: 'half_open',
        fields: { state: 'half_open' },
        circuitClosed: false,
      },
    ])(
      'returns circuitClosed $circuitClosed for $breaker',
      async ({ fields, circuitClosed }) => {
        await createDelivery('d-1');
        const breakerKey = originBreakerKey();
        if (fields) await redis.hset(breakerKey, fields);

        const lease = await attempts.start(
          'd-1',
          keys.inFlight('primary'),
          2,
          leaseMs,
          breakerKey,
        );

        expect(lease.acquired).toBe(true);
        expect(lease.circuitClosed).toBe(circuitClosed);
      },
    );

    it('rejects at the limit', async () => {
      const leaseKey = keys.inFlight('primary');
      await createDelivery('d-1');
      await createScheduledDelivery('d-2');
      const before = await deliveries.get('d-2');
      await attempts.start('d-1', leaseKey, 1, leaseMs, originBreakerKey());

      const lease = await attempts.start(
        'd-2',
        leaseKey,
        1,
        leaseMs,
        originBreakerKey(),
      );

      expect(lease.acquired).toBe(false);
      expect(lease.retryAfterMs).toBeGreaterThan(0);
      expect(lease.retryAfterMs).toBeLessThanOrEqual(leaseMs);
      expect(await redis.zscore(leaseKey, 'd-2')).toBeNull();
      expect(await deliveries.state('d-2')).toBe('scheduled');
      expect(await deliveries.get('d-2')).toEqual(before);
    });

    it('takes one slot for a lease taken twice', async () => {
      const leaseKey = keys.inFlight('primary');
      await createDelivery('d-1');
      await createDelivery('d-2');

      const first = await attempts.start(
        'd-1',
        leaseKey,
        2,
        leaseMs,
        originBreakerKey(),
      );
      const again = await attempts.start(
        'd-1',
        leaseKey,
        2,
        leaseMs,
        originBreakerKey(),
      );
      const other = await attempts.start(
        'd-2',
        leaseKey,
        2,
        leaseMs,
        originBreakerKey(),
      );

      expect(first.acquired).toBe(true);
      expect(again.acquired).toBe(true);
      expect(other.acquired).toBe(true);
      expect(await redis.zcard(leaseKey)).toBe(2);
    });
  });

  describe('beginAndStart', () => {
    it('serves concurrent attempts in one call', async () => {
      await createDelivery('d-1');
      await createDelivery('d-2');
      await createDelivery('d-3');
      await deliveries.finalize('d-3', 'delivered');
      const current = await storeSubscription();
      const evalsha = jest.spyOn(redis, 'evalsha');

      const [first, second, ended, stale] = await Promise.all([
        attempts.beginAndStart('d-1', subscriptionId, current, leaseRequest(1)),
        attempts.beginAndStart('d-2', subscriptionId, current, leaseRequest(1)),
        attempts.beginAndStart('d-3', subscriptionId, current, leaseRequest(1)),
        attempts.beginAndStart('d-1', subscriptionId, 'old', leaseRequest(1)),
      ]);
      const calls = evalsha.mock.calls.length;
      evalsha.mockRestore();

      expect(calls).toBe(1);
      expect(first?.lease?.acquired).toBe(true);
      expect(second?.lease?.acquired).toBe(false);
      expect(ended).toEqual({ ended: true, state: 'delivered' });
      expect(stale?.lease).toBeUndefined();
      expect(openStart(stale).subscription).toEqual(
        await subscriptions.get(subscriptionId),
      );
    });

    it('keeps target limits apart in one call', async () => {
      for (const id of ['d-1', 'd-2', 'd-3', 'd-4']) await createDelivery(id);
      const current = await storeSubscription();
      const other = { ...leaseRequest(2), leaseKey: keys.inFlight('other') };
      const evalsha = jest.spyOn(redis, 'evalsha');

      const starts = await Promise.all([
        attempts.beginAndStart('d-1', subscriptionId, current, leaseRequest(1)),
        attempts.beginAndStart('d-2', subscriptionId, current, other),
        attempts.beginAndStart('d-3', subscriptionId, current, leaseRequest(1)),
        attempts.beginAndStart('d-4', subscriptionId, current, other),
      ]);
      const calls = evalsha.mock.calls.length;
      evalsha.mockRestore();

      expect(calls).toBe(1);
      expect(starts.map((start) => start.lease?.acquired)).toEqual([
        true,
        true,
        false,
        true,
      ]);
      expect(await redis.zcard(leaseRequest(1).leaseKey)).toBe(1);
      expect(await redis.zcard(other.leaseKey)).toBe(2);
      expect(await deliveries.state('d-3')).toBe('pending');
      expect(await deliveries.state('d-4')).toBe('in_flight');
    });

    it('counts a repeated lease id once', async () => {
      await createDelivery('d-1');
      await createDelivery('d-2');
      const current = await storeSubscription();
      const request = leaseRequest(2);

      const starts = await Promise.all([
        attempts.beginAndStart('d-1', subscriptionId, current, request),
        attempts.beginAndStart('d-1', subscriptionId, current, request),
        attempts.beginAndStart('d-2', subscriptionId, current, request),
      ]);

      expect(starts.map((start) => start.lease?.acquired)).toEqual([
        true,
        true,
        true,
      ]);
      expect(await redis.zcard(request.leaseKey)).toBe(2);
    });

    it('renews its own lease at the limit', async () => {
      await createDelivery('d-1');
      await createDelivery('d-2');
      const current = await storeSubscription();
      const request = leaseRequest(1);
      await attempts.beginAndStart('d-1', subscriptionId, current, request);

      const starts = await Promise.all([
        attempts.beginAndStart('d-1', subscriptionId, current, request),
        attempts.beginAndStart('d-2', subscriptionId, current, request),
      ]);

      expect(starts.map((start) => start.lease?.acquired)).toEqual([
        true,
        false,
      ]);
      expect(await redis.zrange(request.leaseKey, 0, -1)).toEqual(['d-1']);
    });

    it('drops expired leases before counting', async () => {
      await createDelivery('d-1');
      const current = await storeSubscription();
      const request = leaseRequest(1);
      await redis.zadd(request.leaseKey, 1, 'expired-lease');

      const start = await attempts.beginAndStart(
        'd-1',
        subscriptionId,
        current,
        request,
      );

      expect(start.lease?.acquired).toBe(true);
      expect(await redis.zrange(request.leaseKey, 0, -1)).toEqual(['d-1']);
    });

    it('expires the lease set with its last lease', async () => {
      await createDelivery('d-1');
      const current = await storeSubscription();
      const request = leaseRequest(2);

      await attempts.beginAndStart('d-1', subscriptionId, current, request);
      const ttlMs = await redis.pttl(request.leaseKey);

      expect(ttlMs).toBeGreaterThan(leaseMs - 5_000);
      expect(ttlMs).toBeLessThanOrEqual(leaseMs);
    });

    it('writes no record for a delivery that has none', async () => {
      const current = await storeSubscription();

      const start = await attempts.beginAndStart(
        'missing',
        subscriptionId,
        current,
        leaseRequest(2),
      );

      expect(start.lease?.acquired).toBe(true);
      expect(await redis.exists(keys.delivery('missing'))).toBe(0);
    });

    it('takes the lease for a current copy', async () => {
      await createScheduledDelivery('d-1');
      const current = await storeSubscription();
      const request = leaseRequest(2);

      const start = await attempts.beginAndStart(
        'd-1',
        subscriptionId,
        current,
        request,
      );
      const record = await deliveries.get('d-1');

      expect(start.ended).toBe(false);
      expect(start.state).toBe('scheduled');
      expect(openStart(start).version).toBe(current);
      expect(openStart(start).subscription).toBeUndefined();
      expect(start.lease).toEqual({
        acquired: true,
        retryAfterMs: 0,
        circuitClosed: true,
      });
      expect(await redis.zscore(request.leaseKey, 'd-1')).not.toBeNull();
      expect(record?.state).toBe('in_flight');
      expect(record?.nextAttemptAt).toBeUndefined();
    });

    it('takes no lease for a stale copy', async () => {
      await subscriptions.create(await buildSubscription());
      await createScheduledDelivery('d-1');
      const before = String(await subscriptions.version());
      const replaced = await buildSubscription({ pattern: 'orders.paid' });
      await subscriptions.put(replaced);
      const request = leaseRequest(2);

      const start = await attempts.beginAndStart(
        'd-1',
        subscriptionId,
        before,
        request,
      );

      expect(start.lease).toBeUndefined();
      expect(openStart(start).version).toBe(
        String(await subscriptions.version()),
      );
      expect(openStart(start).subscription).toEqual(replaced);
      expect(await redis.zcard(request.leaseKey)).toBe(0);
      expect(await deliveries.state('d-1')).toBe('scheduled');
    });

    it('returns null for a deleted subscription', async () => {
      await subscriptions.create(await buildSubscription());
      await createDelivery('d-1');
      const before = String(await subscriptions.version());
      await subscriptions.delete(subscriptionId);
      const request = leaseRequest(2);

      const start = await attempts.beginAndStart(
        'd-1',
        subscriptionId,
        before,
        request,
      );

      expect(start.lease).toBeUndefined();
      expect(openStart(start).subscription).toBeNull();
      expect(await redis.zcard(request.leaseKey)).toBe(0);
    });

    it.each(outcomes)('takes no lease when %s', async (outcome) => {
      await createDelivery('d-1');
      await deliveries.finalize('d-1', outcome);
      const current = await storeSubscription();
      const request = leaseRequest(2);

      const start = await attempts.beginAndStart(
        'd-1',
        subscriptionId,
        current,
        request,
      );

      expect(start).toEqual({ ended: true, state: outcome });
      expect(await redis.zcard(request.leaseKey)).toBe(0);
      expect(await deliveries.state('d-1')).toBe(outcome);
    });

    it('rejects at the limit', async () => {
      await createDelivery('d-1');
      await createScheduledDelivery('d-2');
      const current = await storeSubscription();
      const request = leaseRequest(1);
      await attempts.beginAndStart('d-1', subscriptionId, current, request);

      const start = await attempts.beginAndStart(
        'd-2',
        subscriptionId,
        current,
        request,
      );

      expect(start.lease?.acquired).toBe(false);
      expect(start.lease?.retryAfterMs).toBeGreaterThan(0);
      expect(start.lease?.retryAfterMs).toBeLessThanOrEqual(leaseMs);
      expect(await redis.zscore(request.leaseKey, 'd-2')).toBeNull();
      expect(await deliveries.state('d-2')).toBe('scheduled');
    });

    it('reports an open circuit', async () => {
      await createDelivery('d-1');
      const current = await storeSubscription();
      const request = leaseRequest(2);
      await redis.hset(request.breakerKey, 'state', 'open');

      const start = await attempts.beginAndStart(
        'd-1',
        subscriptionId,
        current,
        request,
      );

      expect(start.lease?.acquired).toBe(true);
      expect(start.lease?.circuitClosed).toBe(false);
    });
  });

  describe('return times', () => {
    const horizonMs = 60_000;

    function returnTime(spacingMs: number, horizon = horizonMs) {
      return {
        scheduleKey: keys.holdSchedule('primary'),
        spacingMs,
        horizonMs: horizon,
      };
    }

    // Starts one attempt per spacing in one call, at limit 1, so the
    // first takes the lease and the others reserve return times.
    async function startAll(
      spacings: readonly number[],
      horizon = horizonMs,
    ): Promise<(number | undefined)[]> {
      const current = await storeSubscription();
      const ids = spacings.map((_, index) => `d-${index}`);
      for (const id of ids) await createDelivery(id);
      const starts = await Promise.all(
        ids.map((id, index) =>
          attempts.beginAndStart(id, subscriptionId, current, {
            ...leaseRequest(1),
            returnTime: returnTime(spacings[index] as number, horizon),
          }),
        ),
      );
      return starts.map((start) => start.lease?.returnDelayMs);
    }

    async function storedSpacing(): Promise<number> {
      const stored = await redis.get(keys.holdSchedule('primary'));
      return Number(stored?.split(' ')[1]);
    }

    it('spaces denied attempts of one call exactly', async () => {
      const delays = await startAll([100, 100, 100, 100]);

      expect(delays).toEqual([undefined, 100, 200, 300]);
    });

    it('shares the schedule between workers', async () => {
      const other = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
      const second = new AttemptStore(other, keys, { retentionMs });
      const request = returnTime(1_000);
      const args = [leaseMs, originBreakerKey(), request] as const;
      const leaseKey = keys.inFlight('primary');
      await attempts.start('d-0', leaseKey, 1, ...args);

      const delays: number[] = [];
      for (const [index, store] of [attempts, second, attempts].entries()) {
        const lease = await store.start(`d-${index + 1}`, leaseKey, 1, ...args);
        delays.push(lease.returnDelayMs ?? Number.NaN);
      }
      await other.quit();

      expect(delays[0]).toBe(1_000);
      // Each later call is made a little later, which shortens its delay.
      for (let i = 1; i < delays.length; i += 1) {
        const gap = (delays[i] as number) - (delays[i - 1] as number);
        expect(gap).toBeGreaterThan(500);
        expect(gap).toBeLessThanOrEqual(1_001);
      }
    });

    it('moves the spacing a quarter of the way', async () => {
      const delays = await startAll([100, 100, 500]);

      expect(delays).toEqual([undefined, 100, 300]);
      expect(await storedSpacing()).toBe(200);
    });

    it('moves the spacing by at most a factor 2', async () => {
      const delays = await startAll([100, 100, 5_000]);

      expect(delays).toEqual([undefined, 100, 300]);
      expect(await storedSpacing()).toBe(200);
    });

    it('takes the stored spacing for a spacing of 0', async () => {
      await startAll([1_000, 1_000]);

      const follower = await attempts.start(
        'd-follower',
        keys.inFlight('primary'),
        1,
        leaseMs,
        originBreakerKey(),
        returnTime(0),
      );

      // One spacing after the first return time, less the time since.
      expect(follower.returnDelayMs).toBeGreaterThan(1_500);
      expect(follower.returnDelayMs).toBeLessThanOrEqual(2_000);
    });

    it('reports a schedule full up to the horizon', async () => {
      const delays = await startAll([100, 100, 100, 100], 250);
      const later = await attempts.start(
        'd-later',
        keys.inFlight('primary'),
        1,
        leaseMs,
        originBreakerKey(),
        returnTime(0),
      );

      expect(delays).toEqual([undefined, 100, 200, Number.POSITIVE_INFINITY]);
      // After the second return time, not after one at 300 ms.
      expect(later.returnDelayMs).toBeGreaterThan(250);
      expect(later.returnDelayMs).toBeLessThanOrEqual(300);
    });

    it('keeps a minimum spacing', async () => {
      const delays = await startAll([1e-6, 1e-6, 1e-6]);

      expect(delays).toEqual([undefined, 1, 1]);
      expect(await storedSpacing()).toBe(0.01);
    });

    it('reads an unreadable schedule as none', async () => {
      await redis.set(keys.holdSchedule('primary'), '1 x');

      const delays = await startAll([0, 0, 100]);

      expect(delays).toEqual([undefined, undefined, 100]);
    });

    it('keeps the key until the last return time', async () => {
      await startAll([2_000, 2_000, 2_000, 2_000]);

      const ttlMs = await redis.pttl(keys.holdSchedule('primary'));
      expect(ttlMs).toBeGreaterThan(6_000);
      expect(ttlMs).toBeLessThanOrEqual(7_000);
    });

    it('reserves nothing without any spacing', async () => {
      const delays = await startAll([0, 0, 0]);

      expect(delays).toEqual([undefined, undefined, undefined]);
      expect(await redis.exists(keys.holdSchedule('primary'))).toBe(0);
    });

    it('reserves nothing without a request', async () => {
      await createDelivery('d-1');
      await createDelivery('d-2');
      const current = await storeSubscription();
      const request = leaseRequest(1);

      await attempts.beginAndStart('d-1', subscriptionId, current, request);
      const denied = await attempts.beginAndStart(
        'd-2',
        subscriptionId,
        current,
        request,
      );

      expect(denied.lease?.acquired).toBe(false);
      expect(denied.lease?.returnDelayMs).toBeUndefined();
      expect(await redis.exists(keys.holdSchedule('primary'))).toBe(0);
    });
  });

  describe('succeed', () => {
    it('records concurrent successes in one call', async () => {
      const leaseKey = keys.inFlight('primary');
      for (const id of ['d-1', 'd-2', 'd-3']) await createDelivery(id);
      await deliveries.finalize('d-3', 'dead_lettered', 'retries_exhausted');
      const evalsha = jest.spyOn(redis, 'evalsha');

      const changed = await Promise.all(
        ['d-1', 'd-2', 'd-3'].map((id) =>
          attempts.succeed(id, attempt(1), leaseKey),
        ),
      );

      expect(evalsha).toHaveBeenCalledTimes(1);
      expect(changed).toEqual([true, true, false]);
      expect(await deliveries.ledger()).toMatchObject({ delivered: 2 });
      evalsha.mockRestore();
    });

    it('records the attempt and ends the delivery', async () => {
      await createDelivery('d-1');
      const leaseKey = keys.inFlight('primary');
      await attempts.start('d-1', leaseKey, 2, leaseMs, originBreakerKey());

      const changed = await attempts.succeed('d-1', attempt(1), leaseKey);
      const record = await deliveries.get('d-1');

      expect(changed).toBe(true);
      expect(record?.attempts).toEqual([attempt(1)]);
      expect(record?.state).toBe('delivered');
      expect(record?.reason).toBeUndefined();
      expect(record?.nextAttemptAt).toBeUndefined();
      expect(await deliveries.state('d-1')).toBe('delivered');
    });

    it('keeps a success in the record', async () => {
      await createDelivery('d-1');

      await attempts.succeed('d-1', attempt(1), keys.inFlight('primary'));
      const ttlMs = await redis.pttl(keys.delivery('d-1'));

      expect(await redis.exists(keys.deliveryAttempts('d-1'))).toBe(0);
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(retentionMs);
    });

    it('lists failed attempts first', async () => {
      await createDelivery('d-1');
      await deliveries.addAttempt('d-1', {
        ...attempt(1),
        at: '2025-01-01T00:00:00.500Z',
        statusCode: 503,
      });

      await attempts.succeed('d-1', attempt(2), keys.inFlight('primary'));
      const record = await deliveries.get('d-1');

      expect(record?.attempts.map((each) => each.number)).toEqual([1, 2]);
      expect(record).not.toHaveProperty('successfulAttempt');
    });

    it('lists a success after the end', async () => {
      await createDelivery('d-1');
      const leaseKey = keys.inFlight('primary');
      await attempts.succeed('d-1', attempt(1), leaseKey);

      await attempts.succeed(
        'd-1',
        { ...attempt(2), at: '2025-01-01T00:00:02.000Z' },
        leaseKey,
      );
      const record = await deliveries.get('d-1');
      const ttlMs = await redis.pttl(keys.deliveryAttempts('d-1'));

      expect(record?.attempts.map((each) => each.number)).toEqual([1, 2]);
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(retentionMs);
    });

    it('counts delivered once when called twice', async () => {
      await createDelivery('d-1');
      const leaseKey = keys.inFlight('primary');

      const first = await attempts.succeed('d-1', attempt(1), leaseKey);
      const second = await attempts.succeed('d-1', attempt(2), leaseKey);
      const ledger = await deliveries.ledger();

      expect(first).toBe(true);
      expect(second).toBe(false);
      expect(ledger.created).toBe(1);
      expect(ledger.delivered).toBe(1);
      expect(ledger.inFlight).toBe(0);
      expect(await deliveries.state('d-1')).toBe('delivered');
    });

    it('releases only its own lease', async () => {
      const leaseKey = keys.inFlight('primary');
      await createDelivery('d-1');
      await createDelivery('d-2');
      await attempts.start('d-1', leaseKey, 2, leaseMs, originBreakerKey());
      await attempts.start('d-2', leaseKey, 2, leaseMs, originBreakerKey());

      await attempts.succeed('d-1', attempt(1), leaseKey);

      expect(await redis.zscore(leaseKey, 'd-1')).toBeNull();
      expect(await redis.zscore(leaseKey, 'd-2')).not.toBeNull();
    });

    it('keeps the latest attempts only', async () => {
      await createDelivery('d-1');
      for (let number = 1; number <= MAX_ATTEMPTS_KEPT; number += 1)
        await deliveries.addAttempt('d-1', attempt(number));

      const last = MAX_ATTEMPTS_KEPT + 1;
      await attempts.succeed('d-1', attempt(last), keys.inFlight('primary'));
      const numbers = (await deliveries.get('d-1'))?.attempts.map(
        (each) => each.number,
      );

      expect(numbers).toHaveLength(MAX_ATTEMPTS_KEPT);
      expect(numbers?.[0]).toBe(2);
      expect(numbers?.[MAX_ATTEMPTS_KEPT - 1]).toBe(last);
    });

    it("counts an expired record's end once", async () => {
      const leaseKey = keys.inFlight('primary');
      await createDelivery('d-1');
      await attempts.start('d-1', leaseKey, 2, leaseMs, originBreakerKey());
      await redis.del(keys.delivery('d-1'));

      const first = await attempts.succeed('d-1', attempt(1), leaseKey);
      const second = await attempts.succeed('d-1', attempt(2), leaseKey);
      const ledger = await deliveries.ledger();

      expect([first, second]).toEqual([true, false]);
      expect(ledger).toMatchObject({ created: 1, delivered: 1, inFlight: 0 });
      expect(await deliveries.get('d-1')).toBeUndefined();
      const ttlMs = await redis.pttl(keys.delivery('d-1'));
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(retentionMs);
      expect(await redis.zscore(leaseKey, 'd-1')).toBeNull();
    });

    it('leaves a dead-lettered delivery dead-lettered', async () => {
      const leaseKey = keys.inFlight('primary');
      await createDelivery('d-1');
      await attempts.start('d-1', leaseKey, 2, leaseMs, originBreakerKey());
      await deliveries.finalize('d-1', 'dead_lettered', 'retries_exhausted');

      const changed = await attempts.succeed('d-1', attempt(1), leaseKey);
      const record = await deliveries.get('d-1');
      const ledger = await deliveries.ledger();

      expect(changed).toBe(false);
      expect(record?.state).toBe('dead_lettered');
      expect(record?.reason).toBe('retries_exhausted');
      expect(ledger.delivered).toBe(0);
      expect(ledger.dead_lettered).toBe(1);
      expect(await redis.zscore(leaseKey, 'd-1')).toBeNull();
    });
  });
});

/** Stores the test subscription and returns the subscriptions version. */
async function storeSubscription(): Promise<string> {
  await subscriptions.create(await buildSubscription());
  return String(await subscriptions.version());
}

/** Narrows a begin result to a delivery that has not ended. */
function openStart(
  start: AttemptStart,
): Extract<AttemptStart, { ended: false }> {
  if (start.ended)
    throw new Error(`expected an open delivery, got state ${start.state}`);
  return start;
}

async function createDelivery(id: string): Promise<void> {
  const pending = await deliveries.create([
    {
      id,
      signalId: `signal-${id}`,
      source: 'tests',
      signalIdentity: `identity-${id}`,
      subscriptionId,
      targetId: 'primary',
      createdAt: '2025-01-01T00:00:00.000Z',
    },
  ]);
  expect(pending).toEqual([id]);
}

async function createScheduledDelivery(id: string): Promise<void> {
  await createDelivery(id);
  await deliveries.setState(id, 'scheduled', {
    nextAttemptAt: new Date('2030-01-01T00:00:00.000Z'),
  });
}

function originBreakerKey(): string {
  return keys.breaker('http://127.0.0.1:8080');
}

function leaseRequest(limit: number): LeaseRequest {
  return {
    leaseKey: keys.inFlight('primary'),
    limit,
    leaseMs,
    breakerKey: originBreakerKey(),
  };
}

function attempt(number: number): AttemptRecord {
  return {
    number,
    at: '2025-01-01T00:00:01.000Z',
    statusCode: 200,
    durationMs: 12,
    responseBody: 'ok',
  };
}

/**
 * Builds a validated subscription with a webhook target that falls back to
 * a logger, and a second noop target. The URL is never requested.
 */
async function buildSubscription(
  overrides: { readonly pattern?: string } = {},
): Promise<Subscription> {
  const input = {
    id: subscriptionId,
    pattern: overrides.pattern ?? 'orders.*',
    dispatch: [
      {
        id: 'primary',
        adapter: 'webhook',
        url: 'http://127.0.0.1:8080/hooks/orders',
        headers: { 'x-team': 'billing' },
        fallback: { id: 'backup', adapter: 'logger', level: 'warn' },
      },
      { id: 'audit', adapter: 'noop' },
    ],
  };
  const result = await validateSubscription(input, {
    origin: 'api',
    allowRules: parseAllowTargets('127.0.0.1'),
    secretsDir: undefined,
    transformNames: new Set(),
    newId: () => 'generated',
    now: () => new Date('2025-01-01T00:00:00.000Z'),
  });
  if (!result.ok)
    throw new Error(
      `test subscription is invalid: ${JSON.stringify(result.issues)}`,
    );
  return result.subscription;
}
