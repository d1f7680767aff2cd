import {
  CLIENT_ERROR_CODES,
  SignalpostApiError,
  SignalpostClientError,
  SignalpostNetworkError,
} from '@signalpost/client';

/** Exit codes of the `signalpost` command. */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  /** A usage error, invalid input, or an unexpected failure of the CLI. */
  usage: 1,
  /** The API rejected the request with a 4xx status. */
  refused: 2,
  /** No response, a 5xx status, or a response that is not the API's. */
  unavailable: 3,
});

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Maps an error thrown by a command to the exit code it ends the CLI with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof SignalpostApiError) {
    return error.status >= 500 ? EXIT_CODES.unavailable : EXIT_CODES.refused;
  }
  if (error instanceof SignalpostNetworkError) return EXIT_CODES.unavailable;
  if (
    error instanceof SignalpostClientError &&
    error.code === CLIENT_ERROR_CODES.invalidResponse
  ) {
    return EXIT_CODES.unavailable;
  }
  return EXIT_CODES.usage;
}

/** Picks the more serious of two exit codes: unavailable, then refused, then usage. */
export function worseExitCode(first: ExitCode, second: ExitCode): ExitCode {
  return Math.max(first, second) as ExitCode;
}
