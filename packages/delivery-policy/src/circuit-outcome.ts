import type { CircuitOutcome } from './circuit-settings';
import type { AttemptOutcome } from './decide';

/**
 * Classifies a delivery attempt for the circuit breaker. A 5xx, a 408, a
 * timeout and a connection error are failures and a 2xx is a success. Every
 * other result is ignored: a 429 or another 4xx shows that the origin responds,
 * a 3xx is not followed, and a rejected target never sent a request.
 */
export function circuitOutcomeOf(outcome: AttemptOutcome): CircuitOutcome {
  switch (outcome.kind) {
    case 'http':
      return circuitOutcomeOfStatus(outcome.status);
    case 'timeout':
    case 'connection':
      return 'failure';
    case 'refused_target':
      return 'ignored';
  }
}

function circuitOutcomeOfStatus(status: number): CircuitOutcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 408 || status >= 500) return 'failure';
  return 'ignored';
}
