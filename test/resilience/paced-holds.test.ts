import {
  countHolds,
  deliverBacklog,
  type DeliveredBacklog,
} from '../support/backlog';
import type { Receiver } from '../support/receiver';
import type { SignalClient } from '../support/signal-client';
import type { TestStack } from '../support/stack';

describe('when a rate limit holds back a backlog', () => {
  let stack: TestStack;
  let client: SignalClient;
  let receiver: Receiver;
  let ids: readonly string[];
  let backlog: DeliveredBacklog;

  beforeAll(async () => {
    // One worker, so that one schedule paces every held delivery.
    backlog = await deliverBacklog({
      name: 'paced',
      signals: 12,
      workers: 1,
      target: { rateLimit: { requests: 4, windowMs: 1000 } },
      timeoutMs: 30_000,
    });
    ({ stack, client, receiver, ids } = backlog);
  });

  afterAll(() => backlog.close());

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
    const holdCount = await countHolds(stack, 'rate_limited');
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
