import { ConfigError } from '@signalpost/config';
import { MAX_TOKEN_BUCKET_REFILL_MS } from '@signalpost/delivery-policy';

/** The signals one API key may publish per window, shared by all replicas. */
export interface IngestRateLimit {
  /** Signals allowed per window. A batch counts each of its signals. */
  readonly requests: number;
  /** Window length, in milliseconds. */
  readonly windowMs: number;
}

const OPTION_KEY = 'ingestRateLimit';

/**
 * Validates the ingest rate limit option once, at start, and returns it
 * frozen, or undefined when no limit is set.
 *
 * @throws ConfigError naming `ingestRateLimit.requests` or
 * `ingestRateLimit.windowMs` when a value is not a positive integer, or the
 * window is longer than {@link MAX_TOKEN_BUCKET_REFILL_MS}
 */
export function parseIngestRateLimit(
  option: IngestRateLimit | undefined,
): IngestRateLimit | undefined {
  if (option === undefined) return undefined;

  const { requests, windowMs } = option;
  requirePositiveInteger('requests', requests);
  requirePositiveInteger('windowMs', windowMs);
  if (windowMs > MAX_TOKEN_BUCKET_REFILL_MS) {
    const rule = `must be at most ${MAX_TOKEN_BUCKET_REFILL_MS} ms`;
    throw new ConfigError(`${OPTION_KEY}.windowMs`, `${rule}, got ${windowMs}`);
  }
  return Object.freeze({ requests, windowMs });
}

function requirePositiveInteger(name: string, value: number): void {
  if (Number.isSafeInteger(value) && value > 0) return;
  const received =
    typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new ConfigError(
    `${OPTION_KEY}.${name}`,
    `must be a positive integer, got ${received}`,
  );
}
