import { settleLedger } from '../support/ledger-check';
import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when a target throttles by data.service', () => {
  const dbIds = Array.from({ length: 5 }, (_, index) => `db-${index + 1}`);
  let stack: TestStack;
  let client: SignalClient;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({}, 1);
    client = new SignalClient(stack);
    receiver = await startReceiver();
    await client.putSubscription('throttled', {
      pattern: 'service.alert',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/alerts`,
        throttle: { key: 'data.service', maxCalls: 2, windowMs: 60_000 },
      },
    });
    await client.publish('service.alert', dbIds, () => ({ service: 'db' }));
    await client.publish('service.alert', ['cache-1'], () => ({
      service: 'cache',
    }));
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('delivers 2 signals per key in the window', async () => {
    await waitFor(
      async () => (receiver.requests.length >= 3 ? true : undefined),
      15_000,
      '3 deliveries',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const services = receiver.requests.map(
      (item) => (JSON.parse(item.body.toString('utf8')) as ServiceSignal).data,
    );
    const dbCount = services.filter((data) => data.service === 'db').length;
    expect(receiver.requests).toHaveLength(3);
    expect(dbCount).toBe(2);
  });

  it('records the others as throttled', async () => {
    const states: string[] = [];
    for (const id of dbIds) {
      const [delivery] = await client.waitForEnded(id);
      states.push(delivery?.state ?? 'none');
    }
    const [cache] = await client.waitForEnded('cache-1');
    expect(states.filter((state) => state === 'throttled')).toHaveLength(3);
    expect(states.filter((state) => state === 'delivered')).toHaveLength(2);
    expect(cache?.state).toBe('delivered');
  });

  it('sends no request for a throttled delivery', async () => {
    for (const id of dbIds) {
      const [delivery] = await client.waitForEnded(id);
      if (delivery?.state !== 'throttled') continue;
      expect(delivery.attempts).toHaveLength(0);
    }
  });

  it('balances the delivery ledger', async () => {
    const { ledger, tally } = await settleLedger(stack, client);
    const ended =
      ledger.delivered +
      ledger.dead_lettered +
      ledger.throttled +
      ledger.dropped;
    expect(ledger.inFlight).toBe(0);
    expect(ledger.created).toBe(ended + ledger.inFlight);
    expect(ledger.created).toBe(tally.total);
    expect(ledger.created).toBe(6);
    expect(ledger.throttled).toBe(3);
    expect(ledger.delivered).toBe(3);
  });
});

interface ServiceSignal {
  readonly data: { readonly service?: string };
}
