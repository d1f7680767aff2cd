import { startReceiver, type Receiver } from '../../../test/support/receiver';
import {
  startTestStack,
  waitFor,
  type TestStack,
} from '../../../test/support/stack';
import { startMonitor, type RunningMonitor } from '../src/start-monitor';
import {
  monitorConfig,
  startService,
  testLogger,
  type FakeService,
} from './monitor-fixtures';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

describe('a monitor beside the API, router and workers', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let web: FakeService;
  let database: FakeService;
  let monitor: RunningMonitor;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    web = await startService({ status: 200 });
    database = await startService({ status: 503 });
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'health',
        pattern: 'health.service.**',
        dispatch: {
          adapter: 'webhook',
          url: `${receiver.url}/health-events`,
          secret: SECRET,
        },
      },
    });
    expect(created.status).toBe(201);
    const config = monitorConfig(stack.config.prefix, {
      intervalMs: 60_000,
      services: [
        { name: 'web', url: web.url },
        { name: 'database', url: database.url },
      ],
    });
    monitor = await startMonitor(config, {
      logger: testLogger,
      healthServer: false,
    });
  });

  afterAll(async () => {
    await monitor.close();
    await stack.close();
    await receiver.close();
    await web.close();
    await database.close();
  });

  it('delivers health signals to a health.service.** subscription', async () => {
    await waitFor(
      async () => (receiver.requests.length >= 2 ? true : undefined),
      15_000,
      'both health deliveries',
    );
    const bodies = receiver.requests.map(
      (request) => JSON.parse(request.body.toString('utf8')) as Delivered,
    );
    const byService = new Map(bodies.map((body) => [body.data.service, body]));

    expect(receiver.requests[0]?.url).toBe('/health-events');
    expect(byService.get('web')).toMatchObject({
      type: 'health.service.healthy',
      source: 'signalpost/monitor',
      id: expect.stringMatching(/^web:\d+$/),
      data: { service: 'web', url: web.url },
    });
    expect(byService.get('database')).toMatchObject({
      type: 'health.service.degraded',
      source: 'signalpost/monitor',
      id: expect.stringMatching(/^database:\d+$/),
      data: { service: 'database', url: database.url, statusCode: 503 },
    });
  });

  it('records the signal as routed', async () => {
    const delivered = JSON.parse(
      receiver.requests[0]?.body.toString('utf8') ?? '{}',
    ) as Delivered;
    const record = await waitFor(async () => {
      const response = await stack.request(
        'GET',
        `/v1/signals/${encodeURIComponent(delivered.id)}`,
      );
      return response.status === 200 ? response.body : undefined;
    });
    expect(record.state).toBe('routed');
  });
});

interface Delivered {
  readonly id: string;
  readonly type: string;
  readonly data: { readonly service: string };
}
