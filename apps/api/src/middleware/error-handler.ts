import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@signalpost/errors';
import { RedisTimeoutError } from '@signalpost/queues';
import type { Logger } from '@signalpost/observability';

/**
 * Turns errors into the API's JSON error body. Unknown errors caused by
 * Redis return 503 `redis_unavailable`, nothing else returns 5xx, and no
 * stack trace ever reaches a client.
 */
export function errorHandler(logger: Logger) {
  return (
    error: unknown,
    request: Request,
    response: Response,
    _next: NextFunction,
  ): void => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      logger.warn(
        { err: error, method: request.method, path: request.path },
        'request failed',
      );
    }
    if (apiError.retryAfterSec !== undefined) {
      response.setHeader('retry-after', String(apiError.retryAfterSec));
    }
    response.status(apiError.status).json(apiError.toBody());
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.too.large') {
    return new ApiError(
      'payload_too_large',
      'the request body is larger than the limit of this route',
    );
  }
  if (
    bodyError.type === 'entity.verify.failed' ||
    bodyError.type === 'encoding.unsupported'
  ) {
    return new ApiError(
      'validation_failed',
      'the request body could not be read',
    );
  }
  if (bodyError.type === 'request.aborted') {
    return new ApiError(
      'validation_failed',
      'the request was aborted by the client',
    );
  }
  const status = bodyError.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return clientError(status, error);
  if (error instanceof RedisTimeoutError || isRedisError(error)) {
    return new ApiError(
      'redis_unavailable',
      'Redis did not reply in time; retry later with the same id or Idempotency-Key',
      {
        retryAfterSec: 1,
        cause: error,
      },
    );
  }
  return new ApiError(
    'redis_unavailable',
    'the request could not be completed; retry later with the same id or Idempotency-Key',
    {
      retryAfterSec: 1,
      cause: error,
    },
  );
}

/** Maps a 4xx that express or body-parser raised (a bad percent-encoding, say). */
function clientError(status: number, error: unknown): ApiError {
  if (status === 404) return new ApiError('not_found', 'no such route');
  if (status === 413)
    return new ApiError(
      'payload_too_large',
      'the request body is larger than the limit of this route',
    );
  if (status === 415)
    return new ApiError(
      'unsupported_media_type',
      'the request body has an unsupported encoding',
    );
  const message =
    error instanceof URIError
      ? 'the URL could not be decoded'
      : 'the request could not be read';
  return new ApiError('validation_failed', message, { cause: error });
}

function isRedisError(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? '';
  return (
    name === 'MaxRetriesPerRequestError' ||
    name === 'ReplyError' ||
    /Connection is closed|ECONNREFUSED|Stream isn't writeable|enableOfflineQueue/.test(
      message,
    )
  );
}
