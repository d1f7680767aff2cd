import { startWorker } from '../../apps/worker/src/start-worker';
import pino from 'pino';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('when the delivery backlog passes its bound', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ SIGNALPOST_MAX_QUEUE_DEPTH: '5' }, 0);
    await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'backlog',
        pattern: 'backlog.*',
        dispatch: { adapter: 'noop' },
      },
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('answers 503 overloaded with Retry-After, and recovers once drained', async () => {
    const items = Array.from({ length: 10 }, (_, index) => ({
      type: 'backlog.item',
      source: 'b',
      id: `b-${index}`,
    }));
    const headers = { 'content-type': 'application/cloudevents-batch+json' };
    const accepted = await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(items),
      headers,
    });
    expect(accepted.status).toBe(202);
    await waitFor(async () =>
      (await stack.api.context.deliveriesQueue.getWaitingCount()) >= 10
        ? true
        : undefined,
    );

    const refused = await waitFor(
      async () => {
        const response = await stack.request('POST', '/v1/signals', {
          body: { type: 'backlog.item', source: 'b' },
        });
        return response.status === 503 ? response : undefined;
      },
      10_000,
      'an overloaded answer',
    );
    expect(refused.body.error.code).toBe('overloaded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(
      1,
    );

    const worker = await startWorker(stack.config, {
      logger: pino({ level: 'silent' }),
      healthServer: false,
    });
    try {
      const recovered = await waitFor(
        async () => {
          const response = await stack.request('POST', '/v1/signals', {
            body: { type: 'backlog.item', source: 'b' },
          });
          return response.status === 202 ? response : undefined;
        },
        20_000,
        'ingest to recover',
      );
      expect(recovered.body.duplicate).toBe(false);
    } finally {
      await worker.close();
    }
  });
});
