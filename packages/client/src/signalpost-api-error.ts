/** Fields of a {@link SignalpostApiError}. */
export interface SignalpostApiErrorInit {
  /** HTTP status of the last response. */
  readonly status: number;
  /**
   * The API's error code, such as `forbidden` or `validation_failed`, or
   * `http_<status>` when the body is not the API's error shape (for example
   * a proxy's HTML page).
   */
  readonly code: string;
  readonly message: string;
  /** `details` of the error body: field paths, batch indexes or candidates. */
  readonly details?: unknown;
  /** Seconds from the `Retry-After` header, when the response had one. */
  readonly retryAfterSec?: number;
  /** Attempts made, the first one included. */
  readonly attempts: number;
}

/**
 * The API returned a status other than 2xx, after any retries. The
 * message names the method, path, status and code, never the API key.
 */
export class SignalpostApiError extends Error {
  readonly status: number;
  /** The API's error code, or `http_<status>` for a body of another shape. */
  readonly code: string;
  readonly details: unknown;
  readonly retryAfterSec: number | undefined;
  /** Attempts made, the first one included. */
  readonly attempts: number;

  constructor(init: SignalpostApiErrorInit) {
    super(init.message);
    this.name = 'SignalpostApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.retryAfterSec = init.retryAfterSec;
    this.attempts = init.attempts;
  }
}
