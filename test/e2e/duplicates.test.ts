import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('duplicate publishes', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'dup:colon.sub',
        pattern: 'dup.**',
        dispatch: { adapter: 'webhook', url: receiver.url },
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  const settle = (): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, 1000));
  const receivedIds = (): string[] =>
    receiver.requests.map(
      (request) => (JSON.parse(request.body.toString()) as { id: string }).id,
    );

  it('fans out a repeated (source, id) once and says duplicate', async () => {
    const signal = { type: 'dup.created', source: 'shop', id: 'same-1' };
    const first = await stack.request('POST', '/v1/signals', { body: signal });
    const second = await stack.request('POST', '/v1/signals', { body: signal });
    expect(first.body).toEqual({ id: 'same-1', duplicate: false });
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ id: 'same-1', duplicate: true });
    await waitFor(async () =>
      receiver.requests.length > 0 ? true : undefined,
    );
    await settle();
    expect(receivedIds()).toEqual(['same-1']);
  });

  it('delivers the same id from two sources twice and reports the ambiguity', async () => {
    await stack.request('POST', '/v1/signals', {
      body: { type: 'dup.created', source: 'a', id: 'shared-1' },
    });
    await stack.request('POST', '/v1/signals', {
      body: { type: 'dup.created', source: 'b', id: 'shared-1' },
    });
    await waitFor(async () =>
      receiver.requests.length >= 2 ? true : undefined,
    );
    await settle();
    expect(receivedIds()).toEqual(['shared-1', 'shared-1']);

    const ambiguous = await stack.request('GET', '/v1/signals/shared-1');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.code).toBe('conflict');
    const sources = (ambiguous.body.error.details as { source: string }[])
      .map((item) => item.source)
      .sort();
    expect(sources).toEqual(['a', 'b']);
    const picked = await stack.request('GET', '/v1/signals/shared-1?source=b');
    expect(picked.status).toBe(200);
    expect(picked.body.signal.source).toBe('b');
  });

  const duplicatesCounted = async (): Promise<number> => {
    const scrape = await stack.request('GET', '/metrics', { key: null });
    const line = String(scrape.body)
      .split('\n')
      .find(
        (text) =>
          text.startsWith('signalpost_signals_received_total{') &&
          text.includes('outcome="duplicate"'),
      );
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };

  it('counts Idempotency-Key repeats as duplicates', async () => {
    const headers = { 'idempotency-key': 'count-1' };
    const single = { type: 'dup.created', source: 'shop' };
    const batch = [
      { type: 'dup.created', source: 'shop', id: 'count-batch-1' },
      { type: 'dup.created', source: 'shop', id: 'count-batch-2' },
    ];
    const batchHeaders = {
      'idempotency-key': 'count-2',
      'content-type': 'application/cloudevents-batch+json',
    };
    await stack.request('POST', '/v1/signals', { body: single, headers });
    await stack.request('POST', '/v1/signals', {
      body: batch,
      headers: batchHeaders,
    });
    const before = await duplicatesCounted();

    const repeat = await stack.request('POST', '/v1/signals', {
      body: single,
      headers,
    });
    const repeatedBatch = await stack.request('POST', '/v1/signals', {
      body: batch,
      headers: batchHeaders,
    });

    expect(repeat.body.duplicate).toBe(true);
    expect(repeatedBatch.body.duplicates).toHaveLength(2);
    expect((await duplicatesCounted()) - before).toBe(3);
  });

  it('answers a repeated Idempotency-Key with the original response', async () => {
    const headers = { 'idempotency-key': 'key-1' };
    const body = { type: 'dup.created', source: 'shop' };
    const first = await stack.request('POST', '/v1/signals', { body, headers });
    const second = await stack.request('POST', '/v1/signals', {
      body,
      headers,
    });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ id: first.body.id, duplicate: true });

    const reused = await stack.request('POST', '/v1/signals', {
      body: { ...body, data: 1 },
      headers,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    await waitFor(async () =>
      receiver.requests.length > 0 ? true : undefined,
    );
    await settle();
    expect(receivedIds()).toEqual([first.body.id]);
  });

  it('fans out once for eight concurrent requests with one key', async () => {
    const headers = { 'idempotency-key': 'race-1' };
    const body = { type: 'dup.raced', source: 'shop' };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        stack.request('POST', '/v1/signals', { body, headers }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(
      statuses.filter((status) => status === 202).length,
    ).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 202 || status === 409)).toBe(
      true,
    );
    const accepted = responses.filter(
      (response) => response.status === 202 && !response.body.duplicate,
    );
    expect(accepted).toHaveLength(1);
    await waitFor(async () =>
      receiver.requests.length > 0 ? true : undefined,
    );
    await settle();
    expect(receiver.requests).toHaveLength(1);
  });

  it('enqueues a signal id of digits for a subscription id with a colon', async () => {
    const published = await stack.request('POST', '/v1/signals', {
      body: { type: 'dup.digits', source: 's', id: '123' },
    });
    expect(published.status).toBe(202);
    await waitFor(async () =>
      receiver.requests.length > 0 ? true : undefined,
    );
    expect(receivedIds()).toEqual(['123']);
    const record = await waitFor(async () => {
      const response = await stack.request('GET', '/v1/signals/123');
      return response.body?.deliveries?.[0]?.state === 'delivered'
        ? response.body
        : undefined;
    });
    expect(record.deliveries[0].subscriptionId).toBe('dup:colon.sub');
  });
});
