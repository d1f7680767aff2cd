import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const run = promisify(execFile);
const PRODUCER = path.resolve(__dirname, '../fixtures/bullmq-producer.ts');

describe('signals enqueued straight into BullMQ by another process', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    await stack.request('PUT', '/v1/subscriptions/direct', {
      body: {
        pattern: 'direct.**',
        dispatch: { adapter: 'webhook', url: receiver.url },
      },
    });
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const produce = async (jobId: string, data: unknown): Promise<void> => {
    const args = [
      '--import',
      'tsx',
      PRODUCER,
      stack.config.redisUrl,
      stack.config.prefix,
      jobId,
      JSON.stringify(data),
    ];
    await run(process.execPath, args, {
      cwd: path.resolve(__dirname, '../..'),
    });
  };

  it('routes and delivers a valid job', async () => {
    await produce('direct-1', {
      type: 'direct.created',
      source: 'python-service',
      id: 'py-1',
      data: { n: 1 },
    });
    const request = await waitFor(
      async () => receiver.requests[0],
      20_000,
      'the delivery',
    );
    expect(JSON.parse(request.body.toString())).toMatchObject({
      id: 'py-1',
      type: 'direct.created',
      data: { n: 1 },
    });
    const record = await stack.request('GET', '/v1/signals/py-1');
    expect(record.body.state).toBe('routed');
  });

  it('dead-letters an invalid job as invalid_job', async () => {
    await produce('direct-2', {
      type: 'bad..type',
      source: 'python-service',
      id: 'py-2',
    });
    const entry = await waitFor(
      async () => {
        const response = await stack.request('GET', '/v1/dead-letters');
        return response.body?.data?.find(
          (item: { reason: string }) => item.reason === 'invalid_job',
        );
      },
      20_000,
      'the dead letter',
    );
    expect(entry.kind).toBe('signal');
    expect(entry.signalId).toBe('py-2');
    expect(entry.message).toContain('type');
  });

  it('drops a second job with a (source, id) seen before', async () => {
    await produce('direct-3', {
      type: 'direct.created',
      source: 'python-service',
      id: 'py-1',
    });
    const counted = await waitFor(
      async () => {
        const counts =
          await stack.api.context.signalsQueue.getJobCounts('completed');
        return (counts.completed ?? 0) >= 3 ? counts : undefined;
      },
      20_000,
      'the job to be handled',
    );
    expect(counted.completed).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(1);
  });
});
