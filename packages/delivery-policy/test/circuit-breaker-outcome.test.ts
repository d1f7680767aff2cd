import {
  CIRCUIT_OPEN_ERROR_CODE,
  CircuitOpenError,
  circuitOutcomeOf,
  type AttemptOutcome,
  type CircuitOutcome,
} from '../src';

describe('circuitOutcomeOf', () => {
  it.each<[AttemptOutcome, CircuitOutcome]>([
    [{ kind: 'http', status: 200 }, 'success'],
    [{ kind: 'http', status: 204 }, 'success'],
    [{ kind: 'http', status: 299 }, 'success'],
    [{ kind: 'http', status: 500 }, 'failure'],
    [{ kind: 'http', status: 502 }, 'failure'],
    [{ kind: 'http', status: 503 }, 'failure'],
    [{ kind: 'http', status: 599 }, 'failure'],
    [{ kind: 'http', status: 408 }, 'failure'],
    [{ kind: 'timeout' }, 'failure'],
    [{ kind: 'connection' }, 'failure'],
    [{ kind: 'http', status: 429 }, 'ignored'],
    [{ kind: 'http', status: 400 }, 'ignored'],
    [{ kind: 'http', status: 404 }, 'ignored'],
    [{ kind: 'http', status: 410 }, 'ignored'],
    [{ kind: 'http', status: 301 }, 'ignored'],
    [{ kind: 'http', status: 101 }, 'ignored'],
    [{ kind: 'refused_target' }, 'ignored'],
  ])('classifies %j as %s', (outcome, expected) => {
    expect(circuitOutcomeOf(outcome)).toBe(expected);
  });
});

describe('CircuitOpenError', () => {
  it('carries the origin, state and wait', () => {
    const error = new CircuitOpenError('https://a.example', 'open', 1500);

    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(CIRCUIT_OPEN_ERROR_CODE);
    expect(error.name).toBe('CircuitOpenError');
    expect(error.origin).toBe('https://a.example');
    expect(error.state).toBe('open');
    expect(error.retryAfterMs).toBe(1500);
    expect(error.message).toBe(
      'circuit breaker for https://a.example is open, so no request was sent; retry after 1500 ms',
    );
  });

  it('says when every trial permit is taken', () => {
    const error = new CircuitOpenError('https://a.example', 'half_open', 1000);

    expect(error.message).toContain('half-open with every trial permit taken');
  });
});
