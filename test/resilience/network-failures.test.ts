import { findClosedPort } from '../support/closed-port';
import {
  startClosingReceiver,
  type ClosingReceiver,
  type CloseMode,
} from '../support/closing-receiver';
import { settleLedger } from '../support/ledger-check';
import { SignalClient } from '../support/signal-client';
import { startSilentServer, type SilentServer } from '../support/silent-server';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when the network to the target misbehaves', () => {
  let stack: TestStack;
  let client: SignalClient;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Two slots, so the pooled connections are reused over and over.
    stack = await startTestStack({ WORKER_CONCURRENCY: '2' }, 1);
    client = new SignalClient(stack);
  });

  afterAll(async () => {
    await stack.close();
    for (const close of closers) await close();
  });

  describe.each([
    ['accepts the connection and never answers', false],
    ['sends headers and stalls mid-body', true],
  ])('when the target %s', (label, stallMidBody) => {
    const name = stallMidBody ? 'stalling' : 'hanging';
    let silent: SilentServer;

    beforeAll(async () => {
      silent = await startSilentServer({ stallMidBody });
      closers.push(() => silent.close());
      await client.putSubscription(name, {
        pattern: `${name}.event`,
        dispatch: {
          adapter: 'webhook',
          url: `${silent.url}/${name}`,
          timeoutMs: 1000,
          retry: { maxRetries: 0 },
        },
      });
    });

    it('records a timeout after timeoutMs', async () => {
      await client.publish(`${name}.event`, [`${name}-1`]);
      const [delivery] = await client.waitForEnded(`${name}-1`, 1, 20_000);
      const attempt = delivery?.attempts[0];
      expect(delivery?.state).toBe('dead_lettered');
      expect(delivery?.attempts).toHaveLength(1);
      expect(attempt?.errorClass).toBe('timeout');
      expect(attempt?.durationMs).toBeGreaterThanOrEqual(900);
      expect(attempt?.durationMs).toBeLessThan(10_000);
      expect(silent.acceptedConnections).toBeGreaterThanOrEqual(1);
    });

    it('closes the connection it gave up on', async () => {
      // With undici 7.30 a second connection, which sends nothing, was seen
      // opening right after the abort, so every accepted one is awaited.
      await waitFor(
        async () =>
          silent.closedConnections === silent.acceptedConnections
            ? true
            : undefined,
        10_000,
        `every connection to the target that ${label} to close`,
      );
      expect(silent.closedConnections).toBeGreaterThanOrEqual(1);
    });
  });

  describe.each<CloseMode>([
    'connection-close-header',
    'destroy-after-response',
  ])('when the target closes every connection (%s)', (mode) => {
    let target: ClosingReceiver;
    const ids = Array.from({ length: 20 }, (_, index) => `${mode}-${index}`);

    beforeAll(async () => {
      target = await startClosingReceiver(mode);
      closers.push(() => target.close());
      await client.putSubscription(mode, {
        pattern: `${mode}.event`,
        dispatch: { adapter: 'webhook', url: `${target.url}/${mode}` },
      });
    });

    it('delivers 20 signals published one after another', async () => {
      // One at a time, so each request finds the socket of the last response
      // in the pool.
      for (const id of ids.slice(0, 10)) {
        const before = target.requests.length;
        await client.publish(`${mode}.event`, [id]);
        await waitFor(
          async () => (target.requests.length > before ? true : undefined),
          10_000,
          `delivery of ${id}`,
        );
      }
      await client.publish(`${mode}.event`, ids.slice(10));
      await waitFor(
        async () => (target.requests.length >= 20 ? true : undefined),
        20_000,
        '20 deliveries',
      );
      expect(target.requests).toHaveLength(20);
    });

    it('needs one attempt per delivery', async () => {
      for (const id of ids) {
        const [delivery] = await client.waitForEnded(id);
        expect(delivery?.state).toBe('delivered');
        expect(delivery?.attempts).toHaveLength(1);
      }
    });
  });

  describe('when the target refuses connections', () => {
    it('dead-letters the delivery as expired', async () => {
      const port = await findClosedPort();
      await client.putSubscription('refusing', {
        pattern: 'refusing.event',
        dispatch: {
          adapter: 'webhook',
          url: `http://127.0.0.1:${port}/refusing`,
          retry: { baseDelayMs: 200, maxDelayMs: 500, giveUpAfterMs: 2000 },
        },
      });
      await client.publish('refusing.event', ['refusing-1']);

      const entry = await client.waitForDeadLetter('refusing', 'refusing-1');
      const [delivery] = await client.waitForEnded('refusing-1');
      const classes = new Set(
        delivery?.attempts.map((item) => item.errorClass),
      );
      // Expiry is decided once the next wait, at most maxDelayMs (500 ms),
      // would end past giveUpAfterMs (2000 ms), so not before 1500 ms.
      const livedMs =
        Date.parse(entry.createdAt) - Date.parse(delivery?.createdAt ?? '');
      expect(entry.reason).toBe('expired');
      expect(livedMs).toBeGreaterThanOrEqual(1400);
      expect(delivery?.state).toBe('dead_lettered');
      expect(delivery?.reason).toBe('expired');
      expect(delivery?.attempts.length).toBeGreaterThanOrEqual(2);
      expect([...classes]).toEqual(['connection']);
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
    expect(ledger.dead_lettered).toBe(tally.dead_lettered ?? 0);
  });
});
