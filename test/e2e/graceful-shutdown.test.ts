import pino from 'pino';
import { startWorker } from '../../apps/worker/src/start-worker';
import {
  startAppProcess,
  stackEnvironment,
  waitForOutput,
} from '../support/app-process';
import { findClosedPort } from '../support/closed-port';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when a worker gets SIGTERM during a delivery', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({}, 0);
    receiver = await startReceiver();
    receiver.answer(() => ({ status: 200, delayMs: 3000 }));
    await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'slow',
        pattern: 'slow.*',
        dispatch: { adapter: 'webhook', url: receiver.url },
      },
    });
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const deliveryOf = async (
    id: string,
  ): Promise<{ state: string; attempts: unknown[] }> =>
    waitFor(
      async () => {
        const response = await stack.request('GET', `/v1/signals/${id}`);
        const delivery = response.body?.deliveries?.[0];
        return delivery?.state === 'delivered' ? delivery : undefined;
      },
      30_000,
      `${id} to be delivered`,
    );

  it('finishes the delivery within the grace period and exits 0', async () => {
    const worker = startAppProcess(
      'worker',
      stackEnvironment(stack.config, { SHUTDOWN_GRACE_MS: '10000' }),
    );
    await waitForOutput(worker, 'worker started');
    await stack.request('POST', '/v1/signals', {
      body: { type: 'slow.event', source: 's', id: 'g-1' },
    });
    await waitFor(
      async () => (receiver.requests.length > 0 ? true : undefined),
      15_000,
      'the request to arrive',
    );

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const delivery = await deliveryOf('g-1');
    expect(delivery.attempts).toHaveLength(1);
  });

  it('hands the job back without an attempt when the grace is shorter', async () => {
    receiver.requests.length = 0;
    const worker = startAppProcess(
      'worker',
      stackEnvironment(stack.config, { SHUTDOWN_GRACE_MS: '500' }),
    );
    await waitForOutput(worker, 'worker started');
    await stack.request('POST', '/v1/signals', {
      body: { type: 'slow.event', source: 's', id: 'g-2' },
    });
    await waitFor(
      async () => (receiver.requests.length > 0 ? true : undefined),
      15_000,
      'the request to arrive',
    );

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const handedBack = await stack.request('GET', '/v1/signals/g-2');
    expect(handedBack.body.deliveries[0].attempts).toHaveLength(0);

    const successor = await startWorker(stack.config, {
      logger: pino({ level: 'silent' }),
      healthServer: false,
    });
    try {
      const delivery = await deliveryOf('g-2');
      expect(delivery.attempts).toHaveLength(1);
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await successor.close();
    }
  });
});

describe('when a worker gets SIGTERM while Redis is unreachable', () => {
  it('exits 1 soon after the grace period', async () => {
    const port = await findClosedPort();
    const worker = startAppProcess('worker', {
      PATH: process.env.PATH ?? '',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '1000',
    });
    await waitForOutput(worker, 'worker started');
    const signalledAt = Date.now();

    worker.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      worker.exited,
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still running'), 30_000);
      }),
    ]);
    clearTimeout(timer);
    if (code === 'still running') worker.child.kill('SIGKILL');

    expect(code).toBe(1);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1000);
    expect(worker.output.join('')).toContain('shutdown did not finish');
  });
});
