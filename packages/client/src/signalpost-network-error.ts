import { CLIENT_ERROR_CODES } from './client-error-codes';

/** The codes a {@link SignalpostNetworkError} carries. */
export type NetworkErrorCode =
  typeof CLIENT_ERROR_CODES.timeout | typeof CLIENT_ERROR_CODES.connection;

/**
 * No response from the API after every attempt: the connection failed or
 * an attempt timed out. The request may or may not have been processed, so
 * only a request with an idempotency key is safe to send again.
 */
export class SignalpostNetworkError extends Error {
  /** `SIGNALPOST_ERR_CLIENT_TIMEOUT` or `SIGNALPOST_ERR_CLIENT_CONNECTION`. */
  readonly code: NetworkErrorCode;
  /** Attempts made, the first one included. */
  readonly attempts: number;

  constructor(
    code: NetworkErrorCode,
    message: string,
    attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SignalpostNetworkError';
    this.code = code;
    this.attempts = attempts;
  }
}
