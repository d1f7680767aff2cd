import path from 'node:path';
import { loadPlugins, PluginLoadError } from '@signalpost/plugins';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const PLUGIN = path.resolve(__dirname, '../fixtures/test-plugin.ts');

describe('plugins', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({ SIGNALPOST_PLUGINS: PLUGIN });
    receiver = await startReceiver();
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'plugged',
        pattern: 'plug.*',
        dispatch: {
          adapter: 'webhook',
          url: receiver.url,
          transform: { name: 'test.upper' },
        },
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const deliveryOf = async (
    id: string,
    state: string,
  ): Promise<Record<string, unknown>> =>
    waitFor(
      async () => {
        const response = await stack.request('GET', `/v1/signals/${id}`);
        const delivery = response.body?.deliveries?.[0];
        return delivery?.state === state ? delivery : undefined;
      },
      15_000,
      `${id} to be ${state}`,
    );

  it('sends the body a plugin transform made', async () => {
    await stack.request('POST', '/v1/signals', {
      body: { type: 'plug.text', source: 'p', id: 'p-1', data: { text: 'hi' } },
    });
    await deliveryOf('p-1', 'delivered');
    expect(JSON.parse(receiver.requests[0]?.body.toString() ?? '{}')).toEqual({
      text: 'HI',
    });
  });

  it('ends a delivery a hook drops as dropped', async () => {
    await stack.request('POST', '/v1/signals', {
      body: { type: 'plug.text', source: 'p', id: 'p-2', data: { drop: true } },
    });
    const delivery = await deliveryOf('p-2', 'dropped');
    expect(delivery.attempts).toEqual([]);
    const ledger = await stack.api.context.deliveries.ledger();
    expect(ledger.dropped).toBe(1);
  });

  it('holds a delivery a hook delays, counting no attempt', async () => {
    const sentAt = Date.now();
    await stack.request('POST', '/v1/signals', {
      body: {
        type: 'plug.text',
        source: 'p',
        id: 'p-3',
        time: new Date(sentAt).toISOString(),
        data: { hold: true, text: 'later' },
      },
    });
    const delivery = await deliveryOf('p-3', 'delivered');
    const arrival = receiver.requests.find((request) =>
      request.body.toString().includes('LATER'),
    );
    expect(arrival).toBeDefined();
    expect((arrival?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(950);
    expect(delivery.attempts).toHaveLength(1);
  });

  it('refuses a subscription naming an unknown transform', async () => {
    const response = await stack.request('POST', '/v1/subscriptions', {
      body: {
        pattern: 'x.*',
        dispatch: {
          adapter: 'webhook',
          url: receiver.url,
          transform: { name: 'nope.nothing' },
        },
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(
      'unknown transform nope.nothing',
    );
  });
});

describe('loadPlugins', () => {
  it('names a missing module', () => {
    expect(() => loadPlugins('./no/such/plugin.js')).toThrow(PluginLoadError);
    expect(() => loadPlugins('./no/such/plugin.js')).toThrow(
      /plugin module \.\/no\/such\/plugin\.js: not found/,
    );
  });

  it('names a module that throws', () => {
    const throwing = path.resolve(__dirname, '../fixtures/throwing-plugin.ts');
    expect(() => loadPlugins(throwing)).toThrow(
      /threw while loading: this plugin fails on purpose/,
    );
  });

  it('loads nothing when unset', () => {
    expect(loadPlugins(undefined).hooks).toEqual([]);
  });
});
