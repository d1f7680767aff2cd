/** Stable code of {@link SignalEncodingError}, for callers that switch on codes. */
export const SIGNAL_ENCODING_ERROR_CODE = 'SIGNALPOST_ERR_SIGNAL_ENCODING';

/**
 * Error thrown when a signal cannot be encoded in the requested format: an
 * unknown format, or an attribute that binary mode cannot carry in a header.
 * Attributes of a signal that `parseSignal` returned always fit a header.
 */
export class SignalEncodingError extends Error {
  /** Stable error code, the same for every encoding failure. */
  readonly code = SIGNAL_ENCODING_ERROR_CODE;

  constructor(message: string) {
    super(message);
    this.name = 'SignalEncodingError';
  }
}
