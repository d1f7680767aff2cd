import { setTimeout as sleep } from 'node:timers/promises';
import { version } from '../package.json';
import { CLIENT_ERROR_CODES } from './client-error-codes';
import type { ResolvedClientOptions } from './client-options';
import { parseRetryAfterSec } from './retry-after';
import { retryDelayMs } from './retry-delay';
import { SignalpostApiError } from './signalpost-api-error';
import { SignalpostClientError } from './signalpost-client-error';
import { SignalpostNetworkError } from './signalpost-network-error';

/** Statuses the API returns when it stored nothing and expects a retry later. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

const USER_AGENT = `signalpost-client/${version}`;

/** System error codes (`ECONNRESET`) and undici's (`UND_ERR_SOCKET`). */
const TRANSIENT_CODE = /^(E[A-Z0-9]+|UND_ERR_[A-Z_]+)$/;

/** One API call, before retries. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, starting with `/`. */
  readonly path: string;
  /** Sent as JSON when defined. */
  readonly body?: unknown;
  /** @defaultValue `application/json` when there is a body */
  readonly contentType?: string;
  /** Sent as `Idempotency-Key` on every attempt. */
  readonly idempotencyKey?: string;
  /**
   * Whether a request whose response was lost may be sent again, which is
   * true only when a repeat cannot act twice.
   */
  readonly repeatable: boolean;
}

type Outcome =
  | {
      readonly kind: 'response';
      readonly response: Response;
      readonly text: string;
    }
  | { readonly kind: 'failure'; readonly error: unknown };

/**
 * Sends API requests with the API key, a timeout per attempt and retries:
 * 429 and 503 always, a lost response only for a repeatable request, and
 * 409 `idempotency_key_in_flight` for a request with an idempotency key.
 */
export class ApiTransport {
  constructor(private readonly options: ResolvedClientOptions) {}

  /**
   * Sends the request until it succeeds, fails for good or runs out of
   * retries, and returns the parsed JSON body (undefined when empty).
   *
   * @throws SignalpostApiError for a status other than 2xx
   * @throws SignalpostNetworkError when no response arrived
   * @throws SignalpostClientError for a 2xx body that is not JSON
   */
  async send(request: ApiRequest): Promise<unknown> {
    const maxAttempts = this.options.maxRetries + 1;
    let attempt = 1;
    for (;;) {
      const outcome = await this.attemptOnce(request);
      const waitMs =
        attempt < maxAttempts
          ? this.waitBeforeRetry(request, outcome, attempt)
          : undefined;
      if (waitMs === undefined) {
        return settle(request, outcome, attempt, this.options);
      }

      await sleep(waitMs);
      attempt += 1;
    }
  }

  private async attemptOnce(request: ApiRequest): Promise<Outcome> {
    const init: RequestInit = {
      method: request.method,
      headers: this.headersOf(request),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    };
    if (request.body !== undefined) init.body = JSON.stringify(request.body);
    try {
      const url = `${this.options.baseUrl}${request.path}`;
      const response = await this.options.fetch(url, init);
      return { kind: 'response', response, text: await response.text() };
    } catch (error) {
      return { kind: 'failure', error };
    }
  }

  private headersOf(request: ApiRequest): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.apiKey}`,
      accept: 'application/json',
      'user-agent': USER_AGENT,
    };
    if (request.body !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/json';
    }
    if (request.idempotencyKey !== undefined) {
      headers['idempotency-key'] = request.idempotencyKey;
    }
    return headers;
  }

  private waitBeforeRetry(
    request: ApiRequest,
    outcome: Outcome,
    attempt: number,
  ): number | undefined {
    if (outcome.kind === 'failure') {
      return request.repeatable && isTransientFailure(outcome.error)
        ? retryDelayMs(attempt, undefined, this.options)
        : undefined;
    }
    if (!isRetryableResponse(request, outcome)) return undefined;

    const header = outcome.response.headers.get('retry-after');
    const retryAfterSec = parseRetryAfterSec(header, Date.now());
    return retryDelayMs(attempt, retryAfterSec, this.options);
  }
}

/**
 * Tells a failure worth retrying (a timeout, or a system or undici error
 * such as `ECONNREFUSED` or `UND_ERR_SOCKET`) from fetch rejecting the
 * request itself, such as a blocked port, which fails the same way again.
 */
function isTransientFailure(error: unknown): boolean {
  if (isTimeout(error)) return true;
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' && TRANSIENT_CODE.test(code);
}

function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown })?.name === 'TimeoutError';
}

function isRetryableResponse(
  request: ApiRequest,
  outcome: Extract<Outcome, { kind: 'response' }>,
): boolean {
  const { status } = outcome.response;
  if (RETRYABLE_STATUSES.has(status)) return true;
  // A retry after a timeout can reach the API while the first attempt is
  // still being stored. The API then returns this 409, and because both
  // carry the same key, trying again cannot fan out twice.
  return (
    status === 409 &&
    request.idempotencyKey !== undefined &&
    errorBodyOf(outcome.text)?.code === 'idempotency_key_in_flight'
  );
}

function settle(
  request: ApiRequest,
  outcome: Outcome,
  attempts: number,
  options: ResolvedClientOptions,
): unknown {
  if (outcome.kind === 'failure') {
    throw networkError(request, outcome.error, attempts, options);
  }
  const { response, text } = outcome;
  if (!response.ok) throw apiError(request, response, text, attempts);
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SignalpostClientError(
      CLIENT_ERROR_CODES.invalidResponse,
      `${describeRequest(request)} returned ${response.status} with a body that is not JSON`,
      { cause: error },
    );
  }
}

function apiError(
  request: ApiRequest,
  response: Response,
  text: string,
  attempts: number,
): SignalpostApiError {
  const body = errorBodyOf(text);
  const code = body?.code ?? `http_${response.status}`;
  const reason = body?.message ?? (response.statusText || 'no error body');
  const retryAfterSec = parseRetryAfterSec(
    response.headers.get('retry-after'),
    Date.now(),
  );
  return new SignalpostApiError({
    status: response.status,
    code,
    message: `${describeRequest(request)} failed with ${response.status} ${code}: ${reason}${attemptsSuffix(attempts)}`,
    details: body?.details,
    ...(retryAfterSec === undefined ? {} : { retryAfterSec }),
    attempts,
  });
}

function networkError(
  request: ApiRequest,
  error: unknown,
  attempts: number,
  options: ResolvedClientOptions,
): SignalpostNetworkError {
  const timedOut = isTimeout(error);
  const code = timedOut
    ? CLIENT_ERROR_CODES.timeout
    : CLIENT_ERROR_CODES.connection;
  const reason = timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : connectionReason(error);
  return new SignalpostNetworkError(
    code,
    `${request.method} ${options.baseUrl}${request.path} failed without a response: ${reason}${attemptsSuffix(attempts)}`,
    attempts,
    { cause: error },
  );
}

/** Names the failure from the system error undici wraps in `cause`. */
function connectionReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })
    ?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function errorBodyOf(
  text: string,
): { code?: string; message?: string; details?: unknown } | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    const error = parsed?.error as Record<string, unknown> | undefined;
    if (typeof error !== 'object' || error === null) return undefined;
    return {
      ...(typeof error.code === 'string' ? { code: error.code } : {}),
      ...(typeof error.message === 'string' ? { message: error.message } : {}),
      details: error.details,
    };
  } catch {
    return undefined;
  }
}

function describeRequest(request: ApiRequest): string {
  return `${request.method} ${request.path}`;
}

function attemptsSuffix(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}
