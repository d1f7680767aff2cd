import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiKeyEntry, Scope } from '@signalpost/config';
import { ApiError } from '@signalpost/errors';

/** The key that authenticated a request. */
export interface Principal {
  /** Hex SHA-256 of the key; scopes idempotency keys and rate limits. */
  readonly keyHash: string;
  readonly scopes: readonly Scope[];
}

/** Reads the API key of a request: a Bearer token, or a Basic password. */
export function readApiKey(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  // Exactly a scheme, one space and one token: anything around the key
  // (another word, trailing white space of any kind) makes it no key.
  const match = /^([A-Za-z]+) ([^\s]+)$/.exec(header);
  if (!match) return undefined;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    return separator >= 0 ? decoded.slice(separator + 1) : undefined;
  }
  return undefined;
}

/**
 * Finds the entry of a key, comparing its hash against every configured
 * hash in constant time so the timing shows neither which nor whether.
 */
export function findApiKey(
  key: string,
  entries: readonly ApiKeyEntry[],
): ApiKeyEntry | undefined {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  let found: ApiKeyEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex')))
      found = entry;
  }
  return found;
}

/** Express middleware that requires a key with the scope (`admin` implies all). */
export function requireScope(scope: Scope, entries: readonly ApiKeyEntry[]) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const key = readApiKey(request);
    const entry = key === undefined ? undefined : findApiKey(key, entries);
    if (!entry) {
      next(
        new ApiError(
          'unauthorized',
          'a valid API key is required: send Authorization: Bearer <api key>',
        ),
      );
      return;
    }
    if (!entry.scopes.includes(scope) && !entry.scopes.includes('admin')) {
      next(new ApiError('forbidden', `this API key lacks the ${scope} scope`));
      return;
    }
    response.locals.principal = {
      keyHash: entry.sha256,
      scopes: entry.scopes,
    } satisfies Principal;
    next();
  };
}

/** Returns the principal that {@link requireScope} stored on the response. */
export function principalOf(response: Response): Principal {
  return response.locals.principal as Principal;
}
