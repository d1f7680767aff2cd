import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { SignalpostConfig } from '@signalpost/config';

/** A Redis client: one server or a cluster. */
export type RedisClient = Redis | Cluster;

/** What a connection is for; it decides how commands behave while Redis is down. */
export type ConnectionRole =
  /** BullMQ workers and blocking readers: retry commands for ever. */
  | 'worker'
  /** Request paths: fail fast so the API can return 503 within its deadline. */
  | 'request';

/**
 * Opens a Redis connection for the given role, to the cluster when
 * `REDIS_CLUSTER_NODES` is set, else to `REDIS_URL`.
 */
export function createRedisConnection(
  config: Pick<SignalpostConfig, 'redisUrl' | 'redisClusterNodes'>,
  role: ConnectionRole,
  connectionName = 'signalpost',
): RedisClient {
  const options: RedisOptions = {
    connectionName,
    // BullMQ requires null for blocking connections; request paths give up
    // after one reconnection attempt and rely on their own deadline.
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  if (config.redisClusterNodes.length > 0) {
    return new Cluster(
      config.redisClusterNodes.map((node) => ({
        host: node.host,
        port: node.port,
      })),
      {
        redisOptions: options,
        maxRedirections: 16,
        clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
      },
    );
  }
  return new Redis(config.redisUrl, options);
}

/**
 * Runs a Redis operation with a deadline, so a request never hangs while
 * Redis is unreachable. Rejects with {@link RedisTimeoutError} at the deadline.
 */
export async function withDeadline<T>(
  operation: Promise<T>,
  deadlineMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisTimeoutError(deadlineMs)),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([operation, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Raised when Redis did not reply within a deadline. */
export class RedisTimeoutError extends Error {
  readonly code = 'SIGNALPOST_ERR_REDIS_TIMEOUT';

  constructor(deadlineMs: number) {
    super(`Redis did not reply within ${deadlineMs} ms`);
    this.name = 'RedisTimeoutError';
  }
}
