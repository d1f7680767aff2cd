import { settleLedger } from '../support/ledger-check';
import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when the target answers 410 Gone', () => {
  let stack: TestStack;
  let client: SignalClient;
  let receiver: Receiver;
  let body: Record<string, unknown>;

  beforeAll(async () => {
    stack = await startTestStack({}, 1);
    client = new SignalClient(stack);
    receiver = await startReceiver();
    receiver.answer((index) => ({ status: index === 0 ? 410 : 200 }));
    body = {
      pattern: 'retired.event',
      dispatch: { adapter: 'webhook', url: `${receiver.url}/retired` },
    };
    await client.putSubscription('retired', body);
    await client.publish('retired.event', ['gone-1']);
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('dead-letters the delivery as gone', async () => {
    const entry = await client.waitForDeadLetter('retired', 'gone-1');
    const [delivery] = await client.waitForEnded('gone-1');
    expect(entry.reason).toBe('gone');
    expect(entry.attempts).toBe(1);
    expect(delivery?.state).toBe('dead_lettered');
    expect(delivery?.reason).toBe('gone');
    expect(delivery?.attempts.map((item) => item.statusCode)).toEqual([410]);
  });

  it('marks the target disabled', async () => {
    const response = await stack.request('GET', '/v1/subscriptions/retired');
    const disabled = response.body?.dispatch?.[0]?.disabled;
    expect(response.status).toBe(200);
    expect(typeof disabled?.reason).toBe('string');
    expect(disabled?.reason.length).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(disabled?.at))).toBe(false);
  });

  it('creates no delivery to the disabled target', async () => {
    await client.publish('retired.event', ['gone-2']);
    const record = await client.waitForRouted('gone-2');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(record.deliveries).toHaveLength(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('counts the skipped target on the router', async () => {
    const counted = await stack.router.metrics.disabledTargetSkips.get();
    const skips = counted.values.reduce((sum, item) => sum + item.value, 0);
    expect(skips).toBe(1);
  });

  it('lists the skipped target on the signal', async () => {
    const skipped = await waitFor(
      async () => {
        const response = await stack.request('GET', '/v1/signals/gone-2');
        return response.body?.skippedTargets;
      },
      15_000,
      'skipped targets on signal gone-2',
    );
    expect(skipped).toEqual([
      {
        subscriptionId: 'retired',
        targetId: 'retired#0',
        reason: 'target_disabled',
      },
    ]);
  });

  it('lists no skipped target on a signal that had none', async () => {
    const response = await stack.request('GET', '/v1/signals/gone-1');
    expect(response.status).toBe(200);
    expect(response.body).not.toHaveProperty('skippedTargets');
  });

  it('refuses to replay onto the disabled target', async () => {
    const entry = await client.waitForDeadLetter('retired', 'gone-1');

    const response = await stack.request(
      'POST',
      `/v1/dead-letters/${entry.id}/replay`,
    );

    expect(response.status).toBe(409);
    expect(response.body?.error?.code).toBe('conflict');
    expect(response.body?.error?.message).toContain('retired#0 is disabled');
    const listed = await stack.request(
      'GET',
      '/v1/dead-letters?subscription=retired',
    );
    const listedEntry = (
      listed.body?.data as { id: string; replayed?: unknown }[] | undefined
    )?.find((item) => item.id === entry.id);
    expect(listed.status).toBe(200);
    expect(listedEntry).toBeDefined();
    expect(listedEntry?.replayed).toBeUndefined();
  });

  it('clears the mark on PUT and delivers again', async () => {
    const replaced = await client.putSubscription('retired', body);
    const dispatch = replaced.dispatch as Record<string, unknown>[];
    expect(dispatch[0]?.disabled).toBeUndefined();

    const read = await stack.request('GET', '/v1/subscriptions/retired');
    expect(read.body?.dispatch?.[0]?.disabled).toBeUndefined();

    await client.publish('retired.event', ['gone-3']);
    const [delivery] = await client.waitForEnded('gone-3');
    expect(delivery?.state).toBe('delivered');
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.url).toBe('/retired');
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
    expect(ledger.dead_lettered).toBe(1);
  });
});

describe('when a target beside a throttled one answers 410 Gone', () => {
  let stack: TestStack;
  let client: SignalClient;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({}, 1);
    client = new SignalClient(stack);
    receiver = await startReceiver();
    receiver.answer(() => ({ status: 410 }));
    // The throttled noop target keeps the signal on the routing path that
    // counts throttles, which takes separate calls.
    await client.putSubscription('retired-throttled', {
      pattern: 'retired.throttled',
      dispatch: [
        { adapter: 'webhook', url: `${receiver.url}/retired` },
        {
          adapter: 'noop',
          throttle: { key: 'source', maxCalls: 1000, windowMs: 60_000 },
        },
      ],
    });
    await client.publish('retired.throttled', ['throttled-gone-0']);
    await client.waitForDeadLetter('retired-throttled', 'throttled-gone-0');
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('lists the skipped target on the signal', async () => {
    // The router learns of the disabled target through a change message,
    // so signals routed before it arrives still create a delivery.
    let attempt = 0;
    const skipped = await waitFor(
      async () => {
        attempt += 1;
        const id = `throttled-gone-${attempt}`;
        await client.publish('retired.throttled', [id]);
        const record = await client.waitForRouted(id);
        return (record as { skippedTargets?: unknown }).skippedTargets;
      },
      20_000,
      'a signal that lists the skipped target',
    );
    expect(skipped).toEqual([
      {
        subscriptionId: 'retired-throttled',
        targetId: 'retired-throttled#0',
        reason: 'target_disabled',
      },
    ]);
  });
});
