import path from 'node:path';
import type { Redis } from 'ioredis';
import type { BenchOptions } from './bench-options';
import type { BenchReceiver } from './bench-receiver';
import type { ProgressBar } from './progress-bar';
import type { ProcessGroup } from './process-group';
import type { BenchRedis } from './redis-server';

/** Shared resources of every scenario: one Redis, one receiver, one clock. */
export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly group: ProcessGroup;
  readonly redis: BenchRedis;
  /** The benchmark's own connection, for enqueueing and clean-up. */
  readonly redisClient: Redis;
  readonly receiver: BenchReceiver;
  readonly progress: ProgressBar;
  /** Distinguishes this run's key prefixes and profile folders. */
  readonly runId: string;
  /** Prints a status line on stdout, removing the progress bar first. */
  readonly log: (message: string) => void;
}

/** Returns a fresh, hash-tagged key prefix for one scenario step. */
export function prefixFor(context: ScenarioContext, step: string): string {
  return `{bench-${context.runId}-${step}}`;
}

/** Returns the CPU profile folder of one scenario step, when profiling. */
export function cpuProfileDirFor(
  context: ScenarioContext,
  step: string,
): string | undefined {
  const root = context.options.cpuProfileDir;
  return root ? path.resolve(root, step) : undefined;
}

/**
 * Returns the deadline of a scenario that starts now, as `performance.now()`.
 */
export function scenarioDeadline(context: ScenarioContext): number {
  return performance.now() + context.options.scenarioTimeoutSec * 1000;
}
