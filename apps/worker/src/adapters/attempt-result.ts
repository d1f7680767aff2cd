import type { AttemptErrorClass } from '@signalpost/store';

/** Outcome of one attempt to reach a target. */
export interface AttemptResult {
  readonly ok: boolean;
  readonly statusCode?: number;
  readonly durationMs: number;
  readonly errorClass?: AttemptErrorClass;
  readonly errorMessage?: string;
  /** The first 4 KiB of the response body, as text. */
  readonly responseBody?: string;
  /** The raw `Retry-After` header of a 429 or 503. */
  readonly retryAfter?: string;
  /** Set when a worker shutdown aborted the request; no attempt is counted. */
  readonly abortedByShutdown?: boolean;
}
