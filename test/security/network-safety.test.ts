import { loadConfig } from '@signalpost/config';
import {
  startWorker,
  type RunningWorker,
} from '../../apps/worker/src/start-worker';
import { createCapturedLogger } from '../support/captured-logger';
import {
  startCountingServer,
  type CountingServer,
} from '../support/counting-server';
import { startReceiver, type Receiver } from '../support/receiver';
import { testRedisUrl } from '../support/redis';
import { waitForDelivery } from '../support/wait-for-delivery';
import {
  startTestStack,
  waitFor,
  type TestResponse,
  type TestStack,
} from '../support/stack';

/** Replaced by the canary's port in the URLs below. */
const CANARY_PORT = '<canary>';

/**
 * Internal targets in every spelling an attacker might try. Those with the
 * canary port point at the canary on 127.0.0.1. This test never connects to
 * the others, and the product must reject them at save without connecting
 * either.
 */
const INTERNAL_URLS: readonly [string, string][] = [
  ['loopback', 'http://127.0.0.1:<canary>/'],
  ['loopback as one decimal number', 'http://2130706433:<canary>/'],
  ['loopback as one hex number', 'http://0x7f000001:<canary>/'],
  ['loopback with two parts', 'http://127.1:<canary>/'],
  ['loopback with an octal part', 'http://0177.0.0.1:<canary>/'],
  ['loopback with hex and two parts', 'http://0x7f.1:<canary>/'],
  ['loopback with a trailing dot', 'http://127.0.0.1.:<canary>/'],
  ['loopback percent-encoded', 'http://%31%32%37.0.0.1:<canary>/'],
  ['loopback in full-width digits', 'http://１２７．０．０．１:<canary>/'],
  ['the unspecified IPv4 address', 'http://0.0.0.0:<canary>/'],
  ['0 as the host', 'http://0:<canary>/'],
  ['the unspecified IPv6 address', 'http://[::]:<canary>/'],
  ['IPv6 loopback', 'http://[::1]:<canary>/'],
  ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:<canary>/'],
  ['IPv4-mapped loopback in hex', 'http://[::ffff:7f00:1]:<canary>/'],
  [
    'IPv4-mapped loopback written out',
    'http://[0:0:0:0:0:ffff:7f00:1]:<canary>/',
  ],
  ['IPv4-translated loopback', 'http://[::ffff:0:7f00:1]:<canary>/'],
  ['IPv4-compatible loopback', 'http://[::127.0.0.1]:<canary>/'],
  ['NAT64 loopback', 'http://[64:ff9b::7f00:1]:<canary>/'],
  ['6to4 loopback', 'http://[2002:7f00:1::]:<canary>/'],
  ['localhost', 'http://localhost:<canary>/'],
  ['localhost in capitals', 'http://LOCALHOST:<canary>/'],
  ['localhost with a trailing dot', 'http://localhost.:<canary>/'],
  ['localhost with two trailing dots', 'http://localhost..:<canary>/'],
  ['a name under localhost', 'http://foo.localhost:<canary>/'],
  ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
  ['a 10/8 private address', 'http://10.0.0.1/'],
  ['a 192.168/16 private address', 'http://192.168.1.1/'],
  ['a 172.16/12 private address', 'http://172.16.0.1/'],
  ['a carrier-grade NAT address', 'http://100.64.0.1/'],
  ['a benchmarking address', 'http://198.18.0.1/'],
  ['a multicast address', 'http://224.0.0.1/'],
  ['the broadcast address', 'http://255.255.255.255/'],
  ['an IPv6 link-local address', 'http://[fe80::1]/'],
  ['an IPv6 link-local address with a zone', 'http://[fe80::1%25lo]/'],
  ['an IPv6 unique local address', 'http://[fc00::1]/'],
  ['an IPv6 multicast address', 'http://[ff02::1]/'],
  ['an IPv6 documentation address', 'http://[2001:db8::1]/'],
  ['a user name and password', 'http://user:pass@example.com/'],
  ['a user name only', 'http://user@example.com/'],
  ['an ftp URL', 'ftp://example.com/'],
  ['a file URL', 'file:///etc/passwd'],
  ['a gopher URL', 'gopher://127.0.0.1:<canary>/'],
  ['a relative URL', '/v1/subscriptions'],
];

function withCanaryPort(url: string, canary: CountingServer): string {
  return url.replace(CANARY_PORT, String(canary.port));
}

/**
 * Pattern of a probe subscription. Only probes of the canary match the
 * signal that the test publishes, so that a wrongly accepted subscription
 * to another address would still never be dialled.
 */
function probePattern(template: string): string {
  return template.includes(CANARY_PORT) ? 'probe.created' : 'probe.never';
}

function webhookSubscription(
  pattern: string,
  url: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { pattern, dispatch: { adapter: 'webhook', url, ...extra } };
}

function issuePaths(response: TestResponse): string[] {
  const details = (response.body?.error?.details ?? []) as { path: string }[];
  return details.map((detail) => detail.path);
}

describe('network safety', () => {
  describe('without allowed targets', () => {
    let stack: TestStack;
    let canary: CountingServer;

    beforeAll(async () => {
      canary = await startCountingServer();
      stack = await startTestStack({ SIGNALPOST_ALLOW_TARGETS: '' });
    });

    afterAll(async () => {
      await stack?.close();
      await canary?.close();
    });

    it.each(INTERNAL_URLS)('rejects %s at save', async (_name, template) => {
      const url = withCanaryPort(template, canary);

      const response = await stack.request('POST', '/v1/subscriptions', {
        body: webhookSubscription(probePattern(template), url),
      });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(issuePaths(response)).toContain('dispatch[0].url');
      expect(JSON.stringify(response.body)).not.toContain('pass@');
    });

    it.each(INTERNAL_URLS)('rejects %s on PUT', async (_name, template) => {
      const url = withCanaryPort(template, canary);

      const response = await stack.request('PUT', '/v1/subscriptions/probe', {
        body: webhookSubscription(probePattern(template), url),
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toContain('dispatch[0].url');
    });

    it('rejects loopback as a fallback target', async () => {
      const url = `http://127.0.0.1:${canary.port}/`;
      const subscription = webhookSubscription(
        'probe.created',
        `http://[::1]:${canary.port}/primary`,
        { fallback: { adapter: 'webhook', url } },
      );

      const response = await stack.request('POST', '/v1/subscriptions', {
        body: subscription,
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toContain('dispatch[0].fallback.url');
    });

    it('rejects loopback as the second of two targets', async () => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        body: {
          pattern: 'probe.created',
          dispatch: [
            { adapter: 'noop' },
            { adapter: 'webhook', url: `http://localhost:${canary.port}/` },
          ],
        },
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toEqual(['dispatch[1].url']);
    });

    it('stores none of the rejected subscriptions', async () => {
      const response = await stack.request('GET', '/v1/subscriptions');

      expect(response.status).toBe(200);
      expect(response.body.data).toEqual([]);
    });

    it('never connects to the canary', async () => {
      const published = await stack.request('POST', '/v1/signals', {
        body: { type: 'probe.created', source: 'attacker', id: 'probe-1' },
      });
      expect(published.status).toBe(202);
      const record = await waitFor(
        async () => {
          const response = await stack.request('GET', '/v1/signals/probe-1');
          return response.body?.state === 'routing' ? undefined : response.body;
        },
        15_000,
        'the router to handle the probe',
      );

      expect(record.state).toBe('unmatched');
      expect(canary.connections).toBe(0);
    });
  });

  describe('when an allowed target redirects to loopback', () => {
    const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;
    let stack: TestStack;
    let canary: CountingServer;
    const redirectors = new Map<number, CountingServer>();

    beforeAll(async () => {
      canary = await startCountingServer();
      for (const status of REDIRECT_STATUSES) {
        const location = `${canary.url}/followed-${status}`;
        const server = await startCountingServer({
          host: '127.0.0.2',
          response: { status, headers: { location } },
        });
        redirectors.set(status, server);
      }
      stack = await startTestStack({
        SIGNALPOST_ALLOW_TARGETS: '127.0.0.2/32',
      });

      for (const [status, server] of redirectors) {
        const created = await stack.request('POST', '/v1/subscriptions', {
          body: webhookSubscription(`redirect.s${status}`, `${server.url}/`),
        });
        expect(created.status).toBe(201);
      }
    });

    afterAll(async () => {
      await stack?.close();
      for (const server of redirectors.values()) await server.close();
      await canary?.close();
    });

    it.each(REDIRECT_STATUSES)(
      'records a %i as a failed attempt without following it',
      async (status) => {
        const signalId = `redirect-${status}`;
        const published = await stack.request('POST', '/v1/signals', {
          body: { type: `redirect.s${status}`, source: 'probe', id: signalId },
        });
        expect(published.status).toBe(202);

        const delivery = await waitForDelivery(stack, signalId, [
          'dead_lettered',
        ]);

        expect(delivery.attempts).toHaveLength(1);
        expect(delivery.attempts[0]?.statusCode).toBe(status);
        expect(delivery.attempts[0]?.errorClass).toBe('http');
        expect(redirectors.get(status)?.requestPaths).toEqual(['/']);
        expect(canary.connections).toBe(0);
      },
    );

    it('dead-letters each redirect as non-retryable', async () => {
      const response = await stack.request('GET', '/v1/dead-letters');

      const reasons = (response.body.data as { reason: string }[]).map(
        (entry) => entry.reason,
      );
      expect(reasons).toHaveLength(REDIRECT_STATUSES.length);
      expect(new Set(reasons)).toEqual(new Set(['non_retryable_status']));
    });

    it('rejects a subscription to the redirect location', async () => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        body: webhookSubscription('redirect.direct', `${canary.url}/`),
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toContain('dispatch[0].url');
    });
  });

  describe('with an allowed target that names a port', () => {
    let stack: TestStack;
    let canary: CountingServer;
    let receiver: Receiver;
    let receiverPort: number;

    beforeAll(async () => {
      canary = await startCountingServer();
      receiver = await startReceiver();
      receiverPort = Number(new URL(receiver.url).port);
      stack = await startTestStack({
        SIGNALPOST_ALLOW_TARGETS: `127.0.0.1/32:${receiverPort}`,
      });
    });

    afterAll(async () => {
      await stack?.close();
      await receiver?.close();
      await canary?.close();
    });

    it('delivers to the allowed port', async () => {
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: webhookSubscription('port.allowed', `${receiver.url}/hook`),
      });
      expect(created.status).toBe(201);

      await stack.request('POST', '/v1/signals', {
        body: { type: 'port.allowed', source: 'probe', id: 'port-1' },
      });
      const delivery = await waitForDelivery(stack, 'port-1', [
        'delivered',
        'dead_lettered',
      ]);

      expect(delivery.state).toBe('delivered');
      expect(receiver.requests.map((request) => request.url)).toEqual([
        '/hook',
      ]);
    });

    it('accepts localhost on the allowed port', async () => {
      const url = `http://localhost:${receiverPort}/by-name`;

      const created = await stack.request('POST', '/v1/subscriptions', {
        body: webhookSubscription('port.by-name', url),
      });

      expect(created.status).toBe(201);
    });

    it.each([
      ['the canary port on the same address', 'http://127.0.0.1:<canary>/'],
      ['the canary port by name', 'http://localhost:<canary>/'],
      ['the default http port', 'http://127.0.0.1/'],
      ['another loopback address', 'http://127.0.0.2:<receiver>/'],
      ['IPv6 loopback on the allowed port', 'http://[::1]:<receiver>/'],
      ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:<canary>/'],
    ])('rejects %s', async (_name, template) => {
      const url = withCanaryPort(template, canary).replace(
        '<receiver>',
        String(receiverPort),
      );

      const response = await stack.request('POST', '/v1/subscriptions', {
        body: webhookSubscription('port.refused', url),
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toContain('dispatch[0].url');
    });

    it('never connects to the canary', async () => {
      await stack.request('POST', '/v1/signals', {
        body: { type: 'port.refused', source: 'probe', id: 'port-2' },
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));

      expect(canary.connections).toBe(0);
    });
  });

  describe('when the worker allows less than the API did', () => {
    const TARGETS = [
      ['an IP literal', 'literal', '127.0.0.1'],
      ['a localhost name', 'name', 'localhost'],
    ] as const;
    let stack: TestStack;
    let canary: CountingServer;
    let strictWorker: RunningWorker;

    beforeAll(async () => {
      canary = await startCountingServer();
      // The API admits loopback, and the only worker admits nothing.
      stack = await startTestStack({}, 0);
      const config = loadConfig({
        REDIS_URL: testRedisUrl(),
        SIGNALPOST_PREFIX: stack.config.prefix,
        SIGNALPOST_ALLOW_TARGETS: '',
      });
      strictWorker = await startWorker(config, {
        logger: createCapturedLogger('silent').logger,
        healthServer: false,
      });

      for (const [, label, host] of TARGETS) {
        const url = `http://${host}:${canary.port}/${label}`;
        const created = await stack.request('POST', '/v1/subscriptions', {
          body: webhookSubscription(`rebind.${label}`, url),
        });
        expect(created.status).toBe(201);
      }
    });

    afterAll(async () => {
      await strictWorker?.close();
      await stack?.close();
      await canary?.close();
    });

    it.each(TARGETS)('rejects %s at attempt time', async (_name, label) => {
      const signalId = `rebind-${label}`;
      await stack.request('POST', '/v1/signals', {
        body: { type: `rebind.${label}`, source: 'probe', id: signalId },
      });

      const delivery = await waitForDelivery(stack, signalId, [
        'delivered',
        'dead_lettered',
      ]);

      expect(delivery.state).toBe('dead_lettered');
      expect(delivery.attempts).toHaveLength(1);
      expect(delivery.attempts[0]?.errorClass).toBe('refused_target');
      expect(delivery.attempts[0]?.statusCode).toBeUndefined();
      expect(canary.connections).toBe(0);
    });

    it('dead-letters rejected targets as non-retryable', async () => {
      const response = await stack.request('GET', '/v1/dead-letters');

      const entries = response.body.data as { reason: string }[];
      expect(entries).toHaveLength(TARGETS.length);
      for (const entry of entries)
        expect(entry.reason).toBe('non_retryable_status');
    });
  });
});
