/** Stable code of {@link PatternError}, for callers that switch on codes. */
export const PATTERN_INVALID_CODE = 'SIGNALPOST_ERR_PATTERN_INVALID';

/**
 * Error thrown when a subscription pattern is invalid. The message names the
 * fault and the segment index where it occurs.
 */
export class PatternError extends Error {
  /** Stable error code, the same for every invalid pattern. */
  readonly code = PATTERN_INVALID_CODE;

  /** The rejected pattern, exactly as the caller passed it. */
  readonly pattern: string;

  constructor(pattern: string, message: string) {
    super(message);
    this.name = 'PatternError';
    this.pattern = pattern;
  }
}
