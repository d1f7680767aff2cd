import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
const SECRET = `whsec_${SECRET_KEY}`;
const TARGET_TOKEN = 'target-token-123';

interface BoardJob {
  readonly id: string;
  readonly data: { readonly subscriptionId?: string };
  readonly failedReason?: string;
}

describe('jobs shown by the dashboard', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let deliveriesJson: string;
  let signalsJson: string;
  let deliveryJob: BoardJob;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    // A 503 on the first attempt gives the job a failure reason to show too.
    receiver.answer((index) =>
      index === 0 ? { status: 503, body: 'busy' } : { status: 200 },
    );
    await subscribeWithSecret(stack, receiver);

    const published = await stack.request('POST', '/v1/signals', {
      body: { type: 'invoice.paid', source: 'billing', id: 'inv-1' },
    });
    expect(published.status).toBe(202);
    await waitFor(
      async () => (receiver.requests.length >= 2 ? true : undefined),
      30_000,
      'the retried delivery',
    );

    const deliveries = await readQueue(stack, 'deliveries');
    deliveriesJson = deliveries.text;
    deliveryJob = deliveries.jobs[0] as BoardJob;
    signalsJson = (await readQueue(stack, 'signals')).text;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('delivers the target header and signature', () => {
    const delivered = receiver.requests[1];
    expect(delivered?.headers.authorization).toBe(`Bearer ${TARGET_TOKEN}`);
    expect(delivered?.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('lists the delivery job with its ids and failure', () => {
    expect(deliveryJob.data.subscriptionId).toBe('billing');
    expect(deliveryJob.failedReason).toContain('503');
  });

  it.each([
    ['the signing secret', SECRET],
    ['the key inside the secret', SECRET_KEY],
    ['the target token', TARGET_TOKEN],
  ])('never shows %s in the deliveries queue', (_name, value) => {
    expect(deliveriesJson).not.toContain(value);
  });

  it.each([
    ['the signing secret', SECRET],
    ['the target token', TARGET_TOKEN],
  ])('never shows %s in the signals queue', (_name, value) => {
    expect(signalsJson).toContain('inv-1');
    expect(signalsJson).not.toContain(value);
  });

  it('never shows a secret in the job detail view', async () => {
    const path = `/admin/queues/api/queues/deliveries/${deliveryJob.id}`;
    const response = await stack.request('GET', path);
    expect(response.status).toBe(200);
    const text = JSON.stringify(response.body);
    expect(text).toContain(deliveryJob.id);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(TARGET_TOKEN);
  });
});

async function subscribeWithSecret(
  stack: TestStack,
  receiver: Receiver,
): Promise<void> {
  const created = await stack.request('POST', '/v1/subscriptions', {
    body: {
      id: 'billing',
      pattern: 'invoice.*',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/hook`,
        secret: SECRET,
        headers: { authorization: `Bearer ${TARGET_TOKEN}` },
        retry: { baseDelayMs: 200, jitter: false },
      },
    },
  });
  expect(created.status).toBe(201);
}

/** Reads a queue through the board's API, with jobs of every state. */
async function readQueue(
  stack: TestStack,
  queueName: string,
): Promise<{ text: string; jobs: unknown[] }> {
  const path = `/admin/queues/api/queues?activeQueue=${queueName}&status=latest&jobsPerPage=50`;
  const response = await stack.request('GET', path);
  expect(response.status).toBe(200);
  const queue = (
    response.body.queues as { name: string; jobs: unknown[] }[]
  ).find((entry) => entry.name === queueName);
  expect(queue?.jobs.length).toBeGreaterThan(0);
  return { text: JSON.stringify(response.body), jobs: queue?.jobs ?? [] };
}
