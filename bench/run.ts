/**
 * `npm run bench`: measures Signalpost beside a hand-written BullMQ worker
 * in one run on this machine, with a private redis-server, a receiver on
 * 127.0.0.1 and every app in its own process. Prints Markdown tables, and
 * writes JSON (`--json`) and an SVG chart (`--chart`). `--help` lists the
 * options.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  BENCH_HELP,
  BenchUsageError,
  parseBenchOptions,
  type BenchOptions,
} from './bench-options';
import { startBenchReceiver } from './bench-receiver';
import { describeMachine, type BenchReport } from './bench-report';
import { chartDataOf } from './chart-data';
import { InterruptGuard } from './interrupt-guard';
import { ProcessGroup } from './process-group';
import { ProgressBar } from './progress-bar';
import { startBenchRedis } from './redis-server';
import { renderReport } from './report-tables';
import { runCosts, runScenarios } from './run-scenarios';
import type { ScenarioContext } from './scenario-context';
import {
  measureRuntimeMemory,
  type RuntimeMemory,
} from './scenarios/runtime-memory';
import { REPOSITORY_ROOT } from './signalpost-stack';
import { renderBenchChart } from './svg-chart';

/** Exit statuses, as `--help` lists them. */
const EXIT_STATUS = Object.freeze({
  complete: 0,
  usage: 1,
  incomplete: 2,
  cannotStart: 3,
});

/** Grace of each child when the run stops it. */
const STOP_GRACE_MS = 5_000;

const group = new ProcessGroup();
const progress = new ProgressBar();
const interrupts = new InterruptGuard({
  stopChildren: () => stopApps(),
  killChildrenNow: () => group.killAllNow(),
});

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(BENCH_HELP);
    return EXIT_STATUS.complete;
  }
  interrupts.install();
  const context = await openContext(options);
  try {
    const report = await measure(context);
    publish(report, options);
    if (interrupts.status !== undefined) return interrupts.status;
    return isComplete(report) ? EXIT_STATUS.complete : EXIT_STATUS.incomplete;
  } finally {
    await closeContext(context);
  }
}

async function measure(context: ScenarioContext): Promise<BenchReport> {
  const startedMs = performance.now();
  const startedAt = new Date().toISOString();
  const machine = describeMachine(await redisVersion(context.redisClient));
  context.log(
    `private redis-server ${machine.redisVersion} on ${context.redis.url}, receiver on ${context.receiver.url}; ${machine.cpus} cores, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')}`,
  );
  const isInterrupted = (): boolean => interrupts.signal !== undefined;
  const runtimeMemory = await runtimeMemoryOf(context);
  const collected = await runScenarios(context, isInterrupted);
  const costs = context.options.costs
    ? await runCosts(context, collected, isInterrupted)
    : undefined;
  const interruptedBy = interrupts.signal;
  return {
    startedAt,
    durationSec: Math.round((performance.now() - startedMs) / 1000),
    machine,
    options: context.options,
    ...(runtimeMemory ? { runtimeMemory } : {}),
    ...collected,
    ...(costs ? { costs } : {}),
    ...(interruptedBy ? { interruptedBy } : {}),
  };
}

async function runtimeMemoryOf(
  context: ScenarioContext,
): Promise<RuntimeMemory | undefined> {
  try {
    return await measureRuntimeMemory(group);
  } catch (error) {
    context.log(`idle node memory: FAILED: ${(error as Error).message}`);
    return undefined;
  }
}

function isComplete(report: BenchReport): boolean {
  const results = [
    ...report.throughput,
    ...report.latency,
    ...report.scaling.flatMap((step) => [step.signalpost, step.baseline]),
  ];
  return (
    report.failures.length === 0 && results.every((result) => result.complete)
  );
}

async function openContext(options: BenchOptions): Promise<ScenarioContext> {
  const redis = await startBenchRedis(group, REPOSITORY_ROOT);
  const redisClient = new Redis(redis.url, { maxRetriesPerRequest: null });
  const receiver = await startBenchReceiver({
    delayMs: options.receiverDelayMs,
  });
  return {
    options,
    group,
    redis,
    redisClient,
    receiver,
    progress,
    runId: randomBytes(3).toString('hex'),
    log,
  };
}

async function closeContext(context: ScenarioContext): Promise<void> {
  progress.stop();
  await context.receiver.close();
  await context.redisClient.quit().catch(() => undefined);
  await stopApps();
  await context.redis.stop();
}

function publish(report: BenchReport, options: BenchOptions): void {
  process.stdout.write(`\n${renderReport(report)}\n`);
  if (options.jsonFile) {
    writeOutput(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${options.jsonFile}`);
  }
  if (options.chartFile) {
    writeOutput(options.chartFile, renderBenchChart(chartDataOf(report)));
    log(`wrote ${options.chartFile}`);
  }
}

function writeOutput(file: string, content: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, content);
}

async function redisVersion(client: Redis): Promise<string> {
  const info = await client.info('server');
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

function log(message: string): void {
  progress.stop();
  process.stdout.write(`[bench] ${message}\n`);
}

// Redis is left to the run's own clean-up, which still needs it to empty
// the keys of a scenario that was cut short.
async function stopApps(): Promise<void> {
  progress.stop();
  const apps = group.running().filter((child) => child.name !== 'redis');
  await group.stopAll(apps, STOP_GRACE_MS);
}

main().then(
  (status) => process.exit(status),
  (error: Error) => {
    const usage = error instanceof BenchUsageError;
    process.stderr.write(`bench: ${error.message}\n`);
    void group
      .stopAll(group.running(), STOP_GRACE_MS)
      .finally(() =>
        process.exit(usage ? EXIT_STATUS.usage : EXIT_STATUS.cannotStart),
      );
  },
);
