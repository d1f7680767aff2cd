import { loadConfig, type SignalpostConfig } from '@signalpost/config';
import pino, { type Logger } from 'pino';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import {
  startAppProcess,
  stackEnvironment,
  type AppProcess,
} from './app-process';
import { sendApiRequest } from './api-request';
import { deletePrefix, testPrefix, testRedisUrl } from './redis';
import { findFreePort } from './redis-server-process';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  type RequestOptions,
  type TestResponse,
} from './stack';

/** Defaults of {@link startProcessStack}. */
export const PROCESS_STACK_DEFAULTS = Object.freeze({
  /**
   * Time an app process has to exit after SIGTERM before it gets SIGKILL.
   * @defaultValue 30000
   */
  stopTimeoutMs: 30_000,
});

/** A router or worker process and the port of its `/metrics`. */
export interface MeteredProcess {
  readonly app: AppProcess;
  readonly metricsPort: number;
}

/**
 * The API in this process, on its main port and a metrics port of its own,
 * with a router and a worker each started as a process, all on one fresh
 * key prefix.
 */
export interface ProcessStack {
  readonly config: SignalpostConfig;
  readonly api: RunningApi;
  /** `http://127.0.0.1:<port>` of the API's main port. */
  readonly baseUrl: string;
  readonly router: MeteredProcess;
  readonly worker: MeteredProcess;
  /** Sends a request to the API with the admin key unless `options.key` is set. */
  request(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<TestResponse>;
  /** Stops the processes, then the API, then deletes the prefix. */
  close(): Promise<void>;
}

/** Options of {@link startProcessStack}. */
export interface ProcessStackOptions {
  /** Environment of all three apps, over the stack's own. @defaultValue {} */
  readonly env?: Record<string, string>;
  /** Logger of the in-process API. @defaultValue a silent pino logger */
  readonly apiLogger?: Logger;
  /**
   * `LOG_LEVEL` of the router and worker processes.
   * @defaultValue 'info'
   */
  readonly processLogLevel?: string;
}

/**
 * Starts the API in this process and a router and a worker as processes,
 * each serving `/metrics` on a free port, and waits until both processes
 * have logged their start. On failure it stops what it started.
 */
export async function startProcessStack(
  options: ProcessStackOptions = {},
): Promise<ProcessStack> {
  const env = options.env ?? {};
  const prefix = testPrefix('procs');
  const config = loadConfig({
    REDIS_URL: testRedisUrl(),
    SIGNALPOST_PREFIX: prefix,
    SIGNALPOST_API_KEYS: `${ADMIN_KEY}=admin,${PUBLISH_KEY}=signals:publish`,
    SIGNALPOST_ALLOW_TARGETS: '127.0.0.0/8',
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: String(await findFreePort()),
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: '10',
    ...env,
  });
  const api = await startApi(config, {
    logger: options.apiLogger ?? pino({ level: 'silent' }),
  });
  const started: MeteredProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const item of started) await stopProcess(item.app);
    await api.close();
    await deletePrefix(prefix);
  };

  try {
    const level = options.processLogLevel ?? 'info';
    for (const app of ['router', 'worker'] as const) {
      started.push(await startMetered(app, config, env, level));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const [router, worker] = started as [MeteredProcess, MeteredProcess];
  const baseUrl = `http://127.0.0.1:${api.port}`;
  return {
    config,
    api,
    baseUrl,
    router,
    worker,
    request: (method, path, requestOptions) =>
      sendApiRequest(baseUrl, method, path, requestOptions),
    close: stopAll,
  };
}

/**
 * Sends SIGTERM and waits for the exit, with SIGKILL after
 * `stopTimeoutMs` for a process that does not stop.
 */
export async function stopProcess(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(
      () => resolve('late'),
      PROCESS_STACK_DEFAULTS.stopTimeoutMs,
    );
  });
  const result = await Promise.race([app.exited, late]);
  clearTimeout(timer);
  if (result === 'late') {
    app.child.kill('SIGKILL');
    await app.exited;
  }
}

async function startMetered(
  app: 'router' | 'worker',
  config: SignalpostConfig,
  env: Record<string, string>,
  logLevel: string,
): Promise<MeteredProcess> {
  const metricsPort = await findFreePort();
  const child = startAppProcess(
    app,
    stackEnvironment(config, {
      ...env,
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: logLevel,
    }),
  );
  try {
    await waitForStart(child, app, metricsPort);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { app: child, metricsPort };
}

/**
 * Waits until the app's health server responds, because a process started
 * with a `LOG_LEVEL` above info prints no start line to wait for.
 */
async function waitForStart(
  child: AppProcess,
  app: string,
  metricsPort: number,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) break;
    const healthy = await fetch(`http://127.0.0.1:${metricsPort}/healthz`)
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${app} did not serve /healthz on port ${metricsPort} within 30 s:\n${child.output.join('')}`,
  );
}
