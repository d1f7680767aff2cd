import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import Stripe from 'stripe';
import { Webhook } from 'svix';
import { loadConfig } from '@signalpost/config';
import { startApi } from '../src/start-api';
import { startReceiver, type Receiver } from '../../../test/support/receiver';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';
import {
  ADMIN_KEY,
  startTestStack,
  waitFor,
  type TestResponse,
  type TestStack,
} from '../../../test/support/stack';

const STRIPE_SECRET = 'whsec_stripe_inbound_test_0001';
const GITHUB_SECRET = 'github-inbound-test-secret-0001';
const SVIX_SECRET = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

const INBOUND_SOURCES = {
  stripe: { verifier: 'stripe', secret: STRIPE_SECRET, typePrefix: 'stripe' },
  github: { verifier: 'github', secret: GITHUB_SECRET, typePrefix: 'github' },
  svix: {
    verifier: 'standard-webhooks',
    secret: SVIX_SECRET,
    typePrefix: 'svix',
  },
};

const stripe = new Stripe('sk_test_x');

function stripeEvent(id: string): Record<string, unknown> {
  return {
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_1', amount: 2000, currency: 'eur' } },
  };
}

// Indented the way Stripe sends its bodies, so re-serialising changes bytes.
function prettyBody(event: unknown): string {
  return JSON.stringify(event, null, 2);
}

function stripeHeader(
  payload: string,
  options: { secret?: string; ageSec?: number } = {},
): string {
  return stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? STRIPE_SECRET,
    timestamp: Math.floor(Date.now() / 1000) - (options.ageSec ?? 0),
  });
}

function githubSignature(body: string): string {
  const digest = createHmac('sha256', GITHUB_SECRET).update(body).digest('hex');
  return `sha256=${digest}`;
}

function collectingLogger(lines: string[]): pino.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return pino({ level: 'info' }, stream);
}

describe('POST /v1/inbound/:source', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let configDir: string;
  const logLines: string[] = [];

  function postInbound(
    source: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<TestResponse> {
    return stack.request('POST', `/v1/inbound/${source}`, {
      rawBody: body,
      headers: { 'content-type': 'application/json', ...headers },
      key: null,
    });
  }

  function postStripe(
    body: string,
    headers: Record<string, string>,
  ): Promise<TestResponse> {
    return postInbound('stripe', body, {
      'user-agent': USER_AGENT,
      ...headers,
    });
  }

  function deliveriesOf(signalId: string): unknown[] {
    return receiver.requests
      .map((request) => JSON.parse(request.body.toString('utf8')) as unknown)
      .filter((body) => (body as { id?: unknown }).id === signalId);
  }

  async function receivedCount(outcome: string): Promise<number> {
    const metric = await stack.api.context.metrics.signalsReceived.get();
    const found = metric.values.find(
      (value) => value.labels.outcome === outcome,
    );
    return found?.value ?? 0;
  }

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'signalpost-inbound-'));
    const configPath = join(configDir, 'signalpost.json');
    writeFileSync(configPath, JSON.stringify({ inbound: INBOUND_SOURCES }));
    stack = await startTestStack(
      { SIGNALPOST_CONFIG: configPath },
      1,
      collectingLogger(logLines),
    );
    receiver = await startReceiver();
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'stripe-events',
        pattern: 'stripe.**',
        dispatch: { adapter: 'webhook', url: `${receiver.url}/stripe` },
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  describe('from a Stripe source', () => {
    it('routes a signed pretty-printed body', async () => {
      const event = stripeEvent('evt_pretty_1');
      const body = prettyBody(event);

      const response = await postStripe(body, {
        'stripe-signature': stripeHeader(body),
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true });

      const [delivered] = await waitFor(
        async () => {
          const found = deliveriesOf('stripe:evt_pretty_1');
          return found.length > 0 ? found : undefined;
        },
        15_000,
        'the delivery of the Stripe signal',
      );
      expect(delivered).toMatchObject({
        type: 'stripe.payment_intent.succeeded',
        source: 'stripe_webhook',
        id: 'stripe:evt_pretty_1',
        data: event,
        remoteaddr: '127.0.0.1',
        useragent: USER_AGENT,
      });
    });

    it('accepts a replay without publishing it', async () => {
      const body = prettyBody(stripeEvent('evt_replay_1'));
      const headers = { 'stripe-signature': stripeHeader(body) };
      const first = await postStripe(body, headers);
      expect(first.status).toBe(200);
      await waitFor(
        async () => deliveriesOf('stripe:evt_replay_1')[0],
        15_000,
        'the first delivery',
      );
      const duplicatesBefore = await receivedCount('duplicate');

      const replay = await postStripe(body, headers);
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ received: true });
      expect(await receivedCount('duplicate')).toBe(duplicatesBefore + 1);

      // Long enough for a second fan-out to reach the receiver if one began.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(deliveriesOf('stripe:evt_replay_1')).toHaveLength(1);
      const record = await stack.request(
        'GET',
        '/v1/signals/stripe:evt_replay_1?source=stripe_webhook',
      );
      expect(record.body.deliveries).toHaveLength(1);
    });

    const nowSec = (): number => Math.floor(Date.now() / 1000);
    const rejectedCases: {
      name: string;
      eventId: string;
      send: (eventId: string) => Promise<TestResponse>;
    }[] = [
      {
        name: 'a body re-serialised without whitespace',
        eventId: 'evt_compact_1',
        send: (eventId) => {
          const event = stripeEvent(eventId);
          const header = stripeHeader(prettyBody(event));
          return postStripe(JSON.stringify(event), {
            'stripe-signature': header,
          });
        },
      },
      {
        name: 'a timestamp 10 minutes old',
        eventId: 'evt_old_1',
        send: (eventId) => {
          const body = prettyBody(stripeEvent(eventId));
          const header = stripeHeader(body, { ageSec: 600 });
          return postStripe(body, { 'stripe-signature': header });
        },
      },
      {
        name: 'a timestamp 400 s in the future',
        eventId: 'evt_future_1',
        send: (eventId) => {
          const body = prettyBody(stripeEvent(eventId));
          const header = stripe.webhooks.generateTestHeaderString({
            payload: body,
            secret: STRIPE_SECRET,
            timestamp: nowSec() + 400,
          });
          return postStripe(body, { 'stripe-signature': header });
        },
      },
      {
        name: 'a signature made with another secret',
        eventId: 'evt_wrong_secret_1',
        send: (eventId) => {
          const body = prettyBody(stripeEvent(eventId));
          const header = stripeHeader(body, { secret: 'whsec_not_this_one' });
          return postStripe(body, { 'stripe-signature': header });
        },
      },
      {
        name: 'no Stripe-Signature header',
        eventId: 'evt_unsigned_1',
        send: (eventId) => postStripe(prettyBody(stripeEvent(eventId)), {}),
      },
    ];

    it.each(rejectedCases)(
      'rejects $name with invalid_signature',
      async ({ eventId, send }) => {
        const response = await send(eventId);
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('invalid_signature');

        const record = await stack.request(
          'GET',
          `/v1/signals/stripe:${eventId}?source=stripe_webhook`,
        );
        expect(record.status).toBe(404);
      },
    );

    it('rejects a signed non-JSON body', async () => {
      const body = '{"id": "evt_broken_1",';
      const response = await postStripe(body, {
        'stripe-signature': stripeHeader(body),
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_json');
    });
  });

  describe('from a Standard Webhooks source', () => {
    it('accepts a svix signature after a bogus one', async () => {
      const payload = {
        type: 'invoice.paid',
        data: { price: '12 €', done: '✓' },
      };
      const body = JSON.stringify(payload);
      const messageId = 'msg_unicode_1';
      const timestamp = new Date();
      const signature = new Webhook(SVIX_SECRET).sign(
        messageId,
        timestamp,
        body,
      );
      const bogus = `v1,${Buffer.alloc(32, 1).toString('base64')}`;

      const response = await postInbound('svix', Buffer.from(body, 'utf8'), {
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': `${bogus} ${signature}`,
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true });

      const record = await stack.request(
        'GET',
        `/v1/signals/svix:${messageId}?source=svix_webhook`,
      );
      expect(record.status).toBe(200);
      expect(record.body.signal.type).toBe('svix.invoice.paid');
      expect(record.body.signal.data).toEqual(payload);
    });
  });

  describe('from a GitHub source', () => {
    const pushBody = JSON.stringify({ ref: 'refs/heads/main' });
    const utf8AsLatin1 = Buffer.from('é'.repeat(64), 'utf8').toString('latin1');
    const malformedSignatures: [string, string][] = [
      ['four hex digits', 'sha256=abcd'],
      ['an empty digest', 'sha256='],
      ['63 hex digits', `sha256=${'a'.repeat(63)}`],
      ['65 hex digits', `sha256=${'a'.repeat(65)}`],
      ['64 é characters', `sha256=${'é'.repeat(64)}`],
      ['64 é characters as UTF-8 bytes', `sha256=${utf8AsLatin1}`],
    ];

    it.each(malformedSignatures)(
      'rejects a signature of %s with invalid_signature',
      async (_name, signature) => {
        const response = await postInbound('github', pushBody, {
          'x-github-event': 'push',
          'x-github-delivery': 'delivery-malformed',
          'x-hub-signature-256': signature,
        });
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('invalid_signature');
      },
    );

    it('accepts a valid signature afterwards', async () => {
      const response = await postInbound('github', pushBody, {
        'x-github-event': 'push',
        'x-github-delivery': 'delivery-valid-1',
        'x-hub-signature-256': githubSignature(pushBody),
      });
      expect(response.status).toBe(200);

      const record = await stack.request(
        'GET',
        '/v1/signals/github:delivery-valid-1?source=github_webhook',
      );
      expect(record.body.signal.type).toBe('github.push');
    });
  });

  describe('for other requests', () => {
    it('rejects an unconfigured source with 404', async () => {
      const response = await postInbound('paypal', '{}', {});
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('unknown_source');
    });

    it('rejects a body over 1 MiB with 413', async () => {
      const body = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
      const response = await postStripe(body, {
        'stripe-signature': stripeHeader(body),
      });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
    });

    it('ignores an API key', async () => {
      const body = prettyBody(stripeEvent('evt_with_key_1'));
      const response = await stack.request('POST', '/v1/inbound/stripe', {
        rawBody: body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripeHeader(body),
        },
        key: ADMIN_KEY,
      });
      expect(response.status).toBe(200);
    });
  });

  describe('when a signature is rejected', () => {
    it('logs the sender without secrets', async () => {
      const body = prettyBody(stripeEvent('evt_logged_1'));
      const header = stripeHeader(body, { secret: 'whsec_logged_wrong' });
      const linesBefore = logLines.length;

      const response = await postStripe(body, { 'stripe-signature': header });
      expect(response.status).toBe(400);

      const lines = logLines.slice(linesBefore);
      const warning = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.msg === 'inbound webhook rejected');
      expect(warning).toMatchObject({
        level: 40,
        source: 'stripe',
        remoteAddress: '127.0.0.1',
        code: 'invalid_signature',
      });
      const everything = logLines.join('\n');
      const digest = header.split('v1=')[1] ?? header;
      expect(everything).not.toContain(STRIPE_SECRET);
      expect(everything).not.toContain(GITHUB_SECRET);
      expect(everything).not.toContain(digest);
      expect(everything).not.toContain(header);
    });
  });
});

describe('starting the API with an invalid inbound source', () => {
  let configDir: string;
  const prefix = testPrefix('inbound-start');

  beforeAll(() => {
    configDir = mkdtempSync(join(tmpdir(), 'signalpost-inbound-bad-'));
  });

  afterAll(async () => {
    rmSync(configDir, { recursive: true, force: true });
    await deletePrefix(prefix);
  });

  it('fails naming the invalid keys', async () => {
    const configPath = join(configDir, 'signalpost.yaml');
    const secret = 'whsec_must_not_appear_0001';
    writeFileSync(
      configPath,
      [
        'inbound:',
        '  stripe:',
        '    verifier: stripe',
        '    typePrefix: stripe',
        '  github:',
        '    verifier: github',
        `    secret: ${secret}`,
        '    typePrefix: github',
        '    toleranceSec: -5',
        '',
      ].join('\n'),
    );
    const config = loadConfig({
      REDIS_URL: testRedisUrl(),
      SIGNALPOST_PREFIX: prefix,
      SIGNALPOST_API_KEYS: 'inbound-start-key-0001=admin',
      SIGNALPOST_CONFIG: configPath,
      PORT: '0',
      HOST: '127.0.0.1',
    });

    const started = startApi(config, {
      logger: pino({ level: 'silent' }),
      healthServer: false,
    });
    await expect(started).rejects.toThrow(/inbound\.stripe\.secret/);
    await expect(started).rejects.toThrow(/inbound\.github\.toleranceSec/);
    await expect(started).rejects.not.toThrow(secret);
  });
});
