import { readProcessMemory, type ProcessMemory } from './proc-status';
import type { MemoryByProcess, StepMemory } from './scenario-result';
import {
  cpuProfileDirFor,
  prefixFor,
  scenarioDeadline,
  type ScenarioContext,
} from './scenario-context';
import { startSignalpostStack, type SignalpostStack } from './signalpost-stack';
import { prepareStack } from './warm-up';

/** Processes of a Signalpost scenario step. */
export interface StackSettings {
  readonly workers: number;
  readonly concurrency: number;
}

/** The prepared stack and the deadline that a measurement runs against. */
export interface StackRun {
  readonly stack: SignalpostStack;
  readonly prefix: string;
  /** `performance.now()` time after which the step reports what it has. */
  readonly deadlineMs: number;
}

/**
 * Runs one step on a fresh stack: a new key prefix, new processes, the
 * benchmark subscription and a warm-up. Reads every process's memory after
 * `measure`, then stops the stack and empties the private Redis, so the next
 * step starts from the same state.
 */
export async function withStack<T>(
  context: ScenarioContext,
  step: string,
  settings: StackSettings,
  measure: (run: StackRun) => Promise<T>,
): Promise<{ result: T; memory: MemoryByProcess }> {
  const prefix = prefixFor(context, step);
  const cpuProfileDir = cpuProfileDirFor(context, step);
  const stack = await startSignalpostStack(context.group, {
    redisUrl: context.redis.url,
    prefix,
    workers: settings.workers,
    concurrency: settings.concurrency,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  try {
    await prepareStack(stack, context.receiver, context.options);
    const warm = stack.readMemory();
    const deadlineMs = scenarioDeadline(context);
    const result = await measure({ stack, prefix, deadlineMs });
    const memory = {
      ...withWarmUpRss(stack.readMemory(), warm),
      ...redisMemory(context),
    };
    return { result, memory };
  } finally {
    context.progress.stop();
    await stack.stop();
    await emptyRedis(context);
  }
}

/** Adds each process's RSS after the warm-up to its end-of-step figures. */
export function withWarmUpRss(
  end: Readonly<Record<string, ProcessMemory>>,
  warm: Readonly<Record<string, ProcessMemory>>,
): MemoryByProcess {
  const memory: Record<string, StepMemory> = {};
  for (const [name, figures] of Object.entries(end)) {
    const rssAfterWarmUpKiB = warm[name]?.rssKiB;
    memory[name] =
      rssAfterWarmUpKiB === undefined
        ? figures
        : { ...figures, rssAfterWarmUpKiB };
  }
  return memory;
}

/** Reads the private Redis's memory from `/proc`, as for the apps. */
export function redisMemory(context: ScenarioContext): MemoryByProcess {
  const memory = readProcessMemory(context.redis.child.pid);
  return memory ? { redis: memory } : {};
}

/** Deletes every key of the private Redis, which holds only this run's data. */
export async function emptyRedis(context: ScenarioContext): Promise<void> {
  await context.redisClient.flushall();
  context.receiver.reset();
}
