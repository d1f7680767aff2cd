import {
  CLIENT_ERROR_CODES,
  SignalpostApiError,
  SignalpostClientError,
  SignalpostNetworkError,
} from '@signalpost/client';
import { EXIT_CODES, exitCodeOf, worseExitCode } from '../src/exit-codes';
import { UsageError } from '../src/usage-error';

function apiError(status: number): SignalpostApiError {
  return new SignalpostApiError({
    status,
    code: 'x',
    message: 'x',
    attempts: 1,
  });
}

describe('exitCodeOf', () => {
  it.each<[string, unknown, number]>([
    ['a usage error', new UsageError('x'), EXIT_CODES.usage],
    [
      'an invalid option',
      new SignalpostClientError(CLIENT_ERROR_CODES.invalidOption, 'x'),
      EXIT_CODES.usage,
    ],
    ['a 400', apiError(400), EXIT_CODES.refused],
    ['a 403', apiError(403), EXIT_CODES.refused],
    ['a 429', apiError(429), EXIT_CODES.refused],
    ['a 500', apiError(500), EXIT_CODES.unavailable],
    ['a 503', apiError(503), EXIT_CODES.unavailable],
    [
      'a network error',
      new SignalpostNetworkError(CLIENT_ERROR_CODES.connection, 'x', 1),
      EXIT_CODES.unavailable,
    ],
    [
      'an invalid response',
      new SignalpostClientError(CLIENT_ERROR_CODES.invalidResponse, 'x'),
      EXIT_CODES.unavailable,
    ],
    ['an unexpected error', new Error('x'), EXIT_CODES.usage],
  ])('maps %s to %i', (_name, error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });
});

describe('worseExitCode', () => {
  it('ranks unavailable over refused over usage over ok', () => {
    expect(worseExitCode(EXIT_CODES.ok, EXIT_CODES.usage)).toBe(1);
    expect(worseExitCode(EXIT_CODES.refused, EXIT_CODES.usage)).toBe(2);
    expect(worseExitCode(EXIT_CODES.unavailable, EXIT_CODES.refused)).toBe(3);
  });
});
