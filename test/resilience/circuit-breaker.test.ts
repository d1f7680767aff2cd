import {
  startAppProcess,
  stackEnvironment,
  waitForOutput,
  type AppProcess,
} from '../support/app-process';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const RECOVERY_MS = 3000;

describe('when a target keeps failing behind a circuit breaker', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let workers: AppProcess[];

  beforeAll(async () => {
    stack = await startTestStack({}, 0);
    receiver = await startReceiver();
    workers = [0, 1].map(() =>
      startAppProcess(
        'worker',
        stackEnvironment(stack.config, { LOG_LEVEL: 'info' }),
      ),
    );
    await Promise.all(
      workers.map((worker) => waitForOutput(worker, 'worker started')),
    );
  });

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await stack.close();
    await receiver.close();
  });

  it('sends nothing while open, then delivers everything after recovery', async () => {
    let failures = 0;
    let thirdFailureAt = 0;
    receiver.answer(() => {
      if (failures < 3) {
        failures += 1;
        if (failures === 3) thirdFailureAt = Date.now();
        return { status: 503 };
      }
      return { status: 200 };
    });
    await stack.request('PUT', '/v1/subscriptions/breaker', {
      body: {
        pattern: 'breaker.*',
        dispatch: {
          adapter: 'webhook',
          url: `${receiver.url}/breaker`,
          maxInFlight: 1,
          retry: { baseDelayMs: 200, maxDelayMs: 500, jitter: false },
          circuitBreaker: {
            failureThreshold: 3,
            errorThresholdPercentage: 50,
            failureWindowMs: 30_000,
            recoveryTimeoutMs: RECOVERY_MS,
            halfOpenMaxCalls: 1,
          },
        },
      },
    });
    const ids = ['cb-1', 'cb-2', 'cb-3', 'cb-4', 'cb-5'];
    const items = ids.map((id) => ({ type: 'breaker.event', source: 'b', id }));
    await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(items),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });

    await waitFor(
      async () => (thirdFailureAt > 0 ? true : undefined),
      20_000,
      'three failures',
    );
    const delivered = await waitFor(
      async () => {
        const records = await Promise.all(
          ids.map((id) => stack.request('GET', `/v1/signals/${id}`)),
        );
        const states = records.map(
          (record) => record.body?.deliveries?.[0]?.state,
        );
        return states.every((state) => state === 'delivered')
          ? records
          : undefined;
      },
      45_000,
      'all five deliveries',
    );
    expect(delivered).toHaveLength(5);

    const whileOpen = receiver.requests.filter(
      (request) =>
        request.at > thirdFailureAt + 50 &&
        request.at < thirdFailureAt + RECOVERY_MS - 100,
    );
    expect(whileOpen).toHaveLength(0);
    const afterRecovery = receiver.requests.filter(
      (request) => request.at > thirdFailureAt + 50,
    );
    expect(afterRecovery.length).toBeGreaterThanOrEqual(5);

    const states = await stack.api.context.redis.hget(
      stack.api.context.keys.breaker(new URL(receiver.url).origin),
      'state',
    );
    expect(states).toBe('closed');
    const metrics = await stack.request('GET', '/metrics', { key: null });
    expect(metrics.body).toContain(
      'signalpost_circuit_state{origin="http://127.0.0.1',
    );
  });
});
