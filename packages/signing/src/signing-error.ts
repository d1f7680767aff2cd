/** Stable codes of the errors that `signRequest` throws. */
export const SIGNING_ERROR_CODES = Object.freeze({
  /** A secret does not meet its scheme's rules. */
  invalidSecret: 'SIGNALPOST_ERR_SIGNING_INVALID_SECRET',
  /** The id, timestamp, event type or signature header cannot be sent. */
  invalidInput: 'SIGNALPOST_ERR_SIGNING_INVALID_INPUT',
});

/** Code of a `SigningError`. */
export type SigningErrorCode =
  (typeof SIGNING_ERROR_CODES)[keyof typeof SIGNING_ERROR_CODES];

/**
 * Error raised when a request cannot be signed. Its message never contains
 * a secret, so it is safe to log.
 */
export class SigningError extends Error {
  override readonly name = 'SigningError';

  constructor(
    /** Stable code that callers branch on. */
    readonly code: SigningErrorCode,
    message: string,
  ) {
    super(message);
  }
}
