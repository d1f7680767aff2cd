import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '@signalpost/queues';
import { identityHash, parseSignal } from '@signalpost/signal';
import {
  DeliveryStore,
  RoutingStore,
  SignalStore,
  type DeliveryInfo,
  type SignalToRoute,
} from '../src';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';

const options = { dedupTtlMs: 60_000, retentionMs: 3_600_000 };
const routedAt = new Date('2025-01-01T00:00:01.000Z');

let redis: Redis;
let prefix: string;
let keys: RedisKeys;
let routing: RoutingStore;
let deliveries: DeliveryStore;
let signals: SignalStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = testPrefix('routing-store');
  keys = redisKeys(prefix);
  routing = new RoutingStore(redis, keys, options);
  deliveries = new DeliveryStore(redis, keys, options);
  signals = new SignalStore(redis, keys, options);
});

afterEach(async () => {
  await deletePrefix(prefix);
});

describe('RoutingStore.route', () => {
  it('routes concurrent signals in one call', async () => {
    const first = signalItem('job-1');
    const again = signalItem('job-2');
    const evalsha = jest.spyOn(redis, 'evalsha');

    const outcomes = await Promise.all([
      routing.route(first, 'routed', infos(2), routedAt),
      routing.route(again, 'routed', infos(1, 'other'), routedAt),
      routing.route(first, 'routed', infos(2), routedAt),
    ]);
    const calls = evalsha.mock.calls.length;
    evalsha.mockRestore();

    expect(calls).toBe(1);
    expect(outcomes).toEqual([
      { kind: 'new', pending: ['d-1', 'd-2'] },
      { kind: 'duplicate', duplicateOf: 'job-1' },
      { kind: 'routed', pending: ['d-1', 'd-2'] },
    ]);
    expect(await deliveries.ledger()).toMatchObject({ created: 2 });
  });

  it('creates deliveries and records the result', async () => {
    const item = signalItem('job-1');

    const outcome = await routing.route(item, 'routed', infos(2), routedAt);

    expect(outcome).toEqual({ kind: 'new', pending: ['d-1', 'd-2'] });
    expect(await deliveries.state('d-1')).toBe('pending');
    expect(await signals.state(item.identity)).toBe('routed');
    expect(await deliveries.ledger()).toMatchObject({ created: 2 });
    const linked = await redis.zrange(
      keys.signalDeliveries(item.identity),
      0,
      -1,
    );
    expect(linked).toEqual(['d-1', 'd-2']);
  });

  it('records an unmatched signal without deliveries', async () => {
    const item = signalItem('job-1');

    const outcome = await routing.route(item, 'unmatched', [], routedAt);

    expect(outcome).toEqual({ kind: 'new', pending: [] });
    expect(await signals.state(item.identity)).toBe('unmatched');
  });

  it('reports another job as a duplicate', async () => {
    await routing.route(signalItem('job-1'), 'routed', infos(1), routedAt);

    const outcome = await routing.route(
      signalItem('job-2'),
      'routed',
      infos(1, 'other'),
      routedAt,
    );

    expect(outcome).toEqual({ kind: 'duplicate', duplicateOf: 'job-1' });
    expect(await redis.exists(keys.delivery('other-1'))).toBe(0);
  });

  it('routes a signal the API stored for the job', async () => {
    const item = signalItem('job-1');
    await signals.store([item], item.receivedAt);

    const outcome = await routing.route(item, 'routed', infos(1), routedAt);

    expect(outcome).toEqual({ kind: 'own', pending: ['d-1'] });
    expect(await signals.state(item.identity)).toBe('routed');
  });

  it('returns the pending deliveries to a re-run, counting once', async () => {
    const item = signalItem('job-1');
    await routing.route(item, 'routed', infos(2), routedAt);
    await deliveries.finalize('d-1', 'delivered');

    const outcome = await routing.route(item, 'routed', infos(2), routedAt);

    expect(outcome).toEqual({ kind: 'routed', pending: ['d-2'] });
    expect(await deliveries.ledger()).toMatchObject({
      created: 2,
      delivered: 1,
      inFlight: 1,
    });
  });
});

function signalItem(jobId: string): SignalToRoute {
  const parsed = parseSignal({
    specversion: '1.0',
    id: 'order-1',
    source: 'shop',
    type: 'order.created',
    data: { total: 1 },
  });
  if (!parsed.ok) throw new Error('invalid test signal');
  const signal = parsed.signal;
  return {
    signal,
    identity: identityHash(signal.source, signal.id),
    jobId,
    receivedAt: new Date('2025-01-01T00:00:00.000Z'),
  };
}

function infos(count: number, idPrefix = 'd'): DeliveryInfo[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${idPrefix}-${index + 1}`,
    signalId: 'order-1',
    source: 'shop',
    signalIdentity: identityHash('shop', 'order-1'),
    subscriptionId: 'orders',
    targetId: `target-${index + 1}`,
    createdAt: '2025-01-01T00:00:00.000Z',
  }));
}
