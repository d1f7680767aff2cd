import { CLIENT_ERROR_CODES } from './client-error-codes';
import { describeValue } from './describe-value';
import { SignalpostClientError } from './signalpost-client-error';

/** Options of `new SignalpostClient(...)`. */
export interface SignalpostClientOptions {
  /**
   * Base URL of the API, such as `http://127.0.0.1:8080`. A path is kept as
   * a prefix of every route. Credentials in the URL are rejected.
   */
  readonly baseUrl: string;
  /** API key, sent as `Authorization: Bearer` and never put in error messages. */
  readonly apiKey: string;
  /**
   * Deadline of one attempt, response body included, in milliseconds.
   * @defaultValue 10000
   */
  readonly timeoutMs?: number;
  /**
   * Retries after the first attempt, so a call makes at most
   * `maxRetries + 1` requests. At most 100.
   * @defaultValue 5
   */
  readonly maxRetries?: number;
  /**
   * Backoff before the first retry, in milliseconds, doubled on each further
   * retry up to `retryMaxDelayMs`.
   * @defaultValue 500
   */
  readonly retryBaseDelayMs?: number;
  /**
   * Maximum backoff, in milliseconds. A `Retry-After` longer than this ends
   * the retries at once, so the caller gets the error and its
   * `retryAfterSec` without a long hidden wait.
   * @defaultValue 30000
   */
  readonly retryMaxDelayMs?: number;
  /** The fetch implementation. @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof fetch;
}

/** Client options after validation, with defaults filled in. */
export interface ResolvedClientOptions {
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly fetch: typeof fetch;
}

/** Defaults of the optional {@link SignalpostClientOptions}. */
export const CLIENT_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  maxRetries: 5,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
});

/** Upper bound of `maxRetries`, so a misconfigured client cannot loop on. */
export const MAX_RETRIES_LIMIT = 100;

/** Visible ASCII only: anything else could break the Authorization header. */
const API_KEY_PATTERN = /^[\x21-\x7e]+$/;

/**
 * Validates client options once and fills in the defaults.
 *
 * @throws SignalpostClientError `SIGNALPOST_ERR_CLIENT_INVALID_OPTION`,
 *   naming the option, the rule and the value (never the key's value)
 */
export function resolveClientOptions(
  options: SignalpostClientOptions,
): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options must be an object');
  }
  const resolved = {
    baseUrl: resolveBaseUrl(options.baseUrl),
    apiKey: resolveApiKey(options.apiKey),
    timeoutMs: options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs,
    maxRetries: options.maxRetries ?? CLIENT_DEFAULTS.maxRetries,
    retryBaseDelayMs:
      options.retryBaseDelayMs ?? CLIENT_DEFAULTS.retryBaseDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? CLIENT_DEFAULTS.retryMaxDelayMs,
    fetch: options.fetch ?? globalThis.fetch,
  };
  checkNumbers(resolved);
  if (typeof resolved.fetch !== 'function') {
    throw invalidOption('fetch must be a function');
  }
  return Object.freeze(resolved);
}

function resolveBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw invalidOption(
      `baseUrl must be an absolute http or https URL, got ${describeValue(value)}`,
    );
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidOption(`baseUrl must use http or https, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidOption(
      'baseUrl must not contain credentials; pass the API key as apiKey',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidOption('baseUrl must not have a query or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function resolveApiKey(value: unknown): string {
  if (typeof value === 'string' && API_KEY_PATTERN.test(value)) return value;
  throw invalidOption(
    'apiKey must be a non-empty string of visible ASCII characters',
  );
}

function checkNumbers(options: Omit<ResolvedClientOptions, 'fetch'>): void {
  const { timeoutMs, maxRetries, retryBaseDelayMs, retryMaxDelayMs } = options;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw invalidOption(
      `timeoutMs must be a positive integer, got ${describeValue(timeoutMs)}`,
    );
  }
  if (
    !Number.isSafeInteger(maxRetries) ||
    maxRetries < 0 ||
    maxRetries > MAX_RETRIES_LIMIT
  ) {
    throw invalidOption(
      `maxRetries must be an integer from 0 to ${MAX_RETRIES_LIMIT}, got ${describeValue(maxRetries)}`,
    );
  }
  if (!Number.isSafeInteger(retryBaseDelayMs) || retryBaseDelayMs < 0) {
    throw invalidOption(
      `retryBaseDelayMs must be an integer of at least 0, got ${describeValue(retryBaseDelayMs)}`,
    );
  }
  if (
    !Number.isSafeInteger(retryMaxDelayMs) ||
    retryMaxDelayMs < retryBaseDelayMs
  ) {
    throw invalidOption(
      `retryMaxDelayMs must be an integer of at least retryBaseDelayMs (${retryBaseDelayMs}), got ${describeValue(retryMaxDelayMs)}`,
    );
  }
}

function invalidOption(message: string): SignalpostClientError {
  return new SignalpostClientError(CLIENT_ERROR_CODES.invalidOption, message);
}
