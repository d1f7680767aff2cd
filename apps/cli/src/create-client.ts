import { SignalpostClient } from '@signalpost/client';
import type { CliIo } from './cli-io';
import type { OptionValues } from './parse-command-line';
import { UsageError } from './usage-error';

/** API base URL used when neither `--url` nor `SIGNALPOST_URL` is set. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/**
 * Builds the API client from `--url`, `--api-key` and `--max-retries`,
 * falling back to `SIGNALPOST_URL` and `SIGNALPOST_API_KEY`.
 *
 * @throws UsageError when no API key is given or `--max-retries` is not a
 *   whole number. The client itself rejects an invalid URL.
 */
export function createClient(
  options: OptionValues,
  env: CliIo['env'],
): SignalpostClient {
  const apiKey = options['api-key'] ?? nonEmpty(env.SIGNALPOST_API_KEY);
  if (apiKey === undefined) {
    throw new UsageError(
      'missing API key: set SIGNALPOST_API_KEY or pass --api-key',
    );
  }
  return new SignalpostClient({
    baseUrl: options.url ?? nonEmpty(env.SIGNALPOST_URL) ?? DEFAULT_API_URL,
    apiKey,
    ...maxRetriesOf(options['max-retries']),
  });
}

function maxRetriesOf(value: string | undefined): { maxRetries?: number } {
  if (value === undefined) return {};
  if (!/^\d+$/.test(value)) {
    throw new UsageError(
      `--max-retries must be a whole number, got ${JSON.stringify(value)}`,
    );
  }
  return { maxRetries: Number(value) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
