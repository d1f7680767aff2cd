import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PUBLISH_KEY,
  startTestStack,
  type RequestOptions,
  type TestResponse,
  type TestStack,
} from '../support/stack';

/** Text that only a stack trace or a source path would put in a body. */
const STACK_TRACE_PATTERN = /\n\s+at |\bat .+:\d+:\d+|node_modules|\.ts:\d+/;

interface HygieneCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly options?: RequestOptions;
  readonly status: number;
  readonly code: string;
}

const batchHeaders = { 'content-type': 'application/cloudevents-batch+json' };
const manySignals = Array.from({ length: 1001 }, (_, index) => ({
  type: 'a.b',
  source: 's',
  id: `i-${index}`,
}));

const ERROR_CASES: HygieneCase[] = [
  {
    name: 'a missing key',
    method: 'GET',
    path: '/v1/subscriptions',
    options: { key: null },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'a missing scope',
    method: 'GET',
    path: '/v1/subscriptions',
    options: { key: PUBLISH_KEY },
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'an unknown route',
    method: 'GET',
    path: '/v1/nothing',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown subscription',
    method: 'GET',
    path: '/v1/subscriptions/none',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'broken JSON',
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
    name: 'broken subscription JSON',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      rawBody: '{"a":',
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'an invalid signal',
    method: 'POST',
    path: '/v1/signals',
    options: { body: { type: 'a..b', source: 's' } },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an unsupported media type',
    method: 'POST',
    path: '/v1/signals',
    options: { rawBody: 'x', headers: { 'content-type': 'text/plain' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a signal over 256 KiB',
    method: 'POST',
    path: '/v1/signals',
    options: {
      body: { type: 'a.b', source: 's', data: 'x'.repeat(300 * 1024) },
    },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a batch of 1001',
    method: 'POST',
    path: '/v1/signals',
    options: { rawBody: JSON.stringify(manySignals), headers: batchHeaders },
    status: 413,
    code: 'batch_too_large',
  },
  {
    name: 'an existing subscription id',
    method: 'POST',
    path: '/v1/subscriptions',
    options: {
      body: { id: 'hygiene', pattern: 'a.b', dispatch: { adapter: 'noop' } },
    },
    status: 409,
    code: 'conflict',
  },
  {
    name: 'a reused Idempotency-Key',
    method: 'POST',
    path: '/v1/signals',
    options: {
      body: { type: 'a.b', source: 's', id: 'other' },
      headers: { 'idempotency-key': 'hygiene-key' },
    },
    status: 422,
    code: 'idempotency_key_reused',
  },
  {
    name: 'an unknown inbound source',
    method: 'POST',
    path: '/v1/inbound/nowhere',
    options: { rawBody: '{}', key: null },
    status: 404,
    code: 'unknown_source',
  },
  {
    name: 'a bad inbound signature',
    method: 'POST',
    path: '/v1/inbound/github',
    options: {
      rawBody: '{}',
      key: null,
      headers: {
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        'x-github-event': 'push',
        'x-github-delivery': 'd-1',
      },
    },
    status: 400,
    code: 'invalid_signature',
  },
  {
    name: 'a config-managed subscription',
    method: 'DELETE',
    path: '/v1/subscriptions/from-config',
    status: 409,
    code: 'managed_by_config',
  },
  {
    name: 'an invalid list limit',
    method: 'GET',
    path: '/v1/subscriptions?limit=0',
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'the dashboard without a key',
    method: 'GET',
    path: '/admin/queues',
    options: { key: null },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'a dashboard write',
    method: 'PUT',
    path: '/admin/queues/api/queues/signals/pause',
    status: 403,
    code: 'forbidden',
  },
];

const SUCCESS_CASES: [string, string, string, number][] = [
  ['liveness', 'GET', '/healthz', 200],
  ['a subscription list', 'GET', '/v1/subscriptions', 200],
  ['the dashboard page', 'GET', '/admin/queues', 200],
  ['metrics', 'GET', '/metrics', 200],
];

function expectHelmetHeaders(response: TestResponse): void {
  expect(response.headers.get('x-powered-by')).toBeNull();
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const framing =
    response.headers.get('content-security-policy') ??
    response.headers.get('x-frame-options');
  expect(framing).not.toBeNull();
}

describe('response hygiene', () => {
  let stack: TestStack;
  let configDir: string;

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'signalpost-hygiene-'));
    const configPath = join(configDir, 'signalpost.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        inbound: {
          github: {
            verifier: 'github',
            secret: 'hygiene-github-secret-0001',
            typePrefix: 'github',
          },
        },
        subscriptions: [
          { id: 'from-config', pattern: 'a.b', dispatch: { adapter: 'noop' } },
        ],
      }),
    );
    stack = await startTestStack({ SIGNALPOST_CONFIG: configPath }, 0);

    const created = await stack.request('POST', '/v1/subscriptions', {
      body: { id: 'hygiene', pattern: 'a.b', dispatch: { adapter: 'noop' } },
    });
    expect(created.status).toBe(201);
    const first = await stack.request('POST', '/v1/signals', {
      body: { type: 'a.b', source: 's', id: 'first' },
      headers: { 'idempotency-key': 'hygiene-key' },
    });
    expect(first.status).toBe(202);
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  describe.each(ERROR_CASES)('for $name', (item) => {
    let response: TestResponse;

    beforeAll(async () => {
      response = await stack.request(item.method, item.path, item.options);
    });

    it(`returns ${item.status} ${item.code}`, () => {
      expect(response.status).toBe(item.status);
      expect(response.body.error.code).toBe(item.code);
      expect(response.body.error.message.length).toBeGreaterThan(0);
    });

    it('returns JSON', () => {
      expect(response.headers.get('content-type')).toMatch(
        /^application\/json; charset=utf-8$/,
      );
    });

    it('has no stack trace', () => {
      expect(JSON.stringify(response.body)).not.toMatch(STACK_TRACE_PATTERN);
    });

    it('sends the helmet headers', () => {
      expectHelmetHeaders(response);
    });
  });

  it.each(SUCCESS_CASES)(
    'sends the helmet headers on %s',
    async (_name, method, path, status) => {
      const response = await stack.request(method, path);

      expect(response.status).toBe(status);
      expectHelmetHeaders(response);
    },
  );
});
