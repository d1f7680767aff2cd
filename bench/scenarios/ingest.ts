import { makeSignalInput } from '../bench-signals';
import { runBounded } from '../run-bounded';
import type { ScenarioContext } from '../scenario-context';
import type { ThroughputResult } from '../scenario-result';
import { withStack } from '../with-stack';
import {
  LOAD_SHAPE,
  describeFailures,
  describeReply,
  publishInBatches,
  throughputResult,
} from './load';

/**
 * Measures the ingest rate of single publishes: a fifth of `--signals`
 * signals, at most {@link LOAD_SHAPE.singleConcurrency} requests in flight,
 * counted by 202 responses.
 */
export async function runIngestSingle(
  context: ScenarioContext,
  round: number,
): Promise<ThroughputResult> {
  const { options } = context;
  const count = Math.max(1, Math.floor(options.signals / 5));
  const inputs = Array.from({ length: count }, (_, index) =>
    makeSignalInput('single', index, options.payloadBytes),
  );
  let accepted = 0;
  const settings = {
    workers: options.workers,
    concurrency: options.concurrency,
    round,
  };
  const { result, memory } = await withStack(
    context,
    `ingest-single-${round}`,
    settings,
    async ({ stack, deadlineMs }) => {
      context.progress.follow('ingest, single', count, () => accepted);
      const startedMs = performance.now();
      const run = await runBounded(
        count,
        LOAD_SHAPE.singleConcurrency,
        deadlineMs,
        async (index) => {
          const reply = await stack.api.publish(inputs[index]);
          if (reply.status === 202) accepted += 1;
          return reply.status === 202 || describeReply(reply);
        },
      );
      return { run, elapsedMs: performance.now() - startedMs };
    },
  );
  const failures = describeFailures(result.run, 'publishes');
  return throughputResult(
    {
      name: 'ingest-single',
      title: 'ingest, single publishes',
      unit: 'signals/s',
      expected: count,
      ...settings,
    },
    {
      completed: result.run.succeeded,
      elapsedMs: result.elapsedMs,
      complete: failures === undefined,
      ...(failures ? { note: failures } : {}),
    },
    memory,
  );
}

/**
 * Measures the ingest rate of batch publishes: `--signals` signals in
 * batches of {@link LOAD_SHAPE.batchSize}, counted by signals accepted.
 */
export async function runIngestBatch(
  context: ScenarioContext,
  round: number,
): Promise<ThroughputResult> {
  const { options } = context;
  const inputs = Array.from({ length: options.signals }, (_, index) =>
    makeSignalInput('batch', index, options.payloadBytes),
  );
  const settings = {
    workers: options.workers,
    concurrency: options.concurrency,
    round,
  };
  const { result, memory } = await withStack(
    context,
    `ingest-batch-${round}`,
    settings,
    async ({ stack, deadlineMs }) => {
      const startedMs = performance.now();
      const run = await publishInBatches(stack, inputs, deadlineMs);
      return { run, elapsedMs: performance.now() - startedMs };
    },
  );
  const failures = describeFailures(result.run, 'signals');
  return throughputResult(
    {
      name: 'ingest-batch',
      title: 'ingest, batch publishes',
      unit: 'signals/s',
      expected: inputs.length,
      ...settings,
    },
    {
      completed: result.run.succeeded,
      elapsedMs: result.elapsedMs,
      complete: failures === undefined,
      ...(failures ? { note: failures } : {}),
    },
    memory,
  );
}
