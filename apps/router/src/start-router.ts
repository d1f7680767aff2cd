import { Queue, Worker } from 'bullmq';
import type { SignalpostConfig } from '@signalpost/config';
import { FixedWindowCounter } from '@signalpost/delivery-policy';
import {
  checkRedisReadiness,
  createLogger,
  createMetrics,
  startHealthServer,
  type Logger,
  type Metrics,
  closeServer,
  serverPort,
} from '@signalpost/observability';
import {
  DELIVERIES_QUEUE,
  SIGNALS_QUEUE,
  createRedisConnection,
  redisKeys,
  type RedisClient,
} from '@signalpost/queues';
import {
  DeadLetterStore,
  DeliveryStore,
  RoutingStore,
  SignalStore,
  SubscriptionStore,
} from '@signalpost/store';
import { ExpressionCache } from '@signalpost/transforms';
import { loadPlugins } from '@signalpost/plugins';
import { routeJob } from './route-job';
import type { RouterDependencies } from './route-signal';
import { EnqueueBatcher } from './enqueue-batcher';
import { SubscriptionCache } from './subscription-cache';

/** Signal jobs one router process handles at once. */
const ROUTER_CONCURRENCY = 20;

/** A running router; `close()` may be called twice. */
export interface RunningRouter {
  readonly metricsPort: number;
  /** The router's metrics, also served at `/metrics` on `metricsPort`. */
  readonly metrics: Metrics;
  readonly cache: SubscriptionCache;
  close(): Promise<void>;
}

/** Options of {@link startRouter}. */
export interface StartRouterOptions {
  readonly logger?: Logger;
  /** @defaultValue true */
  readonly healthServer?: boolean;
}

/** Starts a router: loads subscriptions, then consumes the signals queue. */
export async function startRouter(
  config: SignalpostConfig,
  options: StartRouterOptions = {},
): Promise<RunningRouter> {
  const logger = options.logger ?? createLogger('router', config.logLevel);
  // Loaded so a broken plugin stops every app at start, not only the workers.
  loadPlugins(config.plugins);
  const metrics = createMetrics('router', {
    targetLabels: config.metricsTargetLabels,
  });
  const keys = redisKeys(config.prefix);
  const redis = createRedisConnection(config, 'worker', 'signalpost-router');
  const subscriber = createRedisConnection(
    config,
    'worker',
    'signalpost-router-subscriber',
  );
  const workerConnection = createRedisConnection(
    config,
    'worker',
    'signalpost-router-worker',
  );
  for (const connection of [redis, subscriber, workerConnection]) {
    connection.on('error', (error: Error) =>
      logger.debug({ err: error }, 'redis connection error'),
    );
  }

  const subscriptions = new SubscriptionStore(redis, keys);
  const cache = new SubscriptionCache(
    subscriptions,
    redis,
    subscriber,
    keys,
    (error) => logger.warn({ err: error }, 'subscription cache refresh failed'),
  );
  await cache.start();
  logger.info({ subscriptions: cache.size }, 'subscriptions loaded');

  const deliveriesQueue = new Queue(DELIVERIES_QUEUE, {
    connection: redis,
    prefix: config.prefix,
  });
  deliveriesQueue.on('error', (error) =>
    logger.debug({ err: error }, 'deliveries queue error'),
  );
  const records = { retentionMs: config.retentionMs };
  const signalRetention = {
    dedupTtlMs: config.dedupTtlMs,
    retentionMs: config.retentionMs,
  };
  const dependencies: RouterDependencies = {
    logger,
    metrics,
    keys,
    cache,
    subscriptions,
    signals: new SignalStore(redis, keys, signalRetention),
    routing: new RoutingStore(redis, keys, signalRetention),
    deliveries: new DeliveryStore(redis, keys, records),
    deadLetters: new DeadLetterStore(redis, keys, records),
    deliveriesQueue,
    enqueuer: new EnqueueBatcher(deliveriesQueue),
    throttles: new FixedWindowCounter(redis),
    expressions: new ExpressionCache(),
    metricsTargetLabels: config.metricsTargetLabels,
  };

  const worker = new Worker(
    SIGNALS_QUEUE,
    (job) => routeJob(dependencies, job),
    {
      connection: workerConnection,
      prefix: config.prefix,
      concurrency: ROUTER_CONCURRENCY,
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) =>
    logger.warn({ err: error }, 'router worker error'),
  );
  worker.on('failed', (job, error) =>
    logger.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: error },
      'routing failed',
    ),
  );

  const health =
    options.healthServer === false
      ? undefined
      : await startHealthServer({
          port: config.metricsPort,
          host: config.host,
          registry: metrics.registry,
          checkReadiness: () => checkRedisReadiness(redis),
        });
  const metricsPort = health ? serverPort(health) : 0;
  logger.info({ metricsPort }, 'router started');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    cache.stop();
    const steps: [string, () => Promise<unknown>][] = [
      ['worker', () => worker.close()],
      ['deliveries queue', () => deliveriesQueue.close()],
      ['health server', () => closeServer(health)],
      ...[redis, subscriber, workerConnection].map(
        (connection): [string, () => Promise<unknown>] => [
          'redis',
          () => quit(connection),
        ],
      ),
    ];
    for (const [name, step] of steps) {
      await step().catch((error: Error) =>
        logger.warn({ err: error, step: name }, 'close step failed'),
      );
    }
  };
  return { metricsPort, metrics, cache, close: () => (closing ??= close()) };
}

async function quit(connection: RedisClient): Promise<void> {
  await connection.quit();
}
