import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when a rate limit holds back a backlog', () => {
  const ids = Array.from({ length: 12 }, (_, index) => `paced-${index + 1}`);
  let stack: TestStack;
  let client: SignalClient;
  let receiver: Receiver;

  beforeAll(async () => {
    // One worker, so that one schedule paces every held delivery.
    stack = await startTestStack({}, 1);
    client = new SignalClient(stack);
    receiver = await startReceiver();
    await client.putSubscription('paced', {
      pattern: 'paced.event',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/paced`,
        rateLimit: { requests: 4, windowMs: 1000 },
      },
    });
    await client.publish('paced.event', ids);
    await waitFor(
      async () => (receiver.requests.length >= ids.length ? true : undefined),
      30_000,
      '12 rate-limited deliveries',
    );
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('delivers every signal once', async () => {
    for (const id of ids) {
      const [delivery] = await client.waitForEnded(id);
      expect(delivery?.state).toBe('delivered');
      expect(delivery?.attempts).toHaveLength(1);
    }
    expect(receiver.requests).toHaveLength(ids.length);
  });

  // 4 go out at once and 8 are held. Held deliveries that all came back at
  // the next token would be held about 8 + 7 + ... + 1 = 36 times in all
  // (an estimate, and 36 were counted with such delays).
  it('holds each held delivery about once', async () => {
    const worker = stack.workers[0];
    const counted = await worker?.metrics.deliveryDeferrals.get();
    const holdCount = (counted?.values ?? [])
      .filter((item) => item.labels.reason === 'rate_limited')
      .reduce((sum, item) => sum + item.value, 0);
    // A slow start lets tokens refill before some deliveries arrive, so
    // fewer than 8 may be held.
    expect(holdCount).toBeGreaterThanOrEqual(1);
    expect(holdCount).toBeLessThanOrEqual(16);
  });

  it('observes the lag of each delivery once', async () => {
    const worker = stack.workers[0];
    const lag = await worker?.metrics.deliveryLag.get();
    const count = lag?.values.find(
      (item) => item.metricName === 'signalpost_delivery_lag_seconds_count',
    );
    expect(count?.value).toBe(ids.length);
  });
});
