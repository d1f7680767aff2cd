import { Queue, Worker } from 'bullmq';
import { Agent } from 'undici';
import type { SignalpostConfig } from '@signalpost/config';
import {
  checkRedisReadiness,
  createLogger,
  startHealthServer,
  type Logger,
  closeServer,
} from '@signalpost/observability';
import {
  SIGNALS_QUEUE,
  createRedisConnection,
  type RedisClient,
} from '@signalpost/queues';
import { runCheck, type CheckDependencies } from './checks/run-check';
import {
  readMonitorSettings,
  type MonitorSettings,
} from './config/monitor-settings';
import { createMonitorMetrics, type MonitorMetrics } from './monitor-metrics';
import { MONITOR_QUEUE } from './schedule/check-job';
import { syncSchedulers } from './schedule/sync-schedulers';
import { ShutdownSteps } from './shutdown-steps';

/** Maximum number of checks one monitor process runs at once. */
const MAX_CONCURRENT_CHECKS = 50;

/** Options of {@link startMonitor}. */
export interface StartMonitorOptions {
  /** @defaultValue a pino logger named `monitor` at `LOG_LEVEL` */
  readonly logger?: Logger;
  /** Serves `/metrics`, `/healthz` and `/readyz` on `METRICS_PORT`. @defaultValue true */
  readonly healthServer?: boolean;
}

/** A running monitor. `close()` stops it and may be called twice. */
export interface RunningMonitor {
  /** Port of the health server, or 0 when it has none. */
  readonly metricsPort: number;
  close(): Promise<void>;
}

/** State shared by the steps of {@link startMonitor}. */
interface MonitorContext {
  readonly config: SignalpostConfig;
  readonly settings: MonitorSettings;
  readonly logger: Logger;
  readonly metrics: MonitorMetrics;
  readonly shutdown: ShutdownSteps;
}

/**
 * Starts the monitor: makes the monitor queue's job schedulers match the
 * configured services, then runs the checks they schedule, each reported
 * as a signal in the signals queue. Closes what it opened when a step of
 * the start fails.
 */
export async function startMonitor(
  config: SignalpostConfig,
  options: StartMonitorOptions = {},
): Promise<RunningMonitor> {
  const logger = options.logger ?? createLogger('monitor', config.logLevel);
  const context: MonitorContext = {
    config,
    settings: readMonitorSettings(config),
    logger,
    metrics: createMonitorMetrics(),
    shutdown: new ShutdownSteps(logger),
  };
  try {
    return await launch(context, options.healthServer !== false);
  } catch (error) {
    await context.shutdown.run();
    throw error;
  }
}

async function launch(
  context: MonitorContext,
  withHealthServer: boolean,
): Promise<RunningMonitor> {
  const { settings, logger, shutdown } = context;
  const redis = openConnection(context, 'signalpost-monitor');
  const blocking = openConnection(context, 'signalpost-monitor-worker');
  const dispatcher = new Agent();
  shutdown.add('http agent', () => dispatcher.close());

  const monitorQueue = openQueue(context, MONITOR_QUEUE, redis);
  const signalsQueue = openQueue(context, SIGNALS_QUEUE, redis);
  const sync = await syncSchedulers(monitorQueue, settings);
  startCheckWorker(context, blocking, {
    logger,
    metrics: context.metrics,
    signalsQueue,
    timeoutMs: settings.timeoutMs,
    dispatcher,
  });

  const metricsPort = withHealthServer ? await serveHealth(context, redis) : 0;
  logger.info(
    {
      services: sync.upserted,
      removedSchedulers: sync.removed,
      intervalMs: settings.intervalMs,
      timeoutMs: settings.timeoutMs,
      metricsPort,
    },
    'monitor started',
  );
  return { metricsPort, close: () => shutdown.run() };
}

function openConnection(context: MonitorContext, name: string): RedisClient {
  const connection = createRedisConnection(context.config, 'worker', name);
  connection.on('error', (error: Error) =>
    context.logger.debug({ err: error, connection: name }, 'redis error'),
  );
  context.shutdown.add(`redis ${name}`, () => connection.quit());
  return connection;
}

function openQueue(
  context: MonitorContext,
  name: string,
  connection: RedisClient,
): Queue {
  const queue = new Queue(name, { connection, prefix: context.config.prefix });
  queue.on('error', (error: Error) =>
    context.logger.debug({ err: error, queue: name }, 'queue error'),
  );
  context.shutdown.add(`${name} queue`, () => queue.close());
  return queue;
}

function startCheckWorker(
  context: MonitorContext,
  connection: RedisClient,
  dependencies: CheckDependencies,
): Worker {
  const { logger, settings } = context;
  const concurrency = Math.min(
    Math.max(settings.services.length, 1),
    MAX_CONCURRENT_CHECKS,
  );
  const worker = new Worker(
    MONITOR_QUEUE,
    (job) => runCheck(dependencies, job),
    {
      connection,
      prefix: context.config.prefix,
      concurrency,
    },
  );
  worker.on('error', (error) =>
    logger.warn({ err: error }, 'check worker error'),
  );
  worker.on('failed', (job, error) =>
    logger.warn(
      {
        service: job?.repeatJobKey,
        jobId: job?.id,
        attempts: job?.attemptsMade,
        err: error,
      },
      'health check failed',
    ),
  );
  context.shutdown.add('check worker', () => worker.close());
  return worker;
}

async function serveHealth(
  context: MonitorContext,
  redis: RedisClient,
): Promise<number> {
  const server = await startHealthServer({
    port: context.config.metricsPort,
    host: context.config.host,
    registry: context.metrics.registry,
    checkReadiness: () => checkRedisReadiness(redis),
  });
  context.shutdown.add('health server', () => closeServer(server));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
