import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import {
  startRouter,
  type RunningRouter,
} from '../../apps/router/src/start-router';
import {
  startWorker,
  type RunningWorker,
} from '../../apps/worker/src/start-worker';
import { loadConfig, type SignalpostConfig } from '@signalpost/config';
import pino, { type Logger } from 'pino';
import { sendApiRequest } from './api-request';
import { deletePrefix, testPrefix, testRedisUrl } from './redis';

/** The API key every test stack accepts, with every scope. */
export const ADMIN_KEY = 'test-admin-key-0001';
/** A key that may only publish. */
export const PUBLISH_KEY = 'test-publish-key-0001';

/** An API, a router and workers in this process, on a fresh key prefix. */
export interface TestStack {
  readonly config: SignalpostConfig;
  readonly api: RunningApi;
  readonly router: RunningRouter;
  readonly workers: RunningWorker[];
  readonly baseUrl: string;
  /** Sends a request to the API with the admin key unless told otherwise. */
  request(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** API key to send; `null` sends none. @defaultValue {@link ADMIN_KEY} */
  readonly key?: string | null;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Starts a stack. `env` overrides the environment the apps read, and
 * `logger` replaces the silent logger that every app of the stack shares.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  workerCount = 1,
  logger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
): Promise<TestStack> {
  const prefix = testPrefix('stack');
  const config = loadConfig({
    REDIS_URL: testRedisUrl(),
    SIGNALPOST_PREFIX: prefix,
    SIGNALPOST_API_KEYS: `${ADMIN_KEY}=admin,${PUBLISH_KEY}=signals:publish`,
    SIGNALPOST_ALLOW_TARGETS: '127.0.0.0/8',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: '10',
    ...env,
  });
  const api = await startApi(config, { logger, healthServer: false });
  const router = await startRouter(config, { logger, healthServer: false });
  const workers: RunningWorker[] = [];
  for (let index = 0; index < workerCount; index += 1) {
    workers.push(await startWorker(config, { logger, healthServer: false }));
  }
  const baseUrl = `http://127.0.0.1:${api.port}`;

  return {
    config,
    api,
    router,
    workers,
    baseUrl,
    request: (method, path, options = {}) =>
      sendApiRequest(baseUrl, method, path, options),
    close: async () => {
      for (const worker of workers) await worker.close();
      await router.close();
      await api.close();
      await deletePrefix(prefix);
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
