import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  startReceiver,
  type Receiver,
  type ReceivedRequest,
} from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const OLD_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const NEW_SECRET = `whsec_${Buffer.alloc(48, 2).toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const OLD_HMAC_SECRET = 'old-hmac-secret-0123456789';
const NEW_HMAC_SECRET = 'new-hmac-secret-0123456789';
const SIGNAL_COUNT = 3;

function headersOf(request: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      String(value),
    ]),
  );
}

function verifiesWith(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(
      request.body.toString('utf8'),
      headersOf(request),
    );
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

function hmacHeader(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('secret rotation', () => {
  let stack: TestStack;
  let receiver: Receiver;

  function requestsTo(path: string): ReceivedRequest[] {
    return receiver.requests.filter((request) => request.url === path);
  }

  async function subscribe(
    id: string,
    path: string,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const response = await stack.request('PUT', `/v1/subscriptions/${id}`, {
      body: {
        pattern: `rotation.${id}`,
        dispatch: {
          adapter: 'webhook',
          url: `${receiver.url}${path}`,
          retry: { baseDelayMs: 200, jitter: false },
          ...extra,
        },
      },
    });
    expect([200, 201]).toContain(response.status);
  }

  async function publish(id: string, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const response = await stack.request('POST', '/v1/signals', {
        body: {
          type: `rotation.${id}`,
          source: 'rotation',
          id: `${id}-${index}`,
        },
      });
      expect(response.status).toBe(202);
    }
  }

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    // The first request fails, so a retried attempt is among those checked.
    receiver.answer((index) =>
      index === 0 ? { status: 503, body: 'busy' } : { status: 200 },
    );
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  describe('with an old and a new Standard Webhooks secret', () => {
    let requests: ReceivedRequest[];

    beforeAll(async () => {
      await subscribe('both', '/both', { secret: [OLD_SECRET, NEW_SECRET] });
      await publish('both', SIGNAL_COUNT);
      requests = await waitFor(
        async () => {
          const found = requestsTo('/both');
          return found.length >= SIGNAL_COUNT + 1 ? found : undefined;
        },
        30_000,
        'every delivery and the retry',
      );
    });

    it('retries the failed attempt', () => {
      expect(requests).toHaveLength(SIGNAL_COUNT + 1);
    });

    it('sends two v1 signatures on every request', () => {
      for (const request of requests) {
        const signatures = String(request.headers['webhook-signature']).split(
          ' ',
        );
        expect(signatures).toHaveLength(2);
        for (const signature of signatures)
          expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      }
    });

    it('verifies with the old secret alone', () => {
      for (const request of requests)
        expect(verifiesWith(OLD_SECRET, request)).toBe(true);
    });

    it('verifies with the new secret alone', () => {
      for (const request of requests)
        expect(verifiesWith(NEW_SECRET, request)).toBe(true);
    });

    it('fails with an unrelated secret', () => {
      for (const request of requests)
        expect(verifiesWith(OTHER_SECRET, request)).toBe(false);
    });
  });

  describe('after the old secret is dropped', () => {
    let request: ReceivedRequest;

    beforeAll(async () => {
      await subscribe('both', '/both', { secret: NEW_SECRET });
      const before = requestsTo('/both').length;
      await stack.request('POST', '/v1/signals', {
        body: { type: 'rotation.both', source: 'rotation', id: 'both-after' },
      });
      request = await waitFor(
        async () => requestsTo('/both')[before],
        15_000,
        'the delivery after the rotation',
      );
    });

    it('sends one signature', () => {
      expect(
        String(request.headers['webhook-signature']).split(' '),
      ).toHaveLength(1);
    });

    it('verifies with the new secret only', () => {
      expect(verifiesWith(NEW_SECRET, request)).toBe(true);
      expect(verifiesWith(OLD_SECRET, request)).toBe(false);
    });
  });

  describe('with two hmac-sha256 secrets', () => {
    it('signs with the first only', async () => {
      await subscribe('hmac', '/hmac', {
        signature: 'hmac-sha256',
        secret: [OLD_HMAC_SECRET, NEW_HMAC_SECRET],
      });
      await publish('hmac', 1);

      const request = await waitFor(
        async () => requestsTo('/hmac')[0],
        15_000,
        'the hmac-sha256 delivery',
      );

      expect(request.headers['x-signature-256']).toBe(
        hmacHeader(OLD_HMAC_SECRET, request.body),
      );
    });
  });
});
