import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HTTP } from 'cloudevents';
import {
  startReceiver,
  type ReceivedRequest,
  type Receiver,
} from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const JIDO_SECRET = 'jido-shared-secret-0123';

describe('integrations end to end', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-integrations-'));
    const configFile = path.join(dir, 'signalpost.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        pagerduty: {
          defaultRoutingKey: 'default-routing-key',
          routingKeys: { payments: 'payments-routing-key' },
          clientUrl: 'https://status.example.com/incidents/{incident_id}',
        },
      }),
    );
    stack = await startTestStack({ SIGNALPOST_CONFIG: configFile });
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  async function subscribe(
    id: string,
    body: Record<string, unknown>,
  ): Promise<void> {
    const response = await stack.request('PUT', `/v1/subscriptions/${id}`, {
      body,
    });
    expect(response.status).toBe(201);
  }

  async function received(pathName: string): Promise<ReceivedRequest> {
    return waitFor(
      async () => receiver.requests.find((request) => request.url === pathName),
      15_000,
      pathName,
    );
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = (request: ReceivedRequest): Record<string, any> =>
    JSON.parse(request.body.toString());

  it('sends a PagerDuty trigger built from a critical alert', async () => {
    await subscribe('pagerduty-critical', {
      pattern: 'alert.critical.**',
      filter: "data.severity in ['critical', 'high']",
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/pagerduty`,
        transform: { name: 'pagerduty.trigger' },
      },
    });
    const data = {
      service: 'db',
      component: 'primary',
      severity: 'high',
      summary: 'Disk full',
    };
    await stack.request('POST', '/v1/signals', {
      body: {
        type: 'alert.critical.db',
        source: 'monitoring',
        id: 'pd-1',
        data,
      },
    });
    const body = json(await received('/pagerduty'));
    expect(body.routing_key).toBe('default-routing-key');
    expect(body.event_action).toBe('trigger');
    expect(body.dedup_key).toBe(
      createHash('sha256').update('alert.critical.db:db:primary').digest('hex'),
    );
    expect(body.payload).toMatchObject({
      summary: 'Disk full',
      severity: 'critical',
      source: 'monitoring',
      custom_details: data,
    });
  });

  it('marks a signal the filter rejects as filtered', async () => {
    await stack.request('POST', '/v1/signals', {
      body: {
        type: 'alert.critical.db',
        source: 'monitoring',
        id: 'pd-2',
        data: { service: 'db', severity: 'low' },
      },
    });
    const record = await waitFor(async () => {
      const response = await stack.request('GET', '/v1/signals/pd-2');
      return response.body?.state === 'filtered' ? response.body : undefined;
    });
    expect(record.deliveries).toEqual([]);
  });

  it('sends Slack deployment messages', async () => {
    await subscribe('slack-deploys', {
      pattern: 'deploy.*',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/slack`,
        transform: { name: 'slack.deployment' },
      },
    });
    const data = {
      environment: 'production',
      status: 'success',
      version: '1.4.2',
      duration: 125000,
      deployed_by: 'ana',
    };
    await stack.request('POST', '/v1/signals', {
      body: { type: 'deploy.finished', source: 'ci', id: 'sl-1', data },
    });
    const body = json(await received('/slack'));
    expect(body.channel).toBe('#production');
    expect(body.attachments[0].color).toBe('good');
    expect(JSON.stringify(body.attachments[0].fields)).toContain('2m 5s');
  });

  it('applies a JSONata transform and an idempotency key', async () => {
    await subscribe('jsonata', {
      pattern: 'order.paid',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/jsonata`,
        transform: { jsonata: '{"order": data.id, "cents": data.total * 100}' },
        idempotencyKey: '"order-" & data.id',
      },
    });
    await stack.request('POST', '/v1/signals', {
      body: {
        type: 'order.paid',
        source: 'shop',
        id: 'js-1',
        data: { id: 7, total: 1.5 },
      },
    });
    const request = await received('/jsonata');
    expect(json(request)).toEqual({ order: 7, cents: 150 });
    expect(request.headers['idempotency-key']).toBe('order-7');
  });

  it('dead-letters a transform that fails at run time', async () => {
    await subscribe('broken-transform', {
      pattern: 'broken.*',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/broken`,
        transform: { jsonata: '$error("no way")' },
      },
    });
    await stack.request('POST', '/v1/signals', {
      body: { type: 'broken.one', source: 's', id: 'tf-1' },
    });
    const entry = await waitFor(async () => {
      const response = await stack.request(
        'GET',
        '/v1/dead-letters?subscription=broken-transform',
      );
      return response.body?.data?.[0];
    });
    expect(entry.reason).toBe('transform_failed');
    expect(entry.message).toContain('no way');
    const signal = await stack.request('GET', '/v1/signals/tf-1');
    expect(signal.body.deliveries).toEqual([
      expect.objectContaining({
        state: 'dead_lettered',
        reason: 'transform_failed',
        message: expect.stringContaining('no way'),
      }),
    ]);
  });

  it('signs with the jido scheme so a Jido.Signal receiver verifies it', async () => {
    await subscribe('jido', {
      pattern: 'jido.*',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/jido`,
        signature: 'jido',
        secret: JIDO_SECRET,
      },
    });
    await stack.request('POST', '/v1/signals', {
      body: { type: 'jido.event', source: 's', id: 'ji-1', data: { ok: true } },
    });
    const request = await received('/jido');
    const timestamp = String(request.headers['x-webhook-timestamp']);
    const expected = createHmac('sha256', JIDO_SECRET)
      .update(`${timestamp}.`)
      .update(request.body)
      .digest('hex');
    const given = Buffer.from(
      String(request.headers['x-webhook-signature']),
      'hex',
    );
    expect(given.length).toBe(32);
    expect(timingSafeEqual(given, Buffer.from(expected, 'hex'))).toBe(true);
    expect(request.headers['x-webhook-event']).toBe('jido.event');
  });

  it.each(['cloudevents-structured', 'cloudevents-binary'])(
    'delivers %s that the CloudEvents SDK reads',
    async (format) => {
      await subscribe(`ce-${format}`, {
        pattern: `ce.${format}`,
        dispatch: {
          adapter: 'webhook',
          url: `${receiver.url}/${format}`,
          format,
        },
      });
      await stack.request('POST', '/v1/signals', {
        body: {
          type: `ce.${format}`,
          source: '/ce',
          id: `ce-${format}`,
          data: { n: 1 },
        },
      });
      const request = await received(`/${format}`);
      const event = HTTP.toEvent({
        headers: request.headers as Record<string, string>,
        body: request.body.toString(),
      });
      const single = Array.isArray(event) ? event[0] : event;
      expect(single?.id).toBe(`ce-${format}`);
      expect(single?.type).toBe(`ce.${format}`);
      expect(single?.data).toEqual({ n: 1 });
    },
  );
});
