import { Webhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('publishing a signal to a webhook subscription', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'orders',
        pattern: 'order.**',
        dispatch: {
          adapter: 'webhook',
          url: `${receiver.url}/hook`,
          secret: SECRET,
        },
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('delivers a signed body that the standardwebhooks package verifies', async () => {
    const published = await stack.request('POST', '/v1/signals', {
      body: {
        type: 'order.created',
        source: 'shop',
        id: 'o-1',
        data: { msg: 'café 🚀' },
      },
    });
    expect(published.status).toBe(202);
    expect(published.body).toEqual({ id: 'o-1', duplicate: false });

    const request = await waitFor(
      async () => receiver.requests[0],
      15_000,
      'the delivery',
    );
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        String(value),
      ]),
    );
    const verified = new Webhook(SECRET).verify(
      request.body.toString('utf8'),
      headers,
    ) as { data: unknown };
    expect(verified.data).toEqual({ msg: 'café 🚀' });
    expect(headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(headers['x-signalpost-delivery-id']).toMatch(/^dlv_/);
    expect(headers['user-agent']).toMatch(/^signalpost\//);

    const record = await waitFor(async () => {
      const response = await stack.request('GET', '/v1/signals/o-1');
      if (process.env.DEBUG_TEST) console.log(JSON.stringify(response.body));
      return response.body?.deliveries?.[0]?.state === 'delivered'
        ? response.body
        : undefined;
    });
    expect(record.state).toBe('routed');
    expect(record.deliveries[0].attempts).toHaveLength(1);
    expect(record.deliveries[0].attempts[0].statusCode).toBe(200);
  });
});
