import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when workers share a backlog behind maxInFlight', () => {
  const ids = Array.from({ length: 30 }, (_, index) => `leased-${index + 1}`);
  let stack: TestStack;
  let client: SignalClient;
  let receiver: Receiver;

  beforeAll(async () => {
    // Three workers, which share the schedule of held deliveries.
    stack = await startTestStack({}, 3);
    client = new SignalClient(stack);
    receiver = await startReceiver();
    receiver.answer(() => ({ status: 200, delayMs: 200 }));
    await client.putSubscription('leased', {
      pattern: 'leased.event',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/leased`,
        maxInFlight: 2,
      },
    });
    await client.publish('leased.event', ids);
    await waitFor(
      async () => (receiver.requests.length >= ids.length ? true : undefined),
      60_000,
      '30 deliveries behind maxInFlight',
    );
  }, 90_000);

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('delivers every signal once', async () => {
    for (const id of ids) {
      const [delivery] = await client.waitForEnded(id);
      expect(delivery?.state).toBe('delivered');
    }
    expect(receiver.requests).toHaveLength(ids.length);
  });

  it('keeps to maxInFlight', () => {
    const times = receiver.requests.map((request) => request.at);
    // A lease is released after its response, 200 ms after its request, so
    // no three requests arrive within 200 ms. 10 ms allow for timers.
    for (const at of times) {
      const recent = times.filter((other) => other > at - 190 && other <= at);
      expect(recent.length).toBeLessThanOrEqual(2);
    }
  });

  // 2 go out at once and 28 are held, each about four times by design
  // (three return times per lease expected to free up). With a schedule
  // per worker they were held 177 to 256 times in five runs, and 118 to
  // 135 times in three runs with the shared one.
  it('holds each held delivery a few times', async () => {
    let holdCount = 0;
    for (const worker of stack.workers) {
      const counted = await worker.metrics.deliveryDeferrals.get();
      holdCount += counted.values
        .filter((item) => item.labels.reason === 'max_in_flight')
        .reduce((sum, item) => sum + item.value, 0);
    }
    expect(holdCount).toBeGreaterThanOrEqual(1);
    expect(holdCount).toBeLessThanOrEqual(170);
  });
});
