import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@signalpost/errors';
import { withDeadline } from '@signalpost/queues';
import type { ApiContext } from '../context';

/** How long one reading of the backlog and memory is reused. */
const CHECK_CACHE_MS = 1_000;
/** `Retry-After` of an `overloaded` response, in seconds. */
const RETRY_AFTER_SEC = 5;

interface Reading {
  readonly atMs: number;
  readonly overloaded: string | undefined;
}

/**
 * Refuses ingest with 503 `overloaded` while the waiting deliveries exceed
 * `SIGNALPOST_MAX_QUEUE_DEPTH` or Redis memory exceeds
 * `SIGNALPOST_MAX_REDIS_MEMORY_RATIO` of `maxmemory`, so the backlog cannot
 * grow without limit. One reading serves every request for a second.
 */
export function backpressure(context: ApiContext) {
  let reading: Reading | undefined;
  let pending: Promise<Reading> | undefined;

  const read = async (): Promise<Reading> => {
    if (reading && Date.now() - reading.atMs < CHECK_CACHE_MS) return reading;
    pending ??= measure(context).finally(() => {
      pending = undefined;
    });
    try {
      reading = await pending;
    } catch (error) {
      // A slow reading keeps the last verdict rather than letting ingest
      // past the bound; with none yet, the error goes to the caller.
      if (!reading) throw error;
    }
    return reading;
  };

  const decide = (current: Reading, next: NextFunction): void => {
    if (current.overloaded) {
      next(
        new ApiError('overloaded', current.overloaded, {
          retryAfterSec: RETRY_AFTER_SEC,
        }),
      );
    } else {
      next();
    }
  };

  return (_request: Request, _response: Response, next: NextFunction): void => {
    // Most requests find a fresh reading and go on without waiting a tick.
    if (reading && Date.now() - reading.atMs < CHECK_CACHE_MS) {
      decide(reading, next);
      return;
    }
    read().then(
      (current) => decide(current, next),
      // An unreachable Redis is the publish path's to report, as 503 redis_unavailable.
      () => next(),
    );
  };
}

/** How long the backlog reading may take before ingest goes on without it. */
const MEASURE_DEADLINE_MS = 1_000;

async function measure(context: ApiContext): Promise<Reading> {
  // While Redis is unreachable the publish path returns 503 within its own
  // deadline; waiting here first would make that response late.
  if (context.redis.status !== 'ready')
    return { atMs: Date.now(), overloaded: undefined };
  return withDeadline(readBacklog(context), MEASURE_DEADLINE_MS);
}

async function readBacklog(context: ApiContext): Promise<Reading> {
  const waitKey = `${context.config.prefix}:deliveries:wait`;
  // Deliveries held back (rate limit, maxInFlight, open circuit) or waiting
  // for a retry sit in BullMQ's delayed set; they are backlog too, or a
  // hanging target would let the backlog grow past the bound unseen.
  const delayedKey = `${context.config.prefix}:deliveries:delayed`;
  const servers =
    'nodes' in context.redis ? context.redis.nodes('master') : [context.redis];
  const [waiting, delayed, ...memories] = await Promise.all([
    context.redis.llen(waitKey),
    context.redis.zcard(delayedKey),
    ...servers.map((server) => server.info('memory')),
  ]);
  const atMs = Date.now();
  const depth = Number(waiting) + Number(delayed);
  if (depth > context.config.maxQueueDepth) {
    return {
      atMs,
      overloaded: `${depth} deliveries are waiting or held, above the bound of ${context.config.maxQueueDepth}; retry later`,
    };
  }
  // On a cluster the fullest master decides, since the prefix's slot may
  // live on any of them.
  for (const memory of memories) {
    const used = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0);
    const max = Number(/maxmemory:(\d+)/.exec(memory)?.[1] ?? 0);
    if (max > 0 && used / max > context.config.maxRedisMemoryRatio) {
      const percent = Math.round((used / max) * 100);
      return {
        atMs,
        overloaded: `Redis memory is at ${percent}% of maxmemory; retry later`,
      };
    }
  }
  return { atMs, overloaded: undefined };
}
