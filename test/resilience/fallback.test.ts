import { settleLedger } from '../support/ledger-check';
import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when the primary target fails and a fallback is set', () => {
  let stack: TestStack;
  let client: SignalClient;
  let primary: Receiver;
  let fallback: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({}, 1);
    client = new SignalClient(stack);
    primary = await startReceiver();
    fallback = await startReceiver();
    primary.answer(() => ({ status: 500, body: 'down' }));
    await client.putSubscription('backed-up', {
      pattern: 'backed.up',
      dispatch: {
        adapter: 'webhook',
        url: `${primary.url}/primary`,
        retry: { maxRetries: 1, baseDelayMs: 100 },
        fallback: { adapter: 'webhook', url: `${fallback.url}/fallback` },
      },
    });
    await client.publish('backed.up', ['fallback-1']);
  });

  afterAll(async () => {
    await stack.close();
    await primary.close();
    await fallback.close();
  });

  it('dead-letters the primary as retries_exhausted', async () => {
    const entry = await client.waitForDeadLetter('backed-up', 'fallback-1');
    expect(entry.reason).toBe('retries_exhausted');
    expect(entry.attempts).toBe(2);
    expect(primary.requests).toHaveLength(2);
  });

  it('sends one fallback with the same webhook-id', async () => {
    await waitFor(
      async () => (fallback.requests.length >= 1 ? true : undefined),
      15_000,
      'the fallback delivery',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [sent] = fallback.requests;
    const primaryHeaders = primary.requests[0]?.headers;
    expect(fallback.requests).toHaveLength(1);
    expect(sent?.headers['webhook-id']).toBe(primaryHeaders?.['webhook-id']);
    expect(sent?.headers['x-signalpost-delivery-id']).not.toBe(
      primaryHeaders?.['x-signalpost-delivery-id'],
    );
  });

  it('records the fallback as a delivery of its own', async () => {
    const deliveries = await client.waitForEnded('fallback-1', 2);
    const original = deliveries.find((item) => !item.fallbackOf);
    const backup = deliveries.find((item) => item.fallbackOf);
    const sentId = fallback.requests[0]?.headers['x-signalpost-delivery-id'];
    expect(deliveries).toHaveLength(2);
    expect(original?.state).toBe('dead_lettered');
    expect(original?.reason).toBe('retries_exhausted');
    expect(backup?.state).toBe('delivered');
    expect(backup?.fallbackOf).toBe(original?.id);
    expect(backup?.id).toBe(sentId);
    expect(backup?.attempts).toHaveLength(1);
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
    expect(ledger.created).toBe(2);
    expect(ledger.delivered).toBe(1);
    expect(ledger.dead_lettered).toBe(1);
  });
});
