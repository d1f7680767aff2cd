import type { Server } from 'node:http';
import { Queue } from 'bullmq';
import type { SignalpostConfig } from '@signalpost/config';
import { parseAllowTargets } from '@signalpost/net-guard';
import {
  checkRedisReadiness,
  createLogger,
  createMetrics,
  startHealthServer,
  type Logger,
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
  IdempotencyStore,
  SignalStore,
  SubscriptionStore,
} from '@signalpost/store';
import { loadPlugins } from '@signalpost/plugins';
import {
  createTransformRegistry,
  type TransformFn,
} from '@signalpost/transforms';
import { createApiApp } from './app';
import { applyConfigSubscriptions } from './config-subscriptions';
import type { ApiContext } from './context';
import { refreshQueueGauges } from './queue-gauges';
import {
  parseIngestRateLimit,
  type IngestRateLimit,
} from './middleware/ingest-rate-limit-option';
import { parseInboundSources } from './routes/inbound-sources';

/** A running API; `close()` stops it in order and may be called twice. */
export interface RunningApi {
  readonly context: ApiContext;
  /** The main port actually bound (useful with `PORT=0`). */
  readonly port: number;
  readonly metricsPort: number;
  close(): Promise<void>;
}

/** Options of {@link startApi}. */
export interface StartApiOptions {
  readonly logger?: Logger;
  /** Serve health and metrics on their own port too. @defaultValue true */
  readonly healthServer?: boolean;
  /**
   * Signals each API key may publish per window, counted in Redis across
   * every replica. @defaultValue undefined, no limit
   */
  readonly ingestRateLimit?: IngestRateLimit;
}

/** Starts the API: connects to Redis, applies config subscriptions, listens. */
export async function startApi(
  config: SignalpostConfig,
  options: StartApiOptions = {},
): Promise<RunningApi> {
  if (config.apiKeys.length === 0) {
    throw new Error(
      'no API keys are configured: set SIGNALPOST_API_KEYS (e.g. mykey123=admin) or apiKeys in the config file',
    );
  }
  const logger = options.logger ?? createLogger('api', config.logLevel);
  const { context, queueConnection } = buildContext(
    config,
    logger,
    options.ingestRateLimit ?? config.ingestRateLimit,
  );
  const { applied, deleted } = await applyConfigSubscriptions(context);
  if (applied + deleted > 0)
    logger.info({ applied, deleted }, 'config subscriptions applied');

  const server = await listen(createApiApp(context), config.port, config.host);
  // With METRICS_PORT equal to PORT the main port serves health and metrics alone.
  const health =
    options.healthServer === false || config.metricsPort === config.port
      ? undefined
      : await startHealthServer({
          port: config.metricsPort,
          host: config.host,
          registry: context.metrics.registry,
          checkReadiness: () => checkRedisReadiness(context.redis),
        });
  const port = serverPort(server);
  logger.info(
    { port, metricsPort: health ? serverPort(health) : undefined },
    'api listening',
  );

  let closing: Promise<void> | undefined;
  return {
    context,
    port,
    metricsPort: health ? serverPort(health) : port,
    close: () =>
      (closing ??= closeApi(context, server, health, queueConnection)),
  };
}

function buildContext(
  config: SignalpostConfig,
  logger: Logger,
  ingestRateLimit: IngestRateLimit | undefined,
): { context: ApiContext; queueConnection: RedisClient } {
  // Validated before any connection opens, so a bad value leaks none.
  const plugins = loadPlugins(config.plugins);
  const inboundSources = parseInboundSources(config.file.inbound);
  const ingestLimit = parseIngestRateLimit(ingestRateLimit);
  const redis = createRedisConnection(config, 'request', 'signalpost-api');
  redis.on('error', (error: Error) =>
    logger.debug({ err: error }, 'redis connection error'),
  );
  const queueConnection = createRedisConnection(
    config,
    'request',
    'signalpost-api-queues',
  );
  queueConnection.on('error', () => undefined);
  const keys = redisKeys(config.prefix);
  const queueOptions = {
    connection: queueConnection,
    prefix: config.prefix,
    skipWaitingForReady: true,
  };
  const signalsQueue = new Queue(SIGNALS_QUEUE, queueOptions);
  const deliveriesQueue = new Queue(DELIVERIES_QUEUE, queueOptions);
  const queues = [signalsQueue, deliveriesQueue];
  for (const queue of queues)
    queue.on('error', (error) => logger.debug({ err: error }, 'queue error'));
  const metrics = createMetrics('api', {
    onScrape: () => refreshQueueGauges(metrics, queues, redis, keys),
  });
  const records = { retentionMs: config.retentionMs };
  const transforms = createTransformRegistry({
    pagerduty: config.file.pagerduty ?? {},
    plugins: plugins.transforms as Record<string, TransformFn>,
  });

  const context: ApiContext = {
    config,
    logger,
    metrics,
    redis,
    keys,
    signalsQueue,
    deliveriesQueue,
    subscriptions: new SubscriptionStore(redis, keys),
    signals: new SignalStore(redis, keys, {
      dedupTtlMs: config.dedupTtlMs,
      retentionMs: config.retentionMs,
    }),
    deliveries: new DeliveryStore(redis, keys, records),
    deadLetters: new DeadLetterStore(redis, keys, records),
    idempotency: new IdempotencyStore(redis, keys, {
      ttlMs: config.dedupTtlMs,
      inFlightTtlMs: 60_000,
    }),
    allowRules: parseAllowTargets(config.allowTargets.join(',')),
    transformNames: new Set(transforms.names()),
    inboundSources,
    ingestRateLimit: ingestLimit,
  };
  return { context, queueConnection };
}

function listen(
  app: ReturnType<typeof createApiApp>,
  port: number,
  host: string,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
  });
}

async function closeApi(
  context: ApiContext,
  server: Server,
  health: Server | undefined,
  queueConnection: RedisClient,
): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['http server', () => closeServer(server)],
    ['health server', () => (health ? closeServer(health) : Promise.resolve())],
    ['signals queue', () => context.signalsQueue.close()],
    ['deliveries queue', () => context.deliveriesQueue.close()],
    ['queue connection', () => queueConnection.quit()],
    ['redis', () => context.redis.quit()],
  ];
  for (const [name, step] of steps) {
    await step().catch((error: Error) =>
      context.logger.warn({ err: error, step: name }, 'close step failed'),
    );
  }
}
