import net from 'node:net';
import { startReceiver, type Receiver } from '../../../test/support/receiver';
import {
  CLIENT_ERROR_CODES,
  SignalpostApiError,
  SignalpostClient,
  SignalpostNetworkError,
  type SignalpostClientOptions,
} from '../src';

const API_KEY = 'retry-test-key-0001';
const SIGNAL = { type: 'order.created', source: 'shop', id: 'o-1' };
const ACCEPTED = JSON.stringify({ id: 'o-1', duplicate: false });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('SignalpostClient retries', () => {
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  function clientFor(
    options: Partial<SignalpostClientOptions> = {},
  ): SignalpostClient {
    return new SignalpostClient({
      baseUrl: receiver.url,
      apiKey: API_KEY,
      retryBaseDelayMs: 10,
      ...options,
    });
  }

  describe('when the API answers 503 with Retry-After twice', () => {
    beforeEach(() => {
      receiver.answer((index) =>
        index < 2
          ? { status: 503, headers: { 'retry-after': '1' }, body: '' }
          : { status: 202, headers: JSON_HEADERS, body: ACCEPTED },
      );
    });

    it('publishes on the third attempt', async () => {
      const result = await clientFor().publish(SIGNAL);
      expect(result).toEqual({ id: 'o-1', duplicate: false });
      expect(receiver.requests).toHaveLength(3);
    });

    it('sends the same Idempotency-Key on every attempt', async () => {
      await clientFor().publish(SIGNAL);
      const keys = receiver.requests.map(
        (request) => request.headers['idempotency-key'],
      );
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(keys).size).toBe(1);
    });

    it('keeps a given Idempotency-Key on every attempt', async () => {
      await clientFor().publish(SIGNAL, { idempotencyKey: 'order-o-1' });
      for (const request of receiver.requests) {
        expect(request.headers['idempotency-key']).toBe('order-o-1');
      }
    });

    it('waits at least Retry-After between attempts', async () => {
      await clientFor().publish(SIGNAL);
      const [first, second, third] = receiver.requests.map(
        (request) => request.at,
      );
      // Timer and clock granularity allow a few milliseconds of slack.
      expect(second! - first!).toBeGreaterThanOrEqual(990);
      expect(third! - second!).toBeGreaterThanOrEqual(990);
    });

    it('sends the same batch body on every attempt', async () => {
      receiver.answer((index) =>
        index < 2
          ? { status: 503, headers: { 'retry-after': '1' }, body: '' }
          : {
              status: 202,
              headers: JSON_HEADERS,
              body: JSON.stringify({ accepted: ['o-1'], duplicates: [] }),
            },
      );
      await clientFor().publishBatch([SIGNAL]);
      const bodies = receiver.requests.map((request) =>
        request.body.toString('utf8'),
      );
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0]!)).toEqual([SIGNAL]);
    });
  });

  describe('when the API answers 429 on every attempt', () => {
    beforeEach(() => {
      receiver.answer(() => ({
        status: 429,
        headers: { ...JSON_HEADERS, 'retry-after': '0' },
        body: JSON.stringify({
          error: { code: 'rate_limited', message: 'slow down' },
        }),
      }));
    });

    it('stops after maxRetries and throws the last error', async () => {
      const error = await clientFor({ maxRetries: 2 })
        .publish(SIGNAL)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SignalpostApiError);
      const apiError = error as SignalpostApiError;
      expect(apiError.status).toBe(429);
      expect(apiError.code).toBe('rate_limited');
      expect(apiError.retryAfterSec).toBe(0);
      expect(apiError.attempts).toBe(3);
      expect(apiError.message).toContain('after 3 attempts');
      expect(receiver.requests).toHaveLength(3);
    });

    it('makes one request when maxRetries is 0', async () => {
      await expect(
        clientFor({ maxRetries: 0 }).publish(SIGNAL),
      ).rejects.toBeInstanceOf(SignalpostApiError);
      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('when Retry-After is longer than the maximum delay', () => {
    it('throws at once with retryAfterSec', async () => {
      receiver.answer(() => ({
        status: 503,
        headers: { 'retry-after': '120' },
        body: '',
      }));
      const error = (await clientFor({ retryMaxDelayMs: 5000 })
        .publish(SIGNAL)
        .catch((caught: unknown) => caught)) as SignalpostApiError;
      expect(error.retryAfterSec).toBe(120);
      expect(error.code).toBe('http_503');
      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('when the API rejects the request with 400', () => {
    it('does not retry', async () => {
      receiver.answer(() => ({
        status: 400,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          error: {
            code: 'validation_failed',
            message: 'type is required',
            details: [{ path: 'type', message: 'required' }],
          },
        }),
      }));
      const error = (await clientFor()
        .publish(SIGNAL)
        .catch((caught: unknown) => caught)) as SignalpostApiError;
      expect(error.code).toBe('validation_failed');
      expect(error.details).toEqual([{ path: 'type', message: 'required' }]);
      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('when the idempotency key is still in flight', () => {
    it('retries until the first request is stored', async () => {
      receiver.answer((index) =>
        index === 0
          ? {
              status: 409,
              headers: { ...JSON_HEADERS, 'retry-after': '0' },
              body: JSON.stringify({
                error: { code: 'idempotency_key_in_flight', message: 'wait' },
              }),
            }
          : { status: 202, headers: JSON_HEADERS, body: ACCEPTED },
      );
      await expect(clientFor().publish(SIGNAL)).resolves.toEqual({
        id: 'o-1',
        duplicate: false,
      });
      expect(receiver.requests).toHaveLength(2);
    });
  });

  describe('when a subscription create answers 409 conflict', () => {
    it('does not retry', async () => {
      receiver.answer(() => ({
        status: 409,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          error: { code: 'conflict', message: 'exists' },
        }),
      }));
      await expect(
        clientFor().createSubscription({ pattern: 'a', dispatch: [] }),
      ).rejects.toMatchObject({ status: 409, code: 'conflict' });
      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('when the connection is refused', () => {
    let closedPortUrl: string;

    beforeAll(async () => {
      closedPortUrl = await closedPortUrlOnLoopback();
    });

    it('retries a publish, then throws a network error', async () => {
      let calls = 0;
      const countingFetch: typeof fetch = (input, init) => {
        calls += 1;
        return fetch(input, init);
      };
      const client = clientFor({
        baseUrl: closedPortUrl,
        maxRetries: 2,
        fetch: countingFetch,
      });
      const error = (await client
        .publish(SIGNAL)
        .catch((caught: unknown) => caught)) as SignalpostNetworkError;
      expect(error).toBeInstanceOf(SignalpostNetworkError);
      expect(error.code).toBe(CLIENT_ERROR_CODES.connection);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.attempts).toBe(3);
      expect(calls).toBe(3);
    });

    it('does not resend a dead-letter replay', async () => {
      let calls = 0;
      const countingFetch: typeof fetch = (input, init) => {
        calls += 1;
        return fetch(input, init);
      };
      const client = clientFor({
        baseUrl: closedPortUrl,
        fetch: countingFetch,
      });
      await expect(client.replayDeadLetter('dl-1')).rejects.toBeInstanceOf(
        SignalpostNetworkError,
      );
      expect(calls).toBe(1);
    });
  });

  describe('when fetch rejects the port itself', () => {
    it('does not retry the request', async () => {
      let calls = 0;
      const countingFetch: typeof fetch = (input, init) => {
        calls += 1;
        return fetch(input, init);
      };
      // Fetch blocks port 1 (tcpmux) before connecting, so no retry helps.
      const client = clientFor({
        baseUrl: 'http://127.0.0.1:1',
        fetch: countingFetch,
      });
      const error = (await client
        .publish(SIGNAL)
        .catch((caught: unknown) => caught)) as SignalpostNetworkError;
      expect(error).toBeInstanceOf(SignalpostNetworkError);
      expect(error.message).toContain('bad port');
      expect(calls).toBe(1);
    });
  });

  describe('when the API answers slower than timeoutMs', () => {
    it('throws a timeout error', async () => {
      receiver.answer(() => ({ status: 202, body: ACCEPTED, delayMs: 2000 }));
      const error = (await clientFor({ timeoutMs: 100, maxRetries: 0 })
        .publish(SIGNAL)
        .catch((caught: unknown) => caught)) as SignalpostNetworkError;
      expect(error).toBeInstanceOf(SignalpostNetworkError);
      expect(error.code).toBe(CLIENT_ERROR_CODES.timeout);
      expect(error.message).toContain('timed out after 100 ms');
    });
  });

  describe('when a 2xx body is not JSON', () => {
    it('throws an invalid-response error', async () => {
      receiver.answer(() => ({ status: 200, body: '<html>' }));
      await expect(clientFor().getSubscription('s-1')).rejects.toMatchObject({
        code: CLIENT_ERROR_CODES.invalidResponse,
      });
    });
  });

  describe('every request', () => {
    it('carries the API key and a user agent', async () => {
      receiver.answer(() => ({
        status: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify({ data: [], nextCursor: null }),
      }));
      await clientFor().listSubscriptions({ limit: 5, cursor: 'c1' });
      const [request] = receiver.requests;
      expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request?.headers['user-agent']).toMatch(/^signalpost-client\/\d/);
      expect(request?.url).toBe('/v1/subscriptions?limit=5&cursor=c1');
    });

    it('escapes ids in the path', async () => {
      receiver.answer(() => ({
        status: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify({ id: 'a/b' }),
      }));
      await clientFor().getSubscription('a/b');
      expect(receiver.requests[0]?.url).toBe('/v1/subscriptions/a%2Fb');
    });
  });
});

/** Binds an ephemeral port and frees it, so connecting is refused. */
async function closedPortUrlOnLoopback(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}`;
}
