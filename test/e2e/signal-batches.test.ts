import type { Job } from 'bullmq';
import {
  SIGNAL_BATCH_JOB_NAME,
  deliveryId,
  type SignalBatchJobData,
} from '@signalpost/queues';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const BATCH_TYPE = 'application/cloudevents-batch+json';
const TARGET_ID = 'batches#0';

describe('signals published in one batch request', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    await stack.request('PUT', '/v1/subscriptions/batches', {
      body: {
        pattern: 'batch.**',
        dispatch: { adapter: 'webhook', url: receiver.url },
      },
    });
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const publishBatch = async (signals: unknown[]): Promise<void> => {
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(signals),
      headers: { 'content-type': BATCH_TYPE },
    });
    expect(response.status).toBe(202);
  };

  const completedJob = (predicate: (job: Job) => boolean): Promise<Job> =>
    waitFor(
      async () => {
        const jobs = await stack.api.context.signalsQueue.getJobs([
          'completed',
        ]);
        return jobs.find(predicate);
      },
      20_000,
      'a completed signals job',
    );

  const requestsOfType = (type: string) =>
    receiver.requests.filter(
      (request) => JSON.parse(request.body.toString()).type === type,
    );

  const deadLetterOf = (signalId: string | null) =>
    waitFor(
      async () => {
        const response = await stack.request('GET', '/v1/dead-letters');
        return response.body?.data?.find(
          (entry: { reason: string; signalId: string | null }) =>
            entry.reason === 'invalid_job' && entry.signalId === signalId,
        );
      },
      20_000,
      'the dead letter',
    );

  it('routes the signals of one request as one job', async () => {
    await publishBatch(
      ['b-1', 'b-2', 'b-3'].map((id) => ({
        type: 'batch.one',
        source: 'shop',
        id,
      })),
    );
    const job = await completedJob(
      (candidate) =>
        candidate.name === SIGNAL_BATCH_JOB_NAME &&
        candidate.data.signals[0]?.signal.id === 'b-1',
    );
    const data = job.data as SignalBatchJobData;

    expect(data.signals.map((item) => item.signal.id)).toEqual([
      'b-1',
      'b-2',
      'b-3',
    ]);
    expect(job.returnvalue).toEqual({ matched: 3 });
    await waitFor(
      async () => (requestsOfType('batch.one').length === 3 ? true : undefined),
      20_000,
      'three deliveries',
    );
    const deliveryIds = requestsOfType('batch.one')
      .map((request) => request.headers['x-signalpost-delivery-id'])
      .sort();
    const derived = data.signals
      .map((item) => deliveryId(item.jobId, 'batches', TARGET_ID))
      .sort();
    expect(deliveryIds).toEqual(derived);
  });

  it('creates nothing new when a batch job runs twice', async () => {
    await publishBatch(
      ['r-1', 'r-2'].map((id) => ({ type: 'batch.rerun', source: 'shop', id })),
    );
    const first = await completedJob(
      (candidate) => candidate.data.signals?.[0]?.signal.id === 'r-1',
    );
    await waitFor(
      async () =>
        requestsOfType('batch.rerun').length === 2 ? true : undefined,
      20_000,
      'two deliveries',
    );
    const createdBefore = (await stack.api.context.deliveries.ledger()).created;

    await stack.api.context.signalsQueue.add(
      SIGNAL_BATCH_JOB_NAME,
      first.data,
      { jobId: 'rerun-of-batch' },
    );
    const rerun = await completedJob(
      (candidate) => candidate.id === 'rerun-of-batch',
    );

    expect(rerun.returnvalue).toEqual({ already_routed: 2 });
    const ledger = await stack.api.context.deliveries.ledger();
    expect(ledger.created).toBe(createdBefore);
    expect(requestsOfType('batch.rerun')).toHaveLength(2);
  });

  it('delivers the first of two signals with one (source, id)', async () => {
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify([
        { type: 'batch.twice', source: 'shop', id: 't-1', data: { n: 1 } },
        { type: 'batch.twice', source: 'shop', id: 't-1', data: { n: 2 } },
        { type: 'batch.twice', source: 'shop', id: 't-2', data: { n: 3 } },
      ]),
      headers: { 'content-type': BATCH_TYPE },
    });
    expect(response.body.duplicates).toEqual(['t-1']);
    const job = await completedJob(
      (candidate) => candidate.data.signals?.[0]?.signal.id === 't-1',
    );
    expect(job.data.signals).toHaveLength(2);
    await waitFor(
      async () =>
        requestsOfType('batch.twice').length === 2 ? true : undefined,
      20_000,
      'two deliveries',
    );
    const bodies = requestsOfType('batch.twice').map((request) =>
      JSON.parse(request.body.toString()),
    );
    const first = bodies.find((body) => body.id === 't-1');
    expect(first.data).toEqual({ n: 1 });
  });

  it('dead-letters a batch job whose data is not a batch', async () => {
    await stack.api.context.signalsQueue.add(
      SIGNAL_BATCH_JOB_NAME,
      { signals: 'not a list' },
      { jobId: 'bad-batch' },
    );
    const entry = await deadLetterOf(null);

    expect(entry.kind).toBe('signal');
    expect(entry.message).toContain('bad-batch');
    expect(entry.message).toContain('signals: expected a non-empty array');
  });

  it('dead-letters an invalid signal of a batch and routes the rest', async () => {
    await stack.api.context.signalsQueue.add(
      SIGNAL_BATCH_JOB_NAME,
      {
        signals: [
          {
            jobId: 'mixed-good',
            signal: { type: 'batch.mixed', source: 'shop', id: 'm-1' },
          },
          {
            jobId: 'mixed-bad',
            signal: { type: 'batch..mixed', source: 'shop', id: 'm-2' },
          },
        ],
      },
      { jobId: 'mixed-batch' },
    );
    const job = await completedJob(
      (candidate) => candidate.id === 'mixed-batch',
    );
    const entry = await deadLetterOf('m-2');

    expect(job.returnvalue).toEqual({ matched: 1, invalid: 1 });
    expect(entry.message).toContain('mixed-bad');
    await waitFor(
      async () =>
        requestsOfType('batch.mixed').length === 1 ? true : undefined,
      20_000,
      'the valid signal delivered',
    );
  });
});
