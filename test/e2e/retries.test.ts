import { createHmac } from 'node:crypto';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const SECRET = `whsec_${Buffer.alloc(24, 3).toString('base64')}`;

describe('when a target fails', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  async function subscribe(
    id: string,
    pattern: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const response = await stack.request('PUT', `/v1/subscriptions/${id}`, {
      body: {
        pattern,
        dispatch: {
          adapter: 'webhook',
          url: `${receiver.url}/${id}`,
          secret: SECRET,
          ...extra,
        },
      },
    });
    expect(response.status).toBe(201);
  }

  it('retries 500, 500, 200 with one webhook-id and fresh signatures', async () => {
    await subscribe('flaky', 'flaky.*', {
      retry: { baseDelayMs: 1000, jitter: false },
    });
    receiver.answer((index) => ({ status: index < 2 ? 500 : 200 }));
    await stack.request('POST', '/v1/signals', {
      body: { type: 'flaky.event', source: 'test', id: 'r-1' },
    });

    await waitFor(
      async () => (receiver.requests.length >= 3 ? true : undefined),
      20_000,
      'three attempts',
    );
    const [first, second, third] = receiver.requests;
    if (!first || !second || !third) throw new Error('expected three requests');
    expect(
      new Set(receiver.requests.map((request) => request.headers['webhook-id']))
        .size,
    ).toBe(1);
    expect(
      new Set(
        receiver.requests.map(
          (request) => request.headers['webhook-timestamp'],
        ),
      ).size,
    ).toBe(3);
    expect(
      new Set(
        receiver.requests.map(
          (request) => request.headers['webhook-signature'],
        ),
      ).size,
    ).toBe(3);
    for (const request of receiver.requests)
      expect(signatureValid(request)).toBe(true);
    const firstGap = second.at - first.at;
    const secondGap = third.at - second.at;
    expect(firstGap).toBeGreaterThanOrEqual(900);
    expect(secondGap).toBeGreaterThan(firstGap);

    const record = await waitFor(async () => {
      const response = await stack.request('GET', '/v1/signals/r-1');
      return response.body?.deliveries?.[0]?.state === 'delivered'
        ? response.body
        : undefined;
    });
    expect(
      record.deliveries[0].attempts.map(
        (attempt: { statusCode: number }) => attempt.statusCode,
      ),
    ).toEqual([500, 500, 200]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(3);
  });

  it('sends a 400 once and dead-letters the delivery', async () => {
    await subscribe('refusing', 'refusing.*', { retry: { baseDelayMs: 200 } });
    receiver.answer(() => ({ status: 400, body: 'bad request' }));
    await stack.request('POST', '/v1/signals', {
      body: { type: 'refusing.event', source: 'test', id: 'r-2' },
    });

    const entry = await waitFor(async () => {
      const response = await stack.request(
        'GET',
        '/v1/dead-letters?subscription=refusing',
      );
      return response.body?.data?.[0];
    });
    expect(entry.reason).toBe('non_retryable_status');
    expect(entry.kind).toBe('delivery');
    expect(entry.signalId).toBe('r-2');
    expect(entry.target.secret).toEqual({ set: true, kind: 'literal' });
    expect(JSON.stringify(entry)).not.toContain(SECRET);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(receiver.requests).toHaveLength(1);
  });

  it('treats a 3xx as a failed attempt that is not followed or retried', async () => {
    await subscribe('moved', 'moved.*');
    receiver.answer(() => ({
      status: 302,
      headers: { location: `${receiver.url}/elsewhere` },
    }));
    await stack.request('POST', '/v1/signals', {
      body: { type: 'moved.event', source: 'test', id: 'r-3' },
    });

    const entry = await waitFor(async () => {
      const response = await stack.request(
        'GET',
        '/v1/dead-letters?subscription=moved',
      );
      return response.body?.data?.[0];
    });
    expect(entry.reason).toBe('non_retryable_status');
    expect(receiver.requests.map((request) => request.url)).toEqual(['/moved']);
  });

  it('replays a dead letter as a new delivery under the same webhook-id', async () => {
    await subscribe('replayed', 'replayed.*');
    receiver.answer(() => ({ status: 422 }));
    await stack.request('POST', '/v1/signals', {
      body: { type: 'replayed.event', source: 'test', id: 'r-4' },
    });
    const entry = await waitFor(async () => {
      const response = await stack.request(
        'GET',
        '/v1/dead-letters?subscription=replayed',
      );
      return response.body?.data?.[0];
    });

    receiver.answer(() => ({ status: 200 }));
    const replay = await stack.request(
      'POST',
      `/v1/dead-letters/${entry.id}/replay`,
    );
    expect(replay.status).toBe(202);
    expect(replay.body.deliveryId).toMatch(/^dlv_/);
    await waitFor(async () =>
      receiver.requests.length === 2 ? true : undefined,
    );
    expect(receiver.requests[1]?.headers['webhook-id']).toBe(
      receiver.requests[0]?.headers['webhook-id'],
    );
    expect(receiver.requests[1]?.headers['x-signalpost-delivery-id']).toBe(
      replay.body.deliveryId,
    );

    const listed = await stack.request(
      'GET',
      '/v1/dead-letters?subscription=replayed',
    );
    expect(listed.body.data[0].replayed.deliveryId).toBe(
      replay.body.deliveryId,
    );
  });
});

function signatureValid(request: {
  headers: Record<string, unknown>;
  body: Buffer;
}): boolean {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const content = `${String(request.headers['webhook-id'])}.${String(request.headers['webhook-timestamp'])}.`;
  const expected = createHmac('sha256', key)
    .update(content)
    .update(request.body)
    .digest('base64');
  return String(request.headers['webhook-signature'])
    .split(' ')
    .includes(`v1,${expected}`);
}
