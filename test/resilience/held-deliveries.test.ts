import { settleLedger } from '../support/ledger-check';
import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startSlowReceiver, type SlowReceiver } from '../support/slow-receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when a target limits how fast deliveries go out', () => {
  let stack: TestStack;
  let client: SignalClient;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Few slots per worker, so held deliveries that kept their slot would
    // starve the other subscription.
    stack = await startTestStack({ WORKER_CONCURRENCY: '4' }, 2);
    client = new SignalClient(stack);
  });

  afterAll(async () => {
    await stack.close();
    for (const close of closers) await close();
  });

  async function receiver(): Promise<Receiver> {
    const started = await startReceiver();
    closers.push(() => started.close());
    return started;
  }

  async function slowReceiver(delayMs: number): Promise<SlowReceiver> {
    const started = await startSlowReceiver(delayMs);
    closers.push(() => started.close());
    return started;
  }

  describe('with a rate limit of 2 requests per second', () => {
    const ids = Array.from({ length: 8 }, (_, index) => `rate-${index + 1}`);
    let target: Receiver;
    let publishedAtMs = 0;

    beforeAll(async () => {
      target = await receiver();
      await client.putSubscription('rate-limited', {
        pattern: 'rate.limited',
        dispatch: {
          adapter: 'webhook',
          url: `${target.url}/rate`,
          rateLimit: { requests: 2, windowMs: 1000 },
        },
      });
      publishedAtMs = Date.now();
      await client.publish('rate.limited', ids);
      await waitFor(
        async () => (target.requests.length >= 8 ? true : undefined),
        20_000,
        '8 rate-limited deliveries',
      );
    });

    it('sends at most the burst before the first refill', () => {
      const firstAtMs = Math.min(...target.requests.map((item) => item.at));
      const beforeRefill = target.requests.filter(
        (item) => item.at < firstAtMs + 400,
      );
      expect(beforeRefill.length).toBeLessThanOrEqual(2);
    });

    it('spreads 8 deliveries over at least 2.9 s', () => {
      const lastAtMs = Math.max(...target.requests.map((item) => item.at));
      expect(lastAtMs - publishedAtMs).toBeGreaterThanOrEqual(2900);
    });

    it('delivers every signal once', () => {
      const deliveryIds = target.requests.map(
        (item) => item.headers['x-signalpost-delivery-id'],
      );
      expect(target.requests).toHaveLength(8);
      expect(new Set(deliveryIds).size).toBe(8);
    });

    it('counts no attempt while a delivery is held', async () => {
      for (const id of ids) {
        const [delivery] = await client.waitForEnded(id);
        expect(delivery?.state).toBe('delivered');
        expect(delivery?.attempts).toHaveLength(1);
        expect(delivery?.attempts[0]?.number).toBe(1);
      }
    });
  });

  describe('with maxInFlight 2 and a target that takes 2 s per request', () => {
    const slowIds = Array.from(
      { length: 6 },
      (_, index) => `slow-${index + 1}`,
    );
    const fastIds = Array.from(
      { length: 10 },
      (_, index) => `fast-${index + 1}`,
    );
    let slow: SlowReceiver;
    let fast: Receiver;

    beforeAll(async () => {
      slow = await slowReceiver(2000);
      fast = await receiver();
      await client.putSubscription('narrow', {
        pattern: 'narrow.event',
        dispatch: {
          adapter: 'webhook',
          url: `${slow.url}/slow`,
          maxInFlight: 2,
        },
      });
      await client.putSubscription('wide', {
        pattern: 'wide.event',
        dispatch: { adapter: 'webhook', url: `${fast.url}/fast` },
      });
      await Promise.all([
        client.publish('narrow.event', slowIds),
        client.publish('wide.event', fastIds),
      ]);
      await waitFor(
        async () => (fast.requests.length >= 10 ? true : undefined),
        15_000,
        '10 deliveries to the fast target',
      );
      await waitFor(
        async () =>
          slow.requests.filter((item) => item.answeredAt !== undefined)
            .length >= 6
            ? true
            : undefined,
        30_000,
        '6 answered requests at the slow target',
      );
    });

    it('keeps at most 2 requests open', () => {
      expect(slow.maxOpenRequests).toBeLessThanOrEqual(2);
      expect(slow.maxOpenRequests).toBe(2);
    });

    it('delivers other targets before slow responses', () => {
      const firstAnsweredAtMs = Math.min(
        ...slow.requests.map((item) => item.answeredAt ?? Infinity),
      );
      const lastFastAtMs = Math.max(...fast.requests.map((item) => item.at));
      expect(fast.requests).toHaveLength(10);
      expect(lastFastAtMs).toBeLessThan(firstAnsweredAtMs);
    });

    it('counts one attempt per slow delivery', async () => {
      for (const id of slowIds) {
        const [delivery] = await client.waitForEnded(id);
        expect(delivery?.state).toBe('delivered');
        expect(delivery?.attempts).toHaveLength(1);
        expect(delivery?.attempts[0]?.number).toBe(1);
      }
      expect(slow.requests).toHaveLength(6);
    });
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
    expect(ledger.delivered).toBe(tally.delivered ?? 0);
    expect(ledger.created).toBe(24);
  });
});
