import { Webhook } from 'standardwebhooks';
import { createCapturedLogger } from '../support/captured-logger';
import {
  startReceiver,
  type Receiver,
  type ReceivedRequest,
} from '../support/receiver';
import { dumpPrefix } from '../support/redis-dump';
import { waitForDelivery } from '../support/wait-for-delivery';
import {
  startTestStack,
  waitFor,
  type TestResponse,
  type TestStack,
} from '../support/stack';

const SECRET_VARIABLE = 'SIGNALPOST_SECRET_TEST';
// Distinctive bytes, so that a search for the key finds nothing by chance.
const SECRET_KEY = Buffer.from('env-secret-key-bytes-0123456789!').toString(
  'base64',
);
const SECRET_VALUE = `whsec_${SECRET_KEY}`;
const UNSET_VARIABLE = 'SIGNALPOST_SECRET_NEVER_SET';
const INVALID_VARIABLE = 'SIGNALPOST_SECRET_NOT_WHSEC';
const INVALID_VALUE = 'plain-text-value-that-is-no-whsec-secret';

function webhook(path: string, secret: unknown): Record<string, unknown> {
  return {
    adapter: 'webhook',
    url: path,
    secret,
    retry: { maxRetries: 1, baseDelayMs: 200, jitter: false },
  };
}

function headersOf(request: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      String(value),
    ]),
  );
}

function issuePaths(response: TestResponse): string[] {
  const details = (response.body?.error?.details ?? []) as { path: string }[];
  return details.map((detail) => detail.path);
}

describe('secrets named by an environment variable', () => {
  let stack: TestStack;
  let receiver: Receiver;
  const captured = createCapturedLogger();

  beforeAll(async () => {
    process.env[SECRET_VARIABLE] = SECRET_VALUE;
    process.env[INVALID_VARIABLE] = INVALID_VALUE;
    delete process.env[UNSET_VARIABLE];
    receiver = await startReceiver();
    receiver.answer((_index, request) =>
      request.url === '/reject'
        ? { status: 400, body: 'rejected' }
        : { status: 200, body: 'ok' },
    );
    stack = await startTestStack({}, 1, captured.logger);

    const subscriptions = [
      ['env-accepted', 'env.accepted', '/hook'],
      ['env-rejected', 'env.rejected', '/reject'],
    ];
    for (const [id, pattern, path] of subscriptions) {
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: {
          id,
          pattern,
          dispatch: webhook(`${receiver.url}${path}`, { env: SECRET_VARIABLE }),
        },
      });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    delete process.env[SECRET_VARIABLE];
    delete process.env[INVALID_VARIABLE];
  });

  describe('at save', () => {
    it.each([
      ['HOME', 'HOME'],
      ['PATH', 'PATH'],
      ['REDIS_URL', 'REDIS_URL'],
      ['the API keys variable', 'SIGNALPOST_API_KEYS'],
      ['the prefix without its underscore', 'SIGNALPOST_SECRETX'],
      ['the prefix in lower case', 'signalpost_secret_test'],
    ])('rejects %s', async (_name, variable) => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        body: {
          pattern: 'env.other',
          dispatch: webhook(`${receiver.url}/hook`, { env: variable }),
        },
      });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(issuePaths(response)).toEqual(['dispatch[0].secret']);
    });

    it('rejects HOME as the second secret of a rotation', async () => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        body: {
          pattern: 'env.other',
          dispatch: webhook(`${receiver.url}/hook`, [
            { env: SECRET_VARIABLE },
            { env: 'HOME' },
          ]),
        },
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toEqual(['dispatch[0].secret[1]']);
    });

    it('rejects HOME in a fallback target', async () => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        body: {
          pattern: 'env.other',
          dispatch: {
            adapter: 'noop',
            fallback: webhook(`${receiver.url}/hook`, { env: 'HOME' }),
          },
        },
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toEqual(['dispatch[0].fallback.secret']);
    });

    it('shows only the kind of the secret', async () => {
      const response = await stack.request(
        'GET',
        '/v1/subscriptions/env-accepted',
      );

      expect(response.status).toBe(200);
      expect(response.body.dispatch[0].secret).toEqual({
        set: true,
        kind: 'env',
      });
      expect(JSON.stringify(response.body)).not.toContain(SECRET_VARIABLE);
    });
  });

  describe('at delivery', () => {
    let delivered: ReceivedRequest;

    beforeAll(async () => {
      for (const [type, id] of [
        ['env.accepted', 'env-1'],
        ['env.rejected', 'env-2'],
      ]) {
        const published = await stack.request('POST', '/v1/signals', {
          body: { type, source: 'billing', id, data: { amount: 12 } },
        });
        expect(published.status).toBe(202);
      }
      await waitForDelivery(stack, 'env-1');
      await waitForDelivery(stack, 'env-2');
      delivered = receiver.requests.find(
        (request) => request.url === '/hook',
      ) as ReceivedRequest;
    });

    it('signs with the value of the variable', () => {
      const verified = new Webhook(SECRET_VALUE).verify(
        delivered.body.toString('utf8'),
        headersOf(delivered),
      ) as { id: string };

      expect(verified.id).toBe('env-1');
    });

    it('dead-letters the rejected delivery', async () => {
      const delivery = await waitForDelivery(stack, 'env-2');

      expect(delivery.state).toBe('dead_lettered');
      expect(delivery.attempts[0]?.statusCode).toBe(400);
    });

    it.each([
      ['the subscription', '/v1/subscriptions/env-accepted'],
      ['the subscription list', '/v1/subscriptions'],
      ['the delivered signal', '/v1/signals/env-1'],
      ['the dead-lettered signal', '/v1/signals/env-2'],
      ['the dead-letter list', '/v1/dead-letters'],
      [
        'the dashboard view of the deliveries queue',
        '/admin/queues/api/queues?activeQueue=deliveries&status=latest&jobsPerPage=50',
      ],
      [
        'the dashboard view of the signals queue',
        '/admin/queues/api/queues?activeQueue=signals&status=latest&jobsPerPage=50',
      ],
    ])('keeps the value out of %s', async (_name, path) => {
      const response = await stack.request('GET', path);
      const text = JSON.stringify(response.body);

      expect(response.status).toBe(200);
      expect(text).toContain('env-');
      expect(text).not.toContain(SECRET_KEY);
    });

    it('keeps the value out of /metrics', async () => {
      const response = await stack.request('GET', '/metrics', { key: null });

      expect(response.status).toBe(200);
      expect(String(response.body)).not.toContain(SECRET_KEY);
    });

    it('keeps the value out of every log line', () => {
      const text = captured.lines.join('\n');

      expect(text).toContain('env-1');
      expect(text).not.toContain(SECRET_KEY);
    });

    it('keeps the value out of Redis', async () => {
      const dump = await dumpPrefix(stack.config.prefix);

      expect(dump).toContain(SECRET_VARIABLE);
      expect(dump).not.toContain(SECRET_KEY);
    });
  });

  describe('when the variable is not set on the worker', () => {
    it('sends nothing unsigned and names the variable', async () => {
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: {
          id: 'env-unset',
          pattern: 'env.unset',
          dispatch: webhook(`${receiver.url}/unset`, { env: UNSET_VARIABLE }),
        },
      });
      expect(created.status).toBe(201);

      await stack.request('POST', '/v1/signals', {
        body: { type: 'env.unset', source: 'billing', id: 'env-3' },
      });
      const delivery = await waitForDelivery(stack, 'env-3');

      expect(delivery.state).toBe('dead_lettered');
      expect(delivery.attempts).toHaveLength(2);
      expect(delivery.attempts[0]?.errorMessage).toContain(UNSET_VARIABLE);
      const sent = receiver.requests.filter(
        (request) => request.url === '/unset',
      );
      expect(sent).toEqual([]);
    });
  });

  describe('when the value is invalid for the signature scheme', () => {
    it('records failed attempts and sends nothing unsigned', async () => {
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: {
          id: 'env-invalid',
          pattern: 'env.invalid',
          dispatch: webhook(`${receiver.url}/invalid`, {
            env: INVALID_VARIABLE,
          }),
        },
      });
      expect(created.status).toBe(201);

      await stack.request('POST', '/v1/signals', {
        body: { type: 'env.invalid', source: 'billing', id: 'env-4' },
      });
      await waitFor(
        async () => {
          const response = await stack.request('GET', '/v1/signals/env-4');
          const attempts = response.body?.deliveries?.[0]?.attempts ?? [];
          return attempts.length > 0 ? attempts : undefined;
        },
        15_000,
        'the first attempt to be recorded',
      );
      const delivery = await waitForDelivery(stack, 'env-4');

      expect(delivery.state).toBe('dead_lettered');
      expect(delivery.attempts).toHaveLength(2);
      expect(delivery.attempts[0]?.errorMessage).toContain(INVALID_VARIABLE);
      expect(JSON.stringify(delivery)).not.toContain(INVALID_VALUE);
      const sent = receiver.requests.filter(
        (request) => request.url === '/invalid',
      );
      expect(sent).toEqual([]);
    });
  });
});
