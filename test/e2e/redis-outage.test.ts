import {
  createPrivateRedis,
  type PrivateRedis,
} from '../support/private-redis';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when Redis goes down', () => {
  let redis: PrivateRedis;
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = await createPrivateRedis();
    stack = await startTestStack({ REDIS_URL: redis.url });
    receiver = await startReceiver();
    await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'outage',
        pattern: 'outage.*',
        dispatch: { adapter: 'webhook', url: receiver.url },
      },
    });
  });

  afterAll(async () => {
    await redis.start().catch(() => undefined);
    await stack.close();
    await receiver.close();
    await redis.kill();
  });

  it('returns 503 for reads while Redis stalls', async () => {
    redis.pause();
    const started = Date.now();
    let reads;
    try {
      reads = await Promise.all(
        [
          '/v1/subscriptions',
          '/v1/subscriptions/outage',
          '/v1/signals/stalled-1',
          '/v1/dead-letters',
        ].map((path) => stack.request('GET', path)),
      );
    } finally {
      redis.resume();
    }

    // Generous bound: the read deadline is 5 s, and the machine is shared.
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const read of reads) {
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('redis_unavailable');
    }
    const again = await waitFor(
      async () => {
        const response = await stack.request('GET', '/v1/subscriptions');
        return response.status === 200 ? response : undefined;
      },
      30_000,
      'reads to work again',
    );
    expect(again.body.data).toHaveLength(1);
  });

  it('answers 503 without hanging, then delivers again once Redis is back', async () => {
    await redis.kill();
    const started = Date.now();
    const refused = await stack.request('POST', '/v1/signals', {
      body: { type: 'outage.event', source: 'o', id: 'down-1' },
    });
    // Generous bound: the contract is 2 s, the machine is shared.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('redis_unavailable');
    const ready = await stack.request('GET', '/readyz', { key: null });
    expect(ready.status).toBe(503);

    await redis.start();
    const accepted = await waitFor(
      async () => {
        const response = await stack.request('POST', '/v1/signals', {
          body: { type: 'outage.event', source: 'o', id: 'up-1' },
        });
        return response.status === 202 ? response : undefined;
      },
      30_000,
      'the API to accept again',
    );
    expect(accepted.body.id).toBe('up-1');
    await waitFor(
      async () => (receiver.requests.length > 0 ? true : undefined),
      30_000,
      'a delivery after the restart',
    );
    const ids = receiver.requests.map(
      (request) => (JSON.parse(request.body.toString()) as { id: string }).id,
    );
    expect(ids).toEqual(['up-1']);
  });
});
