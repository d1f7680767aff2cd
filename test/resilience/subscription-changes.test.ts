import { settleLedger } from '../support/ledger-check';
import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, type TestStack } from '../support/stack';

describe('when a subscription changes while a delivery waits to retry', () => {
  let stack: TestStack;
  let client: SignalClient;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    stack = await startTestStack({}, 1);
    client = new SignalClient(stack);
  });

  afterAll(async () => {
    await stack.close();
    for (const receiver of receivers) await receiver.close();
  });

  /**
   * Subscribes a receiver that responds 500 to every request, publishes one signal, and waits
   * until its delivery is scheduled for a retry 1.5 s later.
   */
  async function scheduleRetry(name: string) {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.answer(() => ({ status: 500 }));
    const body = {
      pattern: `${name}.event`,
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/${name}`,
        retry: { baseDelayMs: 1500, jitter: false },
      },
    };
    await client.putSubscription(name, body);
    await client.publish(`${name}.event`, [`${name}-1`]);
    const scheduled = await client.waitForState(`${name}-1`, 'scheduled');
    return { receiver, body, scheduled };
  }

  it('dead-letters it after enabled: false', async () => {
    const { receiver, body, scheduled } = await scheduleRetry('paused');
    expect(scheduled.attempts).toHaveLength(1);
    await client.putSubscription('paused', { ...body, enabled: false });

    const entry = await client.waitForDeadLetter('paused', 'paused-1');
    const [delivery] = await client.waitForEnded('paused-1');
    expect(entry.reason).toBe('subscription_disabled');
    expect(delivery?.state).toBe('dead_lettered');
    expect(delivery?.reason).toBe('subscription_disabled');
    expect(delivery?.attempts).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('routes no new signal to a disabled subscription', async () => {
    await client.publish('paused.event', ['paused-2']);
    const record = await client.waitForRouted('paused-2');
    expect(record.deliveries).toHaveLength(0);
  });

  it('dead-letters it after DELETE', async () => {
    const { receiver, scheduled } = await scheduleRetry('removed');
    expect(scheduled.attempts).toHaveLength(1);
    const deleted = await stack.request('DELETE', '/v1/subscriptions/removed');
    expect(deleted.status).toBe(204);

    const entry = await client.waitForDeadLetter('removed', 'removed-1');
    const [delivery] = await client.waitForEnded('removed-1');
    expect(entry.reason).toBe('subscription_deleted');
    expect(delivery?.state).toBe('dead_lettered');
    expect(delivery?.reason).toBe('subscription_deleted');
    expect(delivery?.attempts).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
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
    expect(ledger.dead_lettered).toBe(2);
  });
});
