import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  TokenBucket,
  tokenBucketParams,
  type TokenBucketParams,
} from '@signalpost/delivery-policy';
import { ApiError } from '@signalpost/errors';
import { withDeadline } from '@signalpost/queues';
import { isBinaryMode } from '@signalpost/signal';
import type { ApiContext } from '../context';
import { MAX_BATCH_SIGNALS } from '../publish/parse-publish-body';
import { STORE_DEADLINE_MS } from '../publish/publish-signals';
import type { IngestRateLimit } from './ingest-rate-limit-option';
import { principalOf } from './authenticate';

const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/**
 * Builds the middleware that limits `POST /v1/signals` per API key, with a
 * token bucket in Redis that every API replica shares. A request takes one
 * token per signal it carries, so it must run after the raw body parser and
 * after `requireScope`. Over the limit it raises 429 `rate_limited` with
 * `Retry-After` in whole seconds, at least 1. A batch with more signals than
 * the limit allows per window is always rejected, because waiting would never
 * let it through. Without `context.ingestRateLimit` every request passes.
 */
export function limitIngestRate(context: ApiContext): RequestHandler {
  const limit = context.ingestRateLimit;
  if (limit === undefined) {
    return (_request, _response, next) => next();
  }
  const params = tokenBucketParams(limit);
  const bucket = new TokenBucket(context.redis);

  return async (request: Request, response: Response, next: NextFunction) => {
    const signals = countSignals(request);
    // The parser rejects such a batch as batch_too_large without storing it.
    if (signals > MAX_BATCH_SIGNALS) return next();

    const key = context.keys.ingestLimit(principalOf(response).keyHash);
    await takeTokens(context, bucket, { key, params, limit, signals });
    next();
  };
}

interface TokenRequest {
  readonly key: string;
  readonly params: TokenBucketParams;
  readonly limit: IngestRateLimit;
  readonly signals: number;
}

async function takeTokens(
  context: ApiContext,
  bucket: TokenBucket,
  { key, params, limit, signals }: TokenRequest,
): Promise<void> {
  if (signals > params.capacity) {
    context.metrics.signalsReceived.inc({ outcome: 'rejected' }, signals);
    throw batchOverLimit(limit, signals);
  }
  const result = await withDeadline(
    bucket.take(key, params, signals),
    STORE_DEADLINE_MS,
  );
  if (result.granted) return;

  context.metrics.signalsReceived.inc({ outcome: 'rejected' }, signals);
  const retryAfterSec = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  throw new ApiError(
    'rate_limited',
    `this API key passed its ingest limit of ${describeLimit(limit)}; retry after ${retryAfterSec} s`,
    { retryAfterSec },
  );
}

function batchOverLimit(limit: IngestRateLimit, signals: number): ApiError {
  return new ApiError(
    'rate_limited',
    `a batch of ${signals} signals is larger than this API key's ingest limit of ${describeLimit(limit)}; split it into batches of at most ${limit.requests} signals`,
    { retryAfterSec: Math.max(1, Math.ceil(limit.windowMs / 1000)) },
  );
}

function describeLimit(limit: IngestRateLimit): string {
  return `${limit.requests} signals per ${limit.windowMs} ms`;
}

// NOTE: a batch body is parsed here and again by the publish parser, which
// doubles the JSON parsing cost of batches while a limit is set.
function countSignals(request: Request): number {
  if (isBinaryMode(request.headers)) return 1;
  if (mediaTypeOf(request) !== BATCH_MEDIA_TYPE) return 1;
  if (!Buffer.isBuffer(request.body)) return 1;

  try {
    const value: unknown = JSON.parse(request.body.toString('utf8'));
    return Array.isArray(value) ? Math.max(1, value.length) : 1;
  } catch {
    // The publish parser rejects it as invalid_json, so it counts as one.
    return 1;
  }
}

function mediaTypeOf(request: Request): string {
  const contentType = request.headers['content-type'] ?? '';
  return contentType.split(';')[0]?.trim().toLowerCase() ?? '';
}
