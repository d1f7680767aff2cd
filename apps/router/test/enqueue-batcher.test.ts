import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DELIVERIES_QUEUE, type DeliveryJobData } from '@signalpost/queues';
import { EnqueueBatcher } from '../src/enqueue-batcher';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';

let redis: Redis;
let prefix: string;
let queue: Queue;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = testPrefix('enqueue-batcher');
  queue = new Queue(DELIVERIES_QUEUE, { connection: redis, prefix });
});

afterEach(async () => {
  await queue.close();
  await deletePrefix(prefix);
});

describe('EnqueueBatcher', () => {
  it('enqueues the jobs of concurrent calls together', async () => {
    const batcher = new EnqueueBatcher(queue);
    const addBulk = jest.spyOn(queue, 'addBulk');

    await Promise.all([
      batcher.enqueue([job('d-1')]),
      batcher.enqueue([job('d-2'), job('d-3')]),
      batcher.enqueue([]),
    ]);

    expect(addBulk).toHaveBeenCalledTimes(1);
    const ids = (await queue.getJobs(['waiting'])).map((item) => item.id);
    expect(ids.sort()).toEqual(['d-1', 'd-2', 'd-3']);
  });

  it('enqueues a lone job', async () => {
    const batcher = new EnqueueBatcher(queue);

    await batcher.enqueue([job('d-1')]);

    expect((await queue.getJob('d-1'))?.data.deliveryId).toBe('d-1');
  });

  it('rejects every call of a failed batch', async () => {
    const batcher = new EnqueueBatcher(queue);
    jest.spyOn(queue, 'addBulk').mockRejectedValue(new Error('Redis down'));

    const calls = [
      batcher.enqueue([job('d-1')]),
      batcher.enqueue([job('d-2')]),
    ];

    for (const call of calls) await expect(call).rejects.toThrow('Redis down');
  });
});

function job(deliveryId: string): DeliveryJobData {
  return {
    deliveryId,
    signal: {
      specversion: '1.0',
      id: `signal-${deliveryId}`,
      source: 'tests',
      type: 'order.created',
      time: '2025-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: {},
    },
    signalIdentity: `identity-${deliveryId}`,
    subscriptionId: 'orders',
    targetId: 'primary',
    webhookId: `msg_${deliveryId}`,
    createdAtMs: 0,
    acceptedAtMs: 0,
  };
}
