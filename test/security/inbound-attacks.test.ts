import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver';
import {
  startTestStack,
  waitFor,
  type TestResponse,
  type TestStack,
} from '../support/stack';

const SECRET_A = 'inbound-secret-of-source-a-0001';
const SECRET_B = 'inbound-secret-of-source-b-0001';

function githubHeaders(
  secret: string,
  body: string,
  event: string,
  delivery: string,
): Record<string, string> {
  const digest = createHmac('sha256', secret).update(body).digest('hex');
  return {
    'content-type': 'application/json',
    'x-hub-signature-256': `sha256=${digest}`,
    'x-github-event': event,
    'x-github-delivery': delivery,
  };
}

describe('inbound webhook attacks', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let configDir: string;

  function postInbound(
    source: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<TestResponse> {
    return stack.request('POST', `/v1/inbound/${source}`, {
      rawBody: body,
      headers,
      key: null,
    });
  }

  async function storedSignal(
    source: string,
    eventId: string,
  ): Promise<Record<string, unknown>> {
    const path = `/v1/signals/${encodeURIComponent(`${source}:${eventId}`)}?source=${source}_webhook`;
    const response = await stack.request('GET', path);
    expect(response.status).toBe(200);
    return response.body.signal as Record<string, unknown>;
  }

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'signalpost-inbound-attacks-'));
    const configPath = join(configDir, 'signalpost.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        inbound: {
          alpha: { verifier: 'github', secret: SECRET_A, typePrefix: 'alpha' },
          beta: { verifier: 'github', secret: SECRET_B, typePrefix: 'beta' },
        },
      }),
    );
    stack = await startTestStack({ SIGNALPOST_CONFIG: configPath });
    receiver = await startReceiver();
    for (const [id, pattern] of [
      ['internal', 'internal.**'],
      ['deploy', 'deploy.**'],
    ]) {
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: {
          id,
          pattern,
          dispatch: { adapter: 'webhook', url: `${receiver.url}/${id}` },
        },
      });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('rejects a request signed for another source', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const headers = githubHeaders(SECRET_A, body, 'push', 'cross-1');

    const response = await postInbound('beta', body, headers);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_signature');
    const record = await stack.request(
      'GET',
      '/v1/signals/beta:cross-1?source=beta_webhook',
    );
    expect(record.status).toBe(404);
  });

  it.each([
    ['a leading dot', '.internal.deploy'],
    ['a path escape', '../internal.deploy'],
    ['a wildcard', '**'],
    ['a pattern-like type', 'internal.*'],
    ['spaces and slashes', 'internal / deploy'],
  ])('keeps an event type with %s under the prefix', async (_name, event) => {
    const body = JSON.stringify({ action: 'probe' });
    const delivery = `type-${Buffer.from(event).toString('hex')}`;

    const response = await postInbound(
      'alpha',
      body,
      githubHeaders(SECRET_A, body, event, delivery),
    );

    expect(response.status).toBe(200);
    const signal = await storedSignal('alpha', delivery);
    expect(signal.type).toMatch(/^alpha\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/);
    expect(signal.source).toBe('alpha_webhook');
  });

  it('never routes an inbound event to a pattern outside its prefix', async () => {
    const body = JSON.stringify({ action: 'probe' });
    const response = await postInbound(
      'alpha',
      body,
      githubHeaders(SECRET_A, body, 'deploy.created', 'route-1'),
    );
    expect(response.status).toBe(200);

    const record = await waitFor(
      async () => {
        const read = await stack.request(
          'GET',
          '/v1/signals/alpha:route-1?source=alpha_webhook',
        );
        return read.body?.state === 'routing' ? undefined : read.body;
      },
      15_000,
      'the router to handle the inbound signal',
    );

    expect(record.state).toBe('unmatched');
    expect(receiver.requests).toEqual([]);
  });

  it('records the socket address, not a forwarded one', async () => {
    const body = JSON.stringify({ action: 'probe' });
    const headers = {
      ...githubHeaders(SECRET_A, body, 'push', 'forwarded-1'),
      'x-forwarded-for': '203.0.113.7',
      forwarded: 'for=203.0.113.7',
      'x-real-ip': '203.0.113.7',
    };

    const response = await postInbound('alpha', body, headers);

    expect(response.status).toBe(200);
    const signal = await storedSignal('alpha', 'forwarded-1');
    expect(signal.remoteaddr).toBe('127.0.0.1');
  });

  it('rejects a signed event whose id is too long for a signal', async () => {
    const body = JSON.stringify({ action: 'probe' });
    const delivery = 'x'.repeat(300);

    const response = await postInbound(
      'alpha',
      body,
      githubHeaders(SECRET_A, body, 'push', delivery),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'treats the source %s as unknown',
    async (source) => {
      const body = JSON.stringify({ action: 'probe' });

      const response = await postInbound(
        source,
        body,
        githubHeaders(SECRET_A, body, 'push', `proto-${source}`),
      );

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('unknown_source');
    },
  );

  it('rejects an encoded path escape as an unknown source', async () => {
    const body = JSON.stringify({ action: 'probe' });

    const response = await postInbound(
      '..%2f..%2fv1%2fsignals',
      body,
      githubHeaders(SECRET_A, body, 'push', 'escape-1'),
    );

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('unknown_source');
  });
});
