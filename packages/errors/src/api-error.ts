import { API_ERROR_CODES, type ApiErrorCode } from './api-error-codes';

/** Options of an {@link ApiError} beyond its code and message. */
export interface ApiErrorOptions {
  /** Field paths, batch indexes or candidates, returned as `details`. */
  details?: unknown;
  /** Seconds for the `Retry-After` header. */
  retryAfterSec?: number;
  /** The underlying error; never sent to the client. */
  cause?: unknown;
}

/**
 * An error the API returns as `{"error": {"code", "message", "details"}}`
 * with the status of its code. Messages must be safe to show: no secrets.
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly retryAfterSec: number | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERROR_CODES[code].status;
    this.details = options.details;
    this.retryAfterSec = options.retryAfterSec;
  }

  /** The JSON body the API sends. */
  toBody(): { error: { code: string; message: string; details?: unknown } } {
    const error: { code: string; message: string; details?: unknown } = {
      code: this.code,
      message: this.message,
    };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}
