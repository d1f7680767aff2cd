import {
  PUBLISH_KEY,
  startTestStack,
  type RequestOptions,
  type TestStack,
} from '../support/stack';

interface BadCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly options: RequestOptions;
  readonly status: number;
  readonly code: string;
}

const ndjson = (count: number): unknown[] =>
  Array.from({ length: count }, (_, index) => ({
    type: 'bulk.item',
    source: 'b',
    id: `b-${index}`,
  }));
const batch = { 'content-type': 'application/cloudevents-batch+json' };
const webhook = (extra: Record<string, unknown>): unknown => ({
  pattern: 'x.*',
  dispatch: { adapter: 'webhook', url: 'http://127.0.0.1:9/hook', ...extra },
});

const CASES: BadCase[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/v1/signals',
    options: {
      rawBody: '{"type":',
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'missing type',
    method: 'POST',
    path: '/v1/signals',
    options: { body: { source: 's' } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'missing source',
    method: 'POST',
    path: '/v1/signals',
    options: { body: { type: 'a.b' } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'empty type segment',
    method: 'POST',
    path: '/v1/signals',
    options: { body: { type: 'a..b', source: 's' } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'bad time',
    method: 'POST',
    path: '/v1/signals',
    options: { body: { type: 'a.b', source: 's', time: 'yesterday' } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'text/plain without ce- headers',
    method: 'POST',
    path: '/v1/signals',
    options: { rawBody: 'hello', headers: { 'content-type': 'text/plain' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a 300 KiB signal',
    method: 'POST',
    path: '/v1/signals',
    options: {
      body: { type: 'a.b', source: 's', data: 'x'.repeat(300 * 1024) },
    },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'an empty batch',
    method: 'POST',
    path: '/v1/signals',
    options: { rawBody: '[]', headers: batch },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a batch of non-objects',
    method: 'POST',
    path: '/v1/signals',
    options: { rawBody: '[1, "x", null]', headers: batch },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: '1001 signals in a batch',
    method: 'POST',
    path: '/v1/signals',
    options: { rawBody: JSON.stringify(ndjson(1001)), headers: batch },
    status: 413,
    code: 'batch_too_large',
  },
  {
    name: 'no API key',
    method: 'POST',
    path: '/v1/signals',
    options: { body: { type: 'a.b', source: 's' }, key: null },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'a wrong API key',
    method: 'GET',
    path: '/v1/subscriptions',
    options: { key: 'not-a-key-at-all' },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'a publish-only key on subscriptions',
    method: 'GET',
    path: '/v1/subscriptions',
    options: { key: PUBLISH_KEY },
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'a pattern a.***',
    method: 'POST',
    path: '/v1/subscriptions',
    options: { body: { pattern: 'a.***', dispatch: { adapter: 'noop' } } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a pattern with an empty segment',
    method: 'POST',
    path: '/v1/subscriptions',
    options: { body: { pattern: 'a..b', dispatch: { adapter: 'noop' } } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an unknown adapter',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      body: { pattern: 'a.b', dispatch: { adapter: 'carrier-pigeon' } },
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a webhook without url',
    method: 'POST',
    path: '/v1/subscriptions',
    options: { body: { pattern: 'a.b', dispatch: { adapter: 'webhook' } } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a secret whsec_!!!!',
    method: 'POST',
    path: '/v1/subscriptions',
    options: { body: webhook({ secret: 'whsec_!!!!' }) },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a secret v1,whsec_...',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      body: webhook({
        secret: `v1,whsec_${Buffer.alloc(32).toString('base64')}`,
      }),
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a secret of 23 bytes',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      body: webhook({ secret: `whsec_${Buffer.alloc(23).toString('base64')}` }),
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an hmac-sha256 secret of 15 bytes',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      body: webhook({ signature: 'hmac-sha256', secret: 'fifteen-bytes!!' }),
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a signature header override',
    method: 'POST',
    path: '/v1/subscriptions',
    options: { body: webhook({ headers: { 'webhook-signature': 'x' } }) },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a retryOn with 404',
    method: 'POST',
    path: '/v1/subscriptions',
    options: { body: webhook({ retry: { retryOn: [404] } }) },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an unknown subscription',
    method: 'GET',
    path: '/v1/subscriptions/nope',
    options: {},
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown signal',
    method: 'GET',
    path: '/v1/signals/nope',
    options: {},
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown dead letter',
    method: 'POST',
    path: '/v1/dead-letters/nope/replay',
    options: {},
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown route',
    method: 'GET',
    path: '/v2/everything',
    options: {},
    status: 404,
    code: 'not_found',
  },
];

describe('bad input', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  it.each(CASES)(
    'answers $name with $status $code',
    async ({ method, path, options, status, code }) => {
      const response = await stack.request(method, path, options);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(typeof response.body.error.message).toBe('string');
      expect(response.body.error.message.length).toBeGreaterThan(0);
      expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.ts:\d+/);
    },
  );

  it('stored nothing and stays ready', async () => {
    const subscriptions = await stack.request('GET', '/v1/subscriptions');
    expect(subscriptions.body).toEqual({ data: [], nextCursor: null });
    const ledger = await stack.api.context.deliveries.ledger();
    expect(ledger.created).toBe(0);
    const counts = await stack.api.context.signalsQueue.getJobCounts();
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(
      0,
    );
    const ready = await stack.request('GET', '/readyz', { key: null });
    expect(ready.status).toBe(200);
  });

  it('names the failing index of a batch', async () => {
    const items = [
      { type: 'ok.one', source: 's' },
      { type: 'bad..type', source: 's' },
    ];
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(items),
      headers: batch,
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([
      expect.objectContaining({ index: 1, code: 'validation_failed' }),
    ]);
    expect(response.body.error.message).toBe(
      '1 signal of the batch is invalid; nothing was stored',
    );
  });

  it('accepts an hmac-sha256 secret of 16 bytes', async () => {
    const response = await stack.request('POST', '/v1/subscriptions', {
      body: webhook({ signature: 'hmac-sha256', secret: 'sixteen-bytes!!!' }),
    });
    expect(response.status).toBe(201);
    expect(response.body.dispatch[0].secret).toEqual({
      set: true,
      kind: 'literal',
    });
    await stack.request(
      'DELETE',
      `/v1/subscriptions/${response.body.id as string}`,
    );
  });
});
