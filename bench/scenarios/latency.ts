import { BASELINE_JOB_OPTIONS, withBaseline } from '../baseline-fleet';
import { makeSignal, makeSignalInput, webhookIdOf } from '../bench-signals';
import type { ScenarioContext } from '../scenario-context';
import type { LatencyResult, MemoryByProcess } from '../scenario-result';
import { sleep } from '../sleep';
import { summarizeLatencies } from '../stats';
import { withStack } from '../with-stack';
import { describeReply } from './load';

/** Times of one open-loop run, per signal, on `performance.now()`. */
interface ScheduledRun {
  readonly sentAtMs: readonly number[];
  readonly acceptedAtMs: readonly (number | undefined)[];
  readonly lateByMs: readonly number[];
  readonly firstError?: string;
}

/** Latencies of the signals that arrived, in send order. */
interface CollectedLatencies {
  readonly run: ScheduledRun;
  readonly latenciesMs: readonly number[];
  readonly acceptMs: readonly number[];
}

/**
 * Measures delivery latency at a fixed rate of single publishes. Each is
 * sent on schedule whether or not earlier ones got a response, so a slow
 * response cannot hide queueing delay. Latency runs from sending to arrival.
 */
export async function measureLatency(
  context: ScenarioContext,
): Promise<LatencyResult> {
  const { options } = context;
  const { count, measuredFrom } = scheduleSize(context);
  const inputs = Array.from({ length: count }, (_, index) =>
    makeSignalInput('latency', index, options.payloadBytes),
  );
  const ids = inputs.map(webhookIdOf);
  const { result, memory } = await withStack(
    context,
    'latency',
    { workers: options.workers, concurrency: options.concurrency },
    async ({ stack, deadlineMs }) => {
      context.progress.follow('latency', count, () => context.receiver.count);
      const run = await sendOnSchedule(context, count, async (index) => {
        const reply = await stack.api.publish(inputs[index]);
        if (reply.status !== 202) throw new Error(describeReply(reply));
      });
      await context.receiver.waitForIds(
        ids,
        deadlineMs,
        () => stack.failure() !== undefined,
      );
      return collectLatencies(context, ids, run, measuredFrom);
    },
  );
  return latencyResult(
    context,
    { name: 'latency', title: `latency at ${options.latencyRatePerSec}/s` },
    ids.slice(measuredFrom),
    result,
    memory,
  );
}

/**
 * Measures the baseline's latency on the same schedule: one `Queue.add` per
 * signal, timed from the call to arrival.
 */
export async function measureBaselineLatency(
  context: ScenarioContext,
): Promise<LatencyResult> {
  const { options } = context;
  const { count, measuredFrom } = scheduleSize(context);
  const signals = Array.from({ length: count }, (_, index) =>
    makeSignal('baseline-latency', index, options.payloadBytes),
  );
  const ids = signals.map((signal) => signal.id);
  const { result, memory } = await withBaseline(
    context,
    'baseline-latency',
    { workers: 1, concurrency: options.concurrency },
    async ({ queue, deadlineMs, failure }) => {
      context.progress.follow(
        'baseline latency',
        count,
        () => context.receiver.count,
      );
      const run = await sendOnSchedule(context, count, async (index) => {
        await queue.add('webhook', signals[index], BASELINE_JOB_OPTIONS);
      });
      await context.receiver.waitForIds(
        ids,
        deadlineMs,
        () => failure() !== undefined,
      );
      return collectLatencies(context, ids, run, measuredFrom);
    },
  );
  return latencyResult(
    context,
    {
      name: 'baseline-latency',
      title: `baseline latency at ${options.latencyRatePerSec}/s`,
    },
    ids.slice(measuredFrom),
    result,
    memory,
  );
}

// Sends signal i at start + i / rate. Sends are not awaited one by one, so
// the rate stays on schedule while responses are slow; all are awaited at
// the end.
async function sendOnSchedule(
  context: ScenarioContext,
  count: number,
  send: (index: number) => Promise<void>,
): Promise<ScheduledRun> {
  const intervalMs = 1000 / context.options.latencyRatePerSec;
  const sentAtMs: number[] = [];
  const acceptedAtMs: (number | undefined)[] = [];
  const lateByMs: number[] = [];
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  const startMs = performance.now();
  for (let index = 0; index < count; index += 1) {
    const dueMs = startMs + index * intervalMs;
    const waitMs = dueMs - performance.now();
    if (waitMs >= 1) await sleep(waitMs);
    const sentMs = performance.now();
    sentAtMs.push(sentMs);
    lateByMs.push(Math.max(0, sentMs - dueMs));
    pending.push(
      send(index).then(
        () => {
          acceptedAtMs[index] = performance.now();
        },
        (error: Error) => {
          firstError ??= error.message;
        },
      ),
    );
  }
  await Promise.all(pending);
  return {
    sentAtMs,
    acceptedAtMs,
    lateByMs,
    ...(firstError ? { firstError } : {}),
  };
}

/**
 * Signals sent in one latency run, and the index of the first measured one:
 * the warm-up's signals go first, at the same rate, and are not measured.
 */
function scheduleSize(context: ScenarioContext): {
  count: number;
  measuredFrom: number;
} {
  const { latencyRatePerSec, latencyWarmUpSec, latencyDurationSec } =
    context.options;
  const measuredFrom = latencyRatePerSec * latencyWarmUpSec;
  return {
    count: measuredFrom + latencyRatePerSec * latencyDurationSec,
    measuredFrom,
  };
}

// Reads the receiver's arrivals, which the step's clean-up resets. Signals
// before `measuredFrom` belong to the warm-up and are skipped.
function collectLatencies(
  context: ScenarioContext,
  ids: readonly string[],
  run: ScheduledRun,
  measuredFrom: number,
): CollectedLatencies {
  const latenciesMs: number[] = [];
  const acceptMs: number[] = [];
  ids.forEach((id, index) => {
    if (index < measuredFrom) return;
    const sentMs = run.sentAtMs[index] as number;
    const arrivedMs = context.receiver.arrivalById.get(id);
    if (arrivedMs !== undefined) latenciesMs.push(arrivedMs - sentMs);
    const acceptedMs = run.acceptedAtMs[index];
    if (acceptedMs !== undefined) acceptMs.push(acceptedMs - sentMs);
  });
  const lateByMs = run.lateByMs.slice(measuredFrom);
  return { run: { ...run, lateByMs }, latenciesMs, acceptMs };
}

function latencyResult(
  context: ScenarioContext,
  names: { name: string; title: string },
  ids: readonly string[],
  collected: CollectedLatencies,
  memory: MemoryByProcess,
): LatencyResult {
  const { run, latenciesMs } = collected;
  const latency = summarizeLatencies(latenciesMs);
  const acceptLatency = summarizeLatencies(collected.acceptMs);
  const scheduleLag = summarizeLatencies(run.lateByMs);
  const notes = [
    run.firstError ? `a send failed: ${run.firstError}` : undefined,
    latenciesMs.length < ids.length
      ? `${ids.length - latenciesMs.length} of ${ids.length} never arrived before the deadline`
      : undefined,
  ].filter((note): note is string => note !== undefined);
  return {
    kind: 'latency',
    ...names,
    ratePerSec: context.options.latencyRatePerSec,
    expected: ids.length,
    completed: latenciesMs.length,
    complete: latenciesMs.length === ids.length && !run.firstError,
    ...(latency ? { latency } : {}),
    ...(acceptLatency ? { acceptLatency } : {}),
    ...(scheduleLag ? { scheduleLag } : {}),
    latenciesMs,
    notes,
    memory,
  };
}
