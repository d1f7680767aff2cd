import type { SignalInput } from '../bench-signals';
import { runBounded, type BoundedRun } from '../run-bounded';
import type { ScenarioContext } from '../scenario-context';
import type { MemoryByProcess, ThroughputResult } from '../scenario-result';
import type { SignalpostStack } from '../signalpost-stack';
import { ratePerSec } from '../stats';

/** Shape of the benchmark's load. */
export const LOAD_SHAPE = Object.freeze({
  /** Single publishes in flight at once. */
  singleConcurrency: 32,
  /** Signals per batch publish. */
  batchSize: 100,
  /** Batch publishes in flight at once. */
  batchConcurrency: 8,
  /** Delivery jobs per enqueue call when the API is bypassed. */
  enqueueChunkSize: 100,
  /** Enqueue calls in flight at once when the API is bypassed. */
  enqueueConcurrency: 4,
});

/** Deliveries counted at the receiver. */
export interface ArrivalCount {
  readonly completed: number;
  /** From `startedMs` to the last counted arrival, or to the deadline. */
  readonly elapsedMs: number;
  readonly complete: boolean;
  /**
   * Time from the middle arrival to the last, when all arrived. By then
   * the load generator has mostly finished.
   */
  readonly laterHalfMs?: number;
  readonly note?: string;
}

/**
 * Publishes `inputs` in batches of {@link LOAD_SHAPE.batchSize}, with
 * {@link LOAD_SHAPE.batchConcurrency} requests in flight. Counts signals.
 */
export async function publishInBatches(
  stack: SignalpostStack,
  inputs: readonly SignalInput[],
  deadlineMs: number,
): Promise<BoundedRun> {
  const size = LOAD_SHAPE.batchSize;
  let succeeded = 0;
  let failed = 0;
  const run = await runBounded(
    Math.ceil(inputs.length / size),
    LOAD_SHAPE.batchConcurrency,
    deadlineMs,
    async (index) => {
      const batch = inputs.slice(index * size, (index + 1) * size);
      const reply = await stack.api.publishBatch(batch).catch((error) => ({
        status: 0,
        body: (error as Error).message,
      }));
      if (reply.status === 202) succeeded += batch.length;
      else failed += batch.length;
      return reply.status === 202 || describeReply(reply);
    },
  );
  const skipped = inputs.length - succeeded - failed;
  return {
    succeeded,
    failed,
    skipped,
    ...(run.firstError ? { firstError: run.firstError } : {}),
  };
}

/**
 * Waits until `expected` requests reached the receiver, the deadline
 * passed, or `failure` reports a dead process, showing progress meanwhile.
 */
export async function countArrivals(
  context: ScenarioContext,
  label: string,
  expected: number,
  startedMs: number,
  deadlineMs: number,
  failure: () => string | undefined,
): Promise<ArrivalCount> {
  const { receiver } = context;
  context.progress.follow(label, expected, () => receiver.count);
  const outcome = await receiver.waitForCount(
    expected,
    deadlineMs,
    () => failure() !== undefined,
  );
  context.progress.stop();
  const completed = Math.min(receiver.count, expected);
  if (outcome === 'reached') {
    const lastMs = receiver.arrivalsMs[expected - 1] ?? performance.now();
    const middleMs = receiver.arrivalsMs[middleArrival(expected)] ?? lastMs;
    return {
      completed,
      elapsedMs: lastMs - startedMs,
      complete: true,
      laterHalfMs: lastMs - middleMs,
    };
  }
  const note =
    failure() ?? `deadline passed after ${completed} of ${expected} arrived`;
  return {
    completed,
    elapsedMs: performance.now() - startedMs,
    complete: false,
    note,
  };
}

/** Fields of a {@link ThroughputResult} that the scenario names. */
export interface ThroughputFields {
  readonly name: string;
  readonly title: string;
  readonly unit: ThroughputResult['unit'];
  readonly expected: number;
  readonly workers: number;
  readonly concurrency: number;
  readonly round: number;
}

/** Builds a throughput result from what was counted. */
export function throughputResult(
  fields: ThroughputFields,
  counted: ArrivalCount,
  memory: MemoryByProcess,
  notes: readonly (string | undefined)[] = [],
): ThroughputResult {
  return {
    kind: 'throughput',
    ...fields,
    completed: counted.completed,
    elapsedMs: counted.elapsedMs,
    ratePerSec: ratePerSec(counted.completed, counted.elapsedMs),
    ...laterHalfRate(counted),
    complete: counted.complete,
    notes: [counted.note, ...notes].filter(
      (note): note is string => note !== undefined,
    ),
    memory,
  };
}

/** Returns the index of the arrival that splits `expected` arrivals in two. */
function middleArrival(expected: number): number {
  return Math.floor((expected - 1) / 2);
}

// Returns the rate of the arrivals after the middle one, over the time
// they took, when all arrived.
function laterHalfRate(counted: ArrivalCount): {
  laterHalfRatePerSec?: number;
} {
  if (counted.laterHalfMs === undefined || counted.laterHalfMs <= 0) return {};
  const arrivals = counted.completed - 1 - middleArrival(counted.completed);
  return { laterHalfRatePerSec: ratePerSec(arrivals, counted.laterHalfMs) };
}

/** Describes a failed run of requests, or returns `undefined` for none. */
export function describeFailures(
  run: BoundedRun,
  what: string,
): string | undefined {
  if (run.failed === 0 && run.skipped === 0) return undefined;
  const error = run.firstError ? `; first: ${run.firstError}` : '';
  return `${run.failed} ${what} failed and ${run.skipped} were not sent${error}`;
}

/** Describes a reply that was not the expected status. */
export function describeReply(reply: { status: number; body: string }) {
  return `failed with status ${reply.status}: ${reply.body.slice(0, 200)}`;
}
