import type { ClientErrorCode } from './client-error-codes';

/**
 * An error the client raises before sending or after reading a response:
 * an invalid option or argument, or a 2xx body that is not the JSON
 * expected. Retrying the same call does not help.
 */
export class SignalpostClientError extends Error {
  /** One of `SIGNALPOST_ERR_CLIENT_INVALID_*`. */
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignalpostClientError';
    this.code = code;
  }
}
