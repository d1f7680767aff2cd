/** Code of a {@link CircuitOpenError}. */
export const CIRCUIT_OPEN_ERROR_CODE = 'SIGNALPOST_ERR_CIRCUIT_OPEN';

/**
 * Raised by the circuit breaker itself, before any request is sent, when
 * the circuit of the target's origin is open, or half-open with every trial
 * permit taken. The delivery should be held for `retryAfterMs` (plus
 * jitter) and counts no attempt.
 */
export class CircuitOpenError extends Error {
  readonly code = CIRCUIT_OPEN_ERROR_CODE;

  /**
   * @param origin - origin of the target, which carries no credentials
   * @param state - `open`, or `half_open` when every trial permit is taken
   * @param retryAfterMs - time until the circuit half-opens, or until a
   *   trial permit may be free again, in milliseconds
   */
  constructor(
    readonly origin: string,
    readonly state: 'open' | 'half_open',
    readonly retryAfterMs: number,
  ) {
    super(
      `circuit breaker for ${origin} is ${describeState(state)}, so no request was sent; retry after ${retryAfterMs} ms`,
    );
    this.name = 'CircuitOpenError';
  }
}

function describeState(state: 'open' | 'half_open'): string {
  return state === 'open' ? 'open' : 'half-open with every trial permit taken';
}
