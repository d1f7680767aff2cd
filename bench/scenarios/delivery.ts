import { Queue } from 'bullmq';
import {
  DELIVERIES_QUEUE,
  deliveryId,
  redisKeys,
  signalJobId,
  type DeliveryJobData,
} from '@signalpost/queues';
import { identityHash, webhookId } from '@signalpost/signal';
import { DeliveryStore, createDeliveries } from '@signalpost/store';
import { addBaselineJobs, withBaseline } from '../baseline-fleet';
import { makeSignal, makeSignalInput } from '../bench-signals';
import { runBounded, type BoundedRun } from '../run-bounded';
import type { ScenarioContext } from '../scenario-context';
import type { ThroughputResult } from '../scenario-result';
import { BENCH_SUBSCRIPTION_ID } from '../warm-up';
import { withStack } from '../with-stack';
import {
  LOAD_SHAPE,
  countArrivals,
  describeFailures,
  publishInBatches,
  throughputResult,
  type ArrivalCount,
} from './load';

/** Target id of the benchmark subscription's only target. */
const BENCH_TARGET_ID = `${BENCH_SUBSCRIPTION_ID}#0`;

/**
 * Delivery records outlive the run by far; Redis is emptied after each step.
 */
const RECORD_RETENTION_MS = 24 * 3_600_000;

/** One measured delivery run. */
export interface DeliveryStep {
  /** Names the key prefix and the profile folder. */
  readonly step: string;
  readonly signals: number;
  readonly workers: number;
  readonly concurrency: number;
  /** Round of the interleaved scenarios, from 1. */
  readonly round: number;
}

/**
 * Measures the end-to-end delivery rate: publishes signals in batches
 * through the API and times the first publish to the last delivery at the
 * receiver.
 */
export async function measureEndToEnd(
  context: ScenarioContext,
  step: DeliveryStep,
): Promise<ThroughputResult> {
  const inputs = Array.from({ length: step.signals }, (_, index) =>
    makeSignalInput('e2e', index, context.options.payloadBytes),
  );
  let ingestNote: string | undefined;
  const { result, memory } = await withStack(
    context,
    step.step,
    step,
    async ({ stack, deadlineMs }) => {
      let publishFailure: string | undefined;
      const startedMs = performance.now();
      const publishing = publishInBatches(stack, inputs, deadlineMs).then(
        (run) => {
          const ingestMs = Math.round(performance.now() - startedMs);
          publishFailure = describeFailures(run, 'signals');
          ingestNote = publishFailure
            ? undefined
            : `all ${step.signals} signals accepted after ${ingestMs} ms`;
          return run;
        },
      );
      const counted = await countArrivals(
        context,
        step.step,
        step.signals,
        startedMs,
        deadlineMs,
        () => stack.failure() ?? publishFailure,
      );
      await publishing;
      return counted;
    },
  );
  return throughputResult(
    fields('end-to-end', 'end-to-end delivery', step),
    result,
    memory,
    [ingestNote],
  );
}

/**
 * Measures the worker alone: creates delivery records and jobs directly, as
 * the router does, and times the first enqueue to the last delivery.
 */
export async function measureWorkerOnly(
  context: ScenarioContext,
  step: DeliveryStep,
): Promise<ThroughputResult> {
  const { result, memory } = await withStack(
    context,
    step.step,
    step,
    async ({ stack, prefix, deadlineMs }) => {
      const store = new DeliveryStore(context.redisClient, redisKeys(prefix), {
        retentionMs: RECORD_RETENTION_MS,
      });
      const queue = new Queue(DELIVERIES_QUEUE, {
        connection: context.redisClient,
        prefix,
      });
      const jobs = deliveryJobs(step.signals, context.options.payloadBytes);
      try {
        return await enqueueAndCount(
          context,
          step,
          deadlineMs,
          stack.failure,
          (chunk) =>
            createDeliveries(store, queue, jobs.slice(chunk.start, chunk.end)),
        );
      } finally {
        await queue.close();
      }
    },
  );
  return throughputResult(
    fields('worker-only', 'worker-only delivery', step),
    result,
    memory,
  );
}

/**
 * Measures the baseline: the same receiver, jobs and concurrency, served by
 * the bare BullMQ worker of `bench/baseline-worker.ts` in its own process.
 */
export async function measureBaseline(
  context: ScenarioContext,
  step: DeliveryStep,
): Promise<ThroughputResult> {
  const signals = Array.from({ length: step.signals }, (_, index) =>
    makeSignal('baseline', index, context.options.payloadBytes),
  );
  const { result, memory } = await withBaseline(
    context,
    step.step,
    step,
    ({ queue, deadlineMs, failure }) =>
      enqueueAndCount(context, step, deadlineMs, failure, (chunk) =>
        addBaselineJobs(queue, signals.slice(chunk.start, chunk.end)),
      ),
  );
  return throughputResult(
    fields('baseline', 'baseline: BullMQ worker + undici', step),
    result,
    memory,
  );
}

interface Chunk {
  readonly start: number;
  readonly end: number;
}

// Enqueues in chunks while counting arrivals, from the first enqueue on.
async function enqueueAndCount(
  context: ScenarioContext,
  step: DeliveryStep,
  deadlineMs: number,
  failure: () => string | undefined,
  enqueue: (chunk: Chunk) => Promise<unknown>,
): Promise<ArrivalCount> {
  const size = LOAD_SHAPE.enqueueChunkSize;
  let enqueueFailure: string | undefined;
  const startedMs = performance.now();
  const enqueuing = runBounded(
    Math.ceil(step.signals / size),
    LOAD_SHAPE.enqueueConcurrency,
    deadlineMs,
    async (index) => {
      const start = index * size;
      await enqueue({ start, end: Math.min(step.signals, start + size) });
      return true;
    },
  ).then((run: BoundedRun) => {
    enqueueFailure = describeFailures(run, 'enqueue calls');
  });
  const counted = await countArrivals(
    context,
    step.step,
    step.signals,
    startedMs,
    deadlineMs,
    () => failure() ?? enqueueFailure,
  );
  await enqueuing;
  return counted;
}

function deliveryJobs(count: number, payloadBytes: number): DeliveryJobData[] {
  const nowMs = Date.now();
  return Array.from({ length: count }, (_, index) => {
    const signal = makeSignal('worker', index, payloadBytes);
    const identity = identityHash(signal.source, signal.id);
    return {
      deliveryId: deliveryId(
        signalJobId(identity, nowMs),
        BENCH_SUBSCRIPTION_ID,
        BENCH_TARGET_ID,
      ),
      signal,
      signalIdentity: identity,
      subscriptionId: BENCH_SUBSCRIPTION_ID,
      targetId: BENCH_TARGET_ID,
      webhookId: webhookId(signal.source, signal.id),
      createdAtMs: nowMs,
      acceptedAtMs: nowMs,
    };
  });
}

function fields(name: string, title: string, step: DeliveryStep) {
  return {
    name,
    title,
    unit: 'deliveries/s' as const,
    expected: step.signals,
    workers: step.workers,
    concurrency: step.concurrency,
    round: step.round,
  };
}
