import { Queue, Worker, type Job } from 'bullmq';
import type { SignalpostConfig } from '@signalpost/config';
import { InFlightLimiter, TokenBucket } from '@signalpost/delivery-policy';
import { parseAllowTargets } from '@signalpost/net-guard';
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
  createRedisConnection,
  redisKeys,
  type DeliveryJobData,
  type RedisClient,
} from '@signalpost/queues';
import {
  AttemptStore,
  DeadLetterStore,
  DeliveryStore,
  SignalStore,
  SubscriptionStore,
} from '@signalpost/store';
import {
  ExpressionCache,
  createTransformRegistry,
  type TransformFn,
} from '@signalpost/transforms';
import { loadPlugins } from '@signalpost/plugins';
import { BreakerPool } from './delivery/breaker-pool';
import { InFlightHoldDelays } from './delivery/in-flight-hold-delays';
import { SubscriptionCopies } from './delivery/subscription-copies';
import { WebhookClient } from './adapters/webhook-client';
import { processDelivery, RetryLaterError } from './delivery/process-delivery';
import type { WorkerDependencies } from './delivery/worker-dependencies';
import { StalledSweeper } from './stalled-sweeper';
import { PRODUCT_VERSION } from './version';

/** Delay of a retry after an unexpected error in the processor. */
const UNEXPECTED_ERROR_RETRY_MS = 5_000;

/** A running worker; `close()` drains it and may be called twice. */
export interface RunningWorker {
  readonly metricsPort: number;
  /** The worker's metrics, also served at `/metrics` on `metricsPort`. */
  readonly metrics: Metrics;
  readonly worker: Worker;
  close(): Promise<void>;
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  readonly logger?: Logger;
  /** @defaultValue true */
  readonly healthServer?: boolean;
}

/** Starts a delivery worker on the deliveries queue. */
export async function startWorker(
  config: SignalpostConfig,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const logger = options.logger ?? createLogger('worker', config.logLevel);
  const plugins = loadPlugins(config.plugins);
  const metrics = createMetrics('worker', {
    targetLabels: config.metricsTargetLabels,
  });
  const keys = redisKeys(config.prefix);
  const redis = createRedisConnection(config, 'worker', 'signalpost-worker');
  const workerConnection = createRedisConnection(
    config,
    'worker',
    'signalpost-worker-blocking',
  );
  const connections: RedisClient[] = [redis, workerConnection];
  for (const connection of connections) {
    connection.on('error', (error: Error) =>
      logger.debug({ err: error }, 'redis connection error'),
    );
  }

  const shutdown = new AbortController();
  const deliveriesQueue = new Queue(DELIVERIES_QUEUE, {
    connection: redis,
    prefix: config.prefix,
  });
  deliveriesQueue.on('error', (error) =>
    logger.debug({ err: error }, 'deliveries queue error'),
  );
  const records = { retentionMs: config.retentionMs };
  const allowRules = parseAllowTargets(config.allowTargets.join(','));
  const webhooks = new WebhookClient(allowRules, shutdown.signal);
  const breakers = new BreakerPool(redis, keys, logger);
  const dependencies: WorkerDependencies = {
    logger,
    metrics,
    keys,
    subscriptions: new SubscriptionStore(redis, keys),
    signals: new SignalStore(redis, keys, {
      dedupTtlMs: config.dedupTtlMs,
      retentionMs: config.retentionMs,
    }),
    deliveries: new DeliveryStore(redis, keys, records),
    attempts: new AttemptStore(redis, keys, records),
    subscriptionCopies: new SubscriptionCopies(),
    deadLetters: new DeadLetterStore(redis, keys, records),
    deliveriesQueue,
    webhooks,
    breakers,
    buckets: new TokenBucket(redis),
    inFlight: new InFlightLimiter(redis),
    inFlightHolds: new InFlightHoldDelays(),
    transforms: createTransformRegistry({
      pagerduty: config.file.pagerduty ?? {},
      plugins: plugins.transforms as Record<string, TransformFn>,
    }),
    hooks: plugins.hooks,
    expressions: new ExpressionCache(),
    userAgent: `signalpost/${PRODUCT_VERSION}`,
    metricsTargetLabels: config.metricsTargetLabels,
  };

  const worker = new Worker<DeliveryJobData>(
    DELIVERIES_QUEUE,
    (job: Job<DeliveryJobData>, token?: string) =>
      processDelivery(dependencies, job, token),
    {
      connection: workerConnection,
      prefix: config.prefix,
      concurrency: config.workerConcurrency,
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 2,
      settings: {
        backoffStrategy: (_attemptsMade, _type, error) =>
          error instanceof RetryLaterError
            ? error.delayMs
            : UNEXPECTED_ERROR_RETRY_MS,
      },
    },
  );
  worker.on('error', (error) =>
    logger.warn({ err: error }, 'delivery worker error'),
  );
  worker.on('failed', (job, error) => {
    if (!(error instanceof RetryLaterError)) {
      logger.warn(
        { deliveryId: job?.data.deliveryId, err: error },
        'delivery processing failed; retrying',
      );
    }
  });

  const sweeper = new StalledSweeper(dependencies, deliveriesQueue);
  sweeper.start();

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
  logger.info(
    { metricsPort, concurrency: config.workerConcurrency },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // Past the grace period, in-flight requests are aborted and their jobs
    // handed back to the queue without counting an attempt.
    const grace = setTimeout(() => shutdown.abort(), config.shutdownGraceMs);
    const steps: [string, () => Promise<unknown>][] = [
      ['worker', () => worker.close()],
      ['sweeper', () => sweeper.stop()],
      ['deliveries queue', () => deliveriesQueue.close()],
      ['webhook client', () => webhooks.close()],
      ['circuit breakers', async () => breakers.shutdown()],
      ['health server', () => closeServer(health)],
      ...connections.map((connection): [string, () => Promise<unknown>] => [
        'redis',
        () => connection.quit(),
      ]),
    ];
    for (const [name, step] of steps) {
      await step().catch((error: Error) =>
        logger.warn({ err: error, step: name }, 'close step failed'),
      );
    }
    clearTimeout(grace);
  };
  return {
    metricsPort,
    metrics,
    worker,
    close: () => (closing ??= close()),
  };
}
