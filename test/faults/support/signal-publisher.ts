import { Pool } from 'undici';
import { sleep } from './timing';

/** The source of every signal the fault suite publishes. */
export const FAULT_SOURCE = 'signalpost-faults';

const REQUEST_TIMEOUT_MS = 15_000;

/** Options of {@link publishSignals}. */
export interface PublishOptions {
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** The loop stops sending new requests at this time (Unix ms). */
  readonly deadlineMs: number;
  /**
   * Sends a signal again after a non-202 response or none, up to this many
   * requests in all, once every other signal had its first try.
   * @defaultValue 1, no repeat
   */
  readonly maxTries?: number;
  /** Pause before repeating a signal. @defaultValue 500 */
  readonly repeatDelayMs?: number;
}

/** One request of the loop and how it ended. */
export interface PublishAttempt {
  readonly id: string;
  /** HTTP status, or 0 when the request failed or timed out. */
  readonly status: number;
  /** The API's error code, when it sent one. */
  readonly code?: string;
  readonly retryAfter?: string;
  /** The `duplicate` flag of a 202. */
  readonly duplicate?: boolean;
  readonly latencyMs: number;
  readonly startedAt: number;
  readonly error?: string;
}

/** The figures of a publish loop; the test reads them while it runs too. */
export class PublishProgress {
  /** Ids the API accepted with 202 at least once. */
  readonly accepted = new Set<string>();
  /** Ids accepted with `duplicate: true` at least once. */
  readonly duplicates = new Set<string>();
  readonly attempts: PublishAttempt[] = [];
  /** Ids the loop never got a 202 for before its deadline or its tries ran out. */
  readonly unaccepted = new Set<string>();
  finished = false;

  /** Requests counted by status (`0` when no response), e.g. `{"202": 9990}`. */
  statusCounts(): Record<string, number> {
    return countBy(this.attempts, (attempt) => String(attempt.status));
  }

  /** Non-202 responses counted by `<status> <code>`. */
  refusalCounts(): Record<string, number> {
    return countBy(
      this.attempts.filter((attempt) => attempt.status !== 202),
      (attempt) => `${attempt.status} ${attempt.code ?? attempt.error ?? ''}`,
    );
  }

  /** Latency percentile in ms over every request that got a response. */
  latencyPercentileMs(percentile: number): number {
    const sorted = this.attempts
      .filter((attempt) => attempt.status !== 0)
      .map((attempt) => attempt.latencyMs)
      .sort((a, b) => a - b);
    if (sorted.length === 0) return 0;
    const index = Math.min(
      sorted.length - 1,
      Math.floor((percentile / 100) * sorted.length),
    );
    return sorted[index] ?? 0;
  }
}

/** Builds a structured-mode signal of the suite with the given `id`. */
export function faultSignal(type: string, id: string): Record<string, unknown> {
  return { specversion: '1.0', type, source: FAULT_SOURCE, id, data: { id } };
}

/**
 * Publishes one signal per id to `POST /v1/signals`, `concurrency` at a
 * time, until every id was accepted with 202, its tries are spent, or the
 * deadline passed. It never sends more than `ids.length × maxTries`
 * requests, and fills `progress` as responses arrive.
 */
export async function publishSignals(
  origin: string,
  apiKey: string,
  type: string,
  ids: readonly string[],
  options: PublishOptions,
  progress = new PublishProgress(),
): Promise<PublishProgress> {
  const pool = new Pool(origin, { connections: options.concurrency });
  const maxTries = options.maxTries ?? 1;
  try {
    let round = [...ids];
    for (let tries = 1; tries <= maxTries && round.length > 0; tries += 1) {
      if (tries > 1) await sleep(options.repeatDelayMs ?? 500);
      await publishRound(pool, apiKey, type, round, options, progress);
      round = round.filter((id) => !progress.accepted.has(id));
    }
    for (const id of ids) {
      if (progress.accepted.has(id)) progress.unaccepted.delete(id);
      else progress.unaccepted.add(id);
    }
  } finally {
    progress.finished = true;
    await pool.close();
  }
  return progress;
}

async function publishRound(
  pool: Pool,
  apiKey: string,
  type: string,
  ids: readonly string[],
  options: PublishOptions,
  progress: PublishProgress,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ids.length && Date.now() < options.deadlineMs) {
      const id = ids[next] as string;
      next += 1;
      const attempt = await publishOne(pool, apiKey, type, id);
      progress.attempts.push(attempt);
      if (attempt.status === 202) progress.accepted.add(id);
      if (attempt.duplicate) progress.duplicates.add(id);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
}

async function publishOne(
  pool: Pool,
  apiKey: string,
  type: string,
  id: string,
): Promise<PublishAttempt> {
  const startedAt = Date.now();
  try {
    const response = await pool.request({
      method: 'POST',
      path: '/v1/signals',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(faultSignal(type, id)),
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    const body = (await response.body.json().catch(() => undefined)) as
      { duplicate?: boolean; error?: { code?: string } } | undefined;
    const retryAfter = response.headers['retry-after'];
    return {
      id,
      status: response.statusCode,
      latencyMs: Date.now() - startedAt,
      startedAt,
      ...(body?.error?.code ? { code: body.error.code } : {}),
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
      ...(body?.duplicate === true ? { duplicate: true } : {}),
    };
  } catch (error) {
    return {
      id,
      status: 0,
      latencyMs: Date.now() - startedAt,
      startedAt,
      error: (error as Error).name,
    };
  }
}

function countBy<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = keyOf(item);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
