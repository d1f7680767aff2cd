/**
 * A stand-in worker process for the multi-process circuit test. Arguments:
 * Redis URL, circuit keys as JSON, circuit settings as JSON, target URL,
 * and optionally `successBatchMs`. With a batch delay, `onRecordError`
 * writes errors from recording outcomes to stderr. Each stdin line
 * `{"id": n}` fires one POST to the target through the circuit, and the
 * worker writes one JSON line back with the same id. It prints
 * `{"ready": true}` once connected and exits when stdin ends.
 */
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { request } from 'undici';
import {
  CircuitOpenError,
  circuitOutcomeOf,
  createOriginBreaker,
  SharedCircuitBreaker,
  type CircuitKeys,
  type CircuitSettings,
} from '../src';

/** The reply to one fire command. */
export type WorkerReply =
  | { readonly id: number; readonly sent: true; readonly status: number }
  | {
      readonly id: number;
      readonly sent: false;
      readonly code: string;
      readonly state: string;
      readonly retryAfterMs: number;
    };

async function main(): Promise<void> {
  const [redisUrl, keysJson, settingsJson, targetUrl, batchMsText] =
    process.argv.slice(2);
  if (!redisUrl || !keysJson || !settingsJson || !targetUrl) {
    throw new Error(
      'usage: REDIS_URL KEYS_JSON SETTINGS_JSON TARGET_URL [SUCCESS_BATCH_MS]',
    );
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await redis.ping();
  const keys = JSON.parse(keysJson) as CircuitKeys;
  const settings = JSON.parse(settingsJson) as CircuitSettings;
  const shared = new SharedCircuitBreaker(redis);
  const successBatchMs = Number(batchMsText ?? 0);
  const breaker = createOriginBreaker(
    shared,
    keys,
    settings,
    successBatchMs > 0
      ? { successBatchMs, onRecordError: writeRecordError }
      : {},
  );

  const send = async (): Promise<number> => {
    const response = await request(targetUrl, { method: 'POST' });
    await response.body.dump();
    return response.statusCode;
  };
  const fire = async (id: number): Promise<WorkerReply> => {
    try {
      const status = await breaker.fire(send, (code) =>
        circuitOutcomeOf({ kind: 'http', status: code }),
      );
      return { id, sent: true, status };
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) throw error;
      const { code, state, retryAfterMs } = error;
      return { id, sent: false, code, state, retryAfterMs };
    }
  };

  const pending: Promise<void>[] = [];
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const { id } = JSON.parse(line) as { id: number };
    const replied = fire(id).then((reply) => {
      process.stdout.write(`${JSON.stringify(reply)}\n`);
    });
    pending.push(replied);
  }
  await Promise.all(pending);
  breaker.shutdown();
  await redis.quit();
}

function writeRecordError(error: unknown): void {
  process.stderr.write(`circuit outcome not recorded: ${String(error)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
