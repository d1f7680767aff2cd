import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Signal } from '@signalpost/signal';
import { BASELINE_QUEUE, BASELINE_READY_LINE } from './baseline-protocol';
import { makeSignal } from './bench-signals';
import { childEnv } from './child-env';
import { describeFirstExit, readMemoryOf } from './child-status';
import type { TrackedChild } from './process-group';
import type { MemoryByProcess } from './scenario-result';
import {
  cpuProfileDirFor,
  prefixFor,
  scenarioDeadline,
  type ScenarioContext,
} from './scenario-context';
import {
  BASELINE_WORKER_BUNDLE,
  REPOSITORY_ROOT,
  buildBenchBundles,
} from './signalpost-stack';
import { emptyRedis, redisMemory, withWarmUpRss } from './with-stack';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const WARM_UP_JOBS = 50;
const WARM_UP_TIMEOUT_MS = 30_000;

/**
 * Options of every baseline job: completed jobs are removed by age, as
 * Signalpost's delivery jobs are, so both queues do the same clean-up.
 */
export const BASELINE_JOB_OPTIONS = Object.freeze({
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
});

/** Baseline worker processes and the queue that feeds them. */
export interface BaselineRun {
  readonly queue: Queue;
  readonly children: readonly TrackedChild[];
  readonly deadlineMs: number;
  /** Describes the first worker that exited, or `undefined` while all run. */
  failure(): string | undefined;
}

/** Processes of a baseline step. */
export interface BaselineSettings {
  readonly workers: number;
  readonly concurrency: number;
}

/**
 * Runs one step on fresh baseline workers: a new prefix, `workers`
 * processes of `bench/baseline-worker.ts` (bundled, as the apps are), a
 * warm-up of {@link WARM_UP_JOBS} jobs, then `measure`. Stops the workers
 * and empties Redis afterwards.
 */
export async function withBaseline<T>(
  context: ScenarioContext,
  step: string,
  settings: BaselineSettings,
  measure: (run: BaselineRun) => Promise<T>,
): Promise<{ result: T; memory: MemoryByProcess }> {
  await buildBenchBundles();
  const prefix = prefixFor(context, step);
  const queue = new Queue(BASELINE_QUEUE, {
    connection: context.redisClient,
    prefix,
  });
  const children = startWorkers(context, step, prefix, settings);
  const failure = (): string | undefined => describeFirstExit(children);
  try {
    await Promise.all(children.map(waitForReadyLine));
    await warmUp(context, queue, failure);
    const warm = readMemoryOf(children);
    const deadlineMs = scenarioDeadline(context);
    const result = await measure({ queue, children, deadlineMs, failure });
    const memory = {
      ...withWarmUpRss(readMemoryOf(children), warm),
      ...redisMemory(context),
    };
    return { result, memory };
  } finally {
    context.progress.stop();
    await context.group.stopAll(children, STOP_GRACE_MS);
    await queue.close();
    await emptyRedis(context);
  }
}

/** Adds signals as baseline jobs in one `addBulk` call. */
export async function addBaselineJobs(
  queue: Queue,
  signals: readonly Signal[],
): Promise<void> {
  await queue.addBulk(
    signals.map((signal) => ({
      name: 'webhook',
      data: signal,
      opts: BASELINE_JOB_OPTIONS,
    })),
  );
}

function startWorkers(
  context: ScenarioContext,
  step: string,
  prefix: string,
  settings: BaselineSettings,
): TrackedChild[] {
  const profileRoot = cpuProfileDirFor(context, step);
  return Array.from({ length: settings.workers }, (_, index) => {
    const name = `baseline-${index + 1}`;
    return context.group.start({
      name,
      command: process.execPath,
      args: nodeArgs(profileRoot, name),
      env: childEnv(process.env, {
        BENCH_REDIS_URL: context.redis.url,
        BENCH_PREFIX: prefix,
        BENCH_QUEUE: BASELINE_QUEUE,
        BENCH_CONCURRENCY: String(settings.concurrency),
        BENCH_TARGET_URL: `${context.receiver.url}/hook`,
      }),
      cwd: REPOSITORY_ROOT,
    });
  });
}

function nodeArgs(profileRoot: string | undefined, name: string): string[] {
  const args: string[] = [];
  if (profileRoot) {
    const dir = path.join(profileRoot, name);
    mkdirSync(dir, { recursive: true });
    args.push('--cpu-prof', '--cpu-prof-dir', dir);
  }
  args.push(BASELINE_WORKER_BUNDLE);
  return args;
}

function waitForReadyLine(child: TrackedChild): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `${child.name} did not print "${BASELINE_READY_LINE}" within ${READY_TIMEOUT_MS} ms: ${child.outputTail.slice(-5).join(' | ')}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    child.onLine = (line) => {
      if (line.trim() !== BASELINE_READY_LINE) return;
      clearTimeout(timer);
      resolve();
    };
    child.process.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited with code ${code} at start`));
    });
  });
}

async function warmUp(
  context: ScenarioContext,
  queue: Queue,
  failure: () => string | undefined,
): Promise<void> {
  const { payloadBytes } = context.options;
  const signals = Array.from({ length: WARM_UP_JOBS }, (_, index) =>
    makeSignal('baseline-warmup', index, payloadBytes),
  );
  context.receiver.reset();
  await addBaselineJobs(queue, signals);
  const outcome = await context.receiver.waitForIds(
    signals.map((signal) => signal.id),
    performance.now() + WARM_UP_TIMEOUT_MS,
    () => failure() !== undefined,
  );
  if (outcome !== 'reached') {
    throw new Error(
      `baseline warm-up: ${context.receiver.count} of ${WARM_UP_JOBS} jobs arrived (${failure() ?? outcome})`,
    );
  }
  context.receiver.reset();
}
