import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import {
  APP_BUNDLES,
  buildBundles,
  bundleFile,
  type BundleEntry,
} from '../scripts/build';
import { ApiClient } from './api-client';
import { childEnv } from './child-env';
import { describeFirstExit, readMemoryOf } from './child-status';
import { freePort } from './free-port';
import type { ProcessMemory } from './proc-status';
import type { ProcessGroup, TrackedChild } from './process-group';
import { sleep } from './sleep';

/** The repository root, where `npm start` runs the apps from too. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** The API key of every benchmark stack, with every scope. */
export const BENCH_API_KEY = 'bench-admin-key-0001';

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
/**
 * `SHUTDOWN_GRACE_MS` of each app: how long in-flight deliveries may finish
 * at shutdown. Short, because a step's leftover work is discarded.
 */
const SHUTDOWN_GRACE_MS = 5_000;
/** The benchmark's own bundles, built into dist/bench/ beside the apps'. */
const BENCH_BUNDLES: readonly BundleEntry[] = [
  { name: 'bench/baseline-worker', source: 'bench/baseline-worker.ts' },
  { name: 'bench/cost-probe', source: 'bench/costs/cost-probe.ts' },
];
const PROBE_MODULE = bundleFile('bench/cost-probe');

/** The bundle of `bench/baseline-worker.ts`, as {@link buildBenchBundles} writes it. */
export const BASELINE_WORKER_BUNDLE = bundleFile('bench/baseline-worker');

let benchBundles: Promise<void> | undefined;

/** Options of {@link startSignalpostStack}. */
export interface StackOptions {
  /** Redis for every app, or per app name (`api`, `router`, `worker-1`...). */
  readonly redisUrl: string | ((name: string) => string);
  /** Key prefix, with its hash tag. */
  readonly prefix: string;
  readonly workers: number;
  /** `WORKER_CONCURRENCY` of each worker. */
  readonly concurrency: number;
  /** Write CPU profiles of every app under this folder. @defaultValue none */
  readonly cpuProfileDir?: string;
  /**
   * Load the cost probe into every app and open an IPC channel.
   * @defaultValue false
   */
  readonly probe?: boolean;
}

/** An API, a router and workers, each in its own process. */
export interface SignalpostStack {
  readonly api: ApiClient;
  readonly apiUrl: string;
  readonly children: readonly TrackedChild[];
  /** Describes the first app that exited, or `undefined` while all run. */
  failure(): string | undefined;
  /** Reads the memory of each app now, by app name. */
  readMemory(): Record<string, ProcessMemory>;
  stop(): Promise<void>;
}

interface AppLaunch {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly env: Record<string, string>;
}

/**
 * Bundles the apps, the baseline worker and the cost probe into dist/ once
 * per run, so both sides of the comparison run compiled JavaScript.
 */
export function buildBenchBundles(): Promise<void> {
  benchBundles ??= buildBundles({
    entries: [...APP_BUNDLES, ...BENCH_BUNDLES],
  }).then(() => undefined);
  return benchBundles;
}

/**
 * Starts the apps as `npm start` does: bundles them first, runs each as
 * `node dist/<app>.js` and waits until each one's `/readyz` responds 200.
 * @throws Error naming the app that did not become ready.
 */
export async function startSignalpostStack(
  group: ProcessGroup,
  options: StackOptions,
): Promise<SignalpostStack> {
  await buildBenchBundles();
  const launches = await planLaunches(options);
  const children = launches.map((launch) =>
    group.start({
      name: launch.name,
      command: process.execPath,
      args: nodeArgs(launch, options),
      env: childEnv(process.env, launch.env),
      cwd: REPOSITORY_ROOT,
      ipc: options.probe === true,
    }),
  );
  const stack = buildStack(group, children, launches);
  try {
    await Promise.all(
      launches.map((launch, index) =>
        waitForReady(launch, children[index] as TrackedChild),
      ),
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

async function planLaunches(options: StackOptions): Promise<AppLaunch[]> {
  const names = [
    'api',
    'router',
    ...Array.from({ length: options.workers }, (_, i) => `worker-${i + 1}`),
  ];
  const launches: AppLaunch[] = [];
  for (const name of names) {
    const port = await freePort();
    launches.push({
      name,
      entry: bundleFile(name.replace(/-\d+$/, '')),
      port,
      env: appEnv(name, port, options),
    });
  }
  return launches;
}

function appEnv(
  name: string,
  port: number,
  options: StackOptions,
): Record<string, string> {
  const redisUrl =
    typeof options.redisUrl === 'string'
      ? options.redisUrl
      : options.redisUrl(name);
  return {
    REDIS_URL: redisUrl,
    SIGNALPOST_PREFIX: options.prefix,
    SIGNALPOST_API_KEYS: `${BENCH_API_KEY}=admin`,
    SIGNALPOST_ALLOW_TARGETS: '127.0.0.0/8',
    HOST: '127.0.0.1',
    // The API serves health and metrics on its main port when both match.
    PORT: String(port),
    METRICS_PORT: String(port),
    WORKER_CONCURRENCY: String(options.concurrency),
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
  };
}

function nodeArgs(launch: AppLaunch, options: StackOptions): string[] {
  const args: string[] = [];
  if (options.probe) args.push('--import', pathToFileURL(PROBE_MODULE).href);
  if (options.cpuProfileDir) {
    const dir = path.join(options.cpuProfileDir, launch.name);
    mkdirSync(dir, { recursive: true });
    args.push('--cpu-prof', '--cpu-prof-dir', dir);
  }
  args.push(launch.entry);
  return args;
}

function buildStack(
  group: ProcessGroup,
  children: readonly TrackedChild[],
  launches: readonly AppLaunch[],
): SignalpostStack {
  const apiUrl = `http://127.0.0.1:${launches[0]?.port ?? 0}`;
  const api = new ApiClient(apiUrl, BENCH_API_KEY);
  let stopping: Promise<void> | undefined;
  return {
    api,
    apiUrl,
    children,
    failure: () => describeFirstExit(children),
    readMemory: () => readMemoryOf(children),
    stop: () =>
      (stopping ??= (async () => {
        await api.close().catch(() => undefined);
        await group.stopAll(children, SHUTDOWN_GRACE_MS + 5_000);
      })()),
  };
}

async function waitForReady(
  launch: AppLaunch,
  child: TrackedChild,
): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  const url = `http://127.0.0.1:${launch.port}/readyz`;
  while (performance.now() < deadline) {
    if (child.exit) break;
    if (await isReady(url)) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error(
    `${launch.name} was not ready within ${READY_TIMEOUT_MS} ms${child.exit ? ` (exited with code ${child.exit.code})` : ''}: ${child.outputTail.slice(-5).join(' | ')}`,
  );
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await request(url, {
      signal: AbortSignal.timeout(2_000),
    });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
