import { settleLedger } from '../support/ledger-check';
import { startReceiver, type Receiver } from '../support/receiver';
import { SignalClient } from '../support/signal-client';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when the target answers with Retry-After', () => {
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
   * Subscribes a fresh receiver that responds to the first request with `status`
   * and `Retry-After: retryAfter`, then 200, and publishes one signal to it.
   * Returns the receiver once it has two requests.
   */
  async function failOnceWith(
    name: string,
    status: number,
    retryAfter: string | (() => string),
    retry: Record<string, unknown>,
  ): Promise<Receiver> {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.answer((index) =>
      index === 0
        ? { status, headers: { 'retry-after': headerValue(retryAfter) } }
        : { status: 200 },
    );
    await client.putSubscription(name, {
      pattern: `${name}.event`,
      dispatch: { adapter: 'webhook', url: `${receiver.url}/${name}`, retry },
    });
    await client.publish(`${name}.event`, [`${name}-1`]);
    await waitFor(
      async () => (receiver.requests.length >= 2 ? true : undefined),
      15_000,
      `a second attempt to ${name}`,
    );
    return receiver;
  }

  function headerValue(value: string | (() => string)): string {
    return typeof value === 'string' ? value : value();
  }

  function gapMs(receiver: Receiver): number {
    const [first, second] = receiver.requests;
    if (!first || !second) throw new Error('expected two requests');
    return second.at - first.at;
  }

  it.each([429, 503])('waits for Retry-After: 2 after a %i', async (status) => {
    const name = `wait-${status}`;
    const receiver = await failOnceWith(name, status, '2', {
      baseDelayMs: 200,
      jitter: false,
    });
    expect(gapMs(receiver)).toBeGreaterThanOrEqual(2000);

    const [delivery] = await client.waitForEnded(`${name}-1`);
    const statuses = delivery?.attempts.map((item) => item.statusCode);
    expect(delivery?.state).toBe('delivered');
    expect(statuses).toEqual([status, 200]);
  });

  it('waits for a Retry-After given as an HTTP date', async () => {
    // HTTP dates have whole seconds, so 3 s ahead is at least 2 s ahead.
    const inThreeSeconds = () => new Date(Date.now() + 3000).toUTCString();
    const receiver = await failOnceWith('dated', 429, inThreeSeconds, {
      baseDelayMs: 200,
      jitter: false,
    });
    expect(gapMs(receiver)).toBeGreaterThanOrEqual(2000);

    const [delivery] = await client.waitForEnded('dated-1');
    expect(delivery?.state).toBe('delivered');
  });

  it('caps a Retry-After of a day at maxDelayMs', async () => {
    const receiver = await failOnceWith('capped', 429, '86400', {
      baseDelayMs: 200,
      maxDelayMs: 3000,
      jitter: false,
    });
    expect(gapMs(receiver)).toBeGreaterThanOrEqual(2900);

    const [delivery] = await client.waitForEnded('capped-1');
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts).toHaveLength(2);
  });

  it('accepts a retry policy of maxDelayMs alone', async () => {
    // A partial retry object is merged with the defaults field by field and
    // every wait is capped at maxDelayMs, so a cap alone is a valid policy.
    const response = await stack.request('PUT', '/v1/subscriptions/cap-only', {
      body: {
        pattern: 'cap.only',
        dispatch: {
          adapter: 'webhook',
          url: 'http://127.0.0.1:9/cap-only',
          retry: { maxDelayMs: 3000 },
        },
      },
    });
    expect(response.body?.error?.details).toBeUndefined();
    expect(response.status).toBe(201);
  });

  it('ignores an unparsable Retry-After and backs off', async () => {
    const receiver = await failOnceWith('unparsable', 429, 'soon', {
      baseDelayMs: 300,
      jitter: false,
    });
    expect(gapMs(receiver)).toBeGreaterThanOrEqual(300);

    const [delivery] = await client.waitForEnded('unparsable-1');
    const statuses = delivery?.attempts.map((item) => item.statusCode);
    expect(delivery?.state).toBe('delivered');
    expect(statuses).toEqual([429, 200]);
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
  });
});
