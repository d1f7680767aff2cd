import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig, type SignalpostConfig } from '@signalpost/config';
import { SIGNALS_QUEUE } from '@signalpost/queues';
import { testRedisUrl } from '../../../test/support/redis';
import type { HealthSignal } from '../src/signals/health-signal';

/** How a fake service responds: with a status, a stalled body or not at all. */
export type ServiceBehaviour =
  | { readonly status: number; readonly bodyBytes?: number }
  | { readonly silent: true }
  | { readonly stallBody: true };

/** A real HTTP server on 127.0.0.1 standing in for a monitored service. */
export interface FakeService {
  readonly url: string;
  /** Methods of the requests received, in order. */
  readonly methods: string[];
  close(): Promise<void>;
}

/** A job of the signals queue, as a test reads it. */
export interface SignalJob {
  readonly jobId: string;
  readonly signal: HealthSignal;
}

/** A logger that prints nothing unless `TEST_LOG_LEVEL` is set. */
export const testLogger = pino({
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});

/** Starts a fake service on an ephemeral port. */
export async function startService(
  behaviour: ServiceBehaviour,
): Promise<FakeService> {
  const methods: string[] = [];
  const server = http.createServer((request, response) => {
    methods.push(request.method ?? '');
    answer(behaviour, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}/health`,
    methods,
    close: () => closeServer(server),
  };
}

/** Returns a URL on a just-freed port, so connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  await closeServer(server);
  return `http://127.0.0.1:${port}/health`;
}

/**
 * Loads a configuration whose config file contains the given `monitor`
 * section, on the given key prefix and the test Redis.
 */
export function monitorConfig(
  prefix: string,
  monitor: Record<string, unknown>,
): SignalpostConfig {
  const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-monitor-test-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ monitor }));
  try {
    return loadConfig({
      REDIS_URL: testRedisUrl(),
      SIGNALPOST_PREFIX: prefix,
      SIGNALPOST_CONFIG: file,
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads every job of the signals queue under a prefix, in any state. */
export async function readSignalJobs(prefix: string): Promise<SignalJob[]> {
  return withQueue(prefix, SIGNALS_QUEUE, async (queue) => {
    const jobs = await queue.getJobs([
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'completed',
      'failed',
    ]);
    return jobs.map((job) => ({
      jobId: job.id ?? '',
      signal: job.data as HealthSignal,
    }));
  });
}

/** Runs `use` with a queue of its own connection, closed afterwards. */
export async function withQueue<T>(
  prefix: string,
  name: string,
  use: (queue: Queue) => Promise<T>,
): Promise<T> {
  const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix });
  try {
    return await use(queue);
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Returns the interval start that a health signal's id ends with. */
export function intervalStartOf(signal: HealthSignal): number {
  return Number(signal.id.slice(signal.id.lastIndexOf(':') + 1));
}

function answer(
  behaviour: ServiceBehaviour,
  response: http.ServerResponse,
): void {
  if ('silent' in behaviour) return;
  if ('stallBody' in behaviour) {
    response.writeHead(200, { 'content-length': '100' });
    response.write('partial');
    return;
  }
  response.writeHead(behaviour.status);
  response.end(Buffer.alloc(behaviour.bodyBytes ?? 2, 'k'));
}

function portOf(server: http.Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
