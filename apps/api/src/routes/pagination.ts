import type { Request } from 'express';
import { ApiError } from '@signalpost/errors';

/** Default and maximum page sizes of list routes. */
export const PAGE_LIMITS = Object.freeze({ defaultLimit: 100, maxLimit: 1000 });

/** Reads `limit` and `cursor` of a list request. */
export function readPage(request: Request): {
  limit: number;
  cursor: string | undefined;
} {
  const { limit: rawLimit, cursor } = request.query;
  let limit: number = PAGE_LIMITS.defaultLimit;
  if (rawLimit !== undefined) {
    const text = String(rawLimit);
    limit = Number(text);
    if (!/^\d+$/.test(text) || limit < 1 || limit > PAGE_LIMITS.maxLimit) {
      throw new ApiError(
        'validation_failed',
        `limit must be an integer from 1 to ${PAGE_LIMITS.maxLimit}`,
        {
          details: [{ path: 'limit', message: `got ${JSON.stringify(text)}` }],
        },
      );
    }
  }
  return {
    limit,
    cursor:
      typeof cursor === 'string' && cursor.length > 0 ? cursor : undefined,
  };
}
