/**
 * Stable codes of the errors the client raises itself, as opposed to the
 * error codes the API returns (those arrive on `SignalpostApiError.code`).
 */
export const CLIENT_ERROR_CODES = Object.freeze({
  /** A constructor option is missing, out of range or of the wrong type. */
  invalidOption: 'SIGNALPOST_ERR_CLIENT_INVALID_OPTION',
  /** A method argument is missing, out of range or of the wrong type. */
  invalidArgument: 'SIGNALPOST_ERR_CLIENT_INVALID_ARGUMENT',
  /** The server returned 2xx with a body that is not the JSON expected. */
  invalidResponse: 'SIGNALPOST_ERR_CLIENT_INVALID_RESPONSE',
  /** An attempt passed `timeoutMs` before the whole response arrived. */
  timeout: 'SIGNALPOST_ERR_CLIENT_TIMEOUT',
  /** The connection failed: refused, reset, DNS or TLS. */
  connection: 'SIGNALPOST_ERR_CLIENT_CONNECTION',
} as const);

/** One of {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode =
  (typeof CLIENT_ERROR_CODES)[keyof typeof CLIENT_ERROR_CODES];
