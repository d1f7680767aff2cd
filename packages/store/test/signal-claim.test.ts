import { Redis } from 'ioredis';
import { redisKeys } from '@signalpost/queues';
import { identityHash, parseSignal, type Signal } from '@signalpost/signal';
import { SignalStore } from '../src';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';

const options = { dedupTtlMs: 60_000, retentionMs: 3_600_000 };
const receivedAt = new Date('2025-01-01T00:00:00.000Z');

let redis: Redis;
let prefix: string;
let signals: SignalStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = testPrefix('signal-claim');
  signals = new SignalStore(redis, redisKeys(prefix), options);
});

afterEach(async () => {
  await deletePrefix(prefix);
});

describe('SignalStore.claim', () => {
  it('returns new at first sight', async () => {
    expect(await signals.claim(item('job-1'), receivedAt)).toBe('new');
  });

  it('returns own to the same job while routing', async () => {
    await signals.claim(item('job-1'), receivedAt);

    expect(await signals.claim(item('job-1'), receivedAt)).toBe('own');
  });

  it('returns routed to the same job once routed', async () => {
    const claimed = item('job-1');
    await signals.claim(claimed, receivedAt);
    await signals.markRouted(claimed.identity, 'routed', ['d-1'], receivedAt);

    expect(await signals.claim(claimed, receivedAt)).toBe('routed');
  });

  it('returns the first job to another job', async () => {
    await signals.claim(item('job-1'), receivedAt);

    const claim = await signals.claim(item('job-2'), receivedAt);

    expect(claim).toEqual({ duplicateOf: 'job-1' });
  });
});

describe('SignalStore.markSkipped', () => {
  const first = { subscriptionId: 'orders', targetId: 'primary' };
  const second = { subscriptionId: 'orders', targetId: 'backup' };

  it('adds the reason to each target', async () => {
    const claimed = item('job-1');
    await signals.claim(claimed, receivedAt);

    await signals.markSkipped(claimed.identity, [first]);

    const record = await signals.get(claimed.identity);
    expect(record?.skippedTargets).toEqual([
      { ...first, reason: 'target_disabled' },
    ]);
  });

  it('keeps the first routing list', async () => {
    const claimed = item('job-1');
    await signals.claim(claimed, receivedAt);

    await signals.markSkipped(claimed.identity, [first]);
    await signals.markSkipped(claimed.identity, [second]);

    const record = await signals.get(claimed.identity);
    expect(record?.skippedTargets).toEqual([
      { ...first, reason: 'target_disabled' },
    ]);
  });

  it('writes no missing record', async () => {
    const { identity } = item('job-1');

    await signals.markSkipped(identity, [first]);

    expect(await redis.exists(redisKeys(prefix).signal(identity))).toBe(0);
  });
});

function item(jobId: string): {
  signal: Signal;
  identity: string;
  jobId: string;
} {
  const parsed = parseSignal({
    specversion: '1.0',
    id: 'order-1',
    source: 'shop',
    type: 'order.created',
    data: { total: 1 },
  });
  if (!parsed.ok) throw new Error('invalid test signal');
  const signal = parsed.signal;
  return { signal, identity: identityHash(signal.source, signal.id), jobId };
}
