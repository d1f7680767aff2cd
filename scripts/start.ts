/**
 * `npm start`: bundles the apps into dist/ as `npm run build` does, then
 * runs the API, the router, the workers and the monitor as separate
 * `node dist/<app>.js` processes sharing one Redis. With no REDIS_URL it
 * starts a private redis-server with its data in .data/redis. With no
 * API keys, in SIGNALPOST_API_KEYS or the config file, it makes an admin
 * key, binds to loopback and prints a curl that publishes. It checks the
 * configuration and that the apps' ports are free before it starts any.
 * It restarts an app that dies (but not one that keeps dying at start) and
 * stops everything on Ctrl-C or SIGTERM, Redis last.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '@signalpost/config';
import { buildBundles, bundleFile } from './build';
import { lockDataDir, type DataDirLock } from './data-dir-lock';

const ROOT = path.resolve(__dirname, '..');
/** Data folder of the private redis-server, started without REDIS_URL. */
const PRIVATE_REDIS_DIR = path.join(ROOT, '.data', 'redis');
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
const REDIS_START_TIMEOUT_MS = 10_000;
/** An app that exits this soon after a start counts as a quick exit. */
const QUICK_EXIT_MS = 10_000;
/** Quick exits in a row after which an app is not restarted again. */
const MAX_QUICK_EXITS = 5;
/** Plugin files that Node cannot load without the tsx loader. */
const TYPESCRIPT_FILE = /\.[cm]?ts$/i;

interface AppSpec {
  readonly name: string;
  /** The bundle under dist/ that the app runs. */
  readonly bundle: string;
  readonly env: Record<string, string>;
}

interface Supervised {
  readonly spec: AppSpec;
  child: ChildProcess | undefined;
  restarts: number;
  startedAtMs: number;
  quickExits: number;
}

let stopping = false;
let exitCode = 0;
const supervised: Supervised[] = [];
let redisProcess: ChildProcess | undefined;
/** The lock on the private Redis data folder, while this run holds it. */
let dataDirLock: DataDirLock | undefined;

async function main(): Promise<void> {
  const env = { ...process.env } as Record<string, string>;
  const port = Number(nonEmpty(env.PORT) ?? 8080);
  const workers = Number(nonEmpty(env.SIGNALPOST_WORKERS) ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(
      `SIGNALPOST_WORKERS must be an integer from 1 to 64, got ${env.SIGNALPOST_WORKERS}`,
    );
  }
  // A terminal's Ctrl-C reaches every process of the group and npm may
  // forward it again; stopAll runs once and ignores the repeats.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void stopAll(`${signal} received`));

  const privateRedis =
    !nonEmpty(env.REDIS_URL) && !nonEmpty(env.REDIS_CLUSTER_NODES);
  if (privateRedis) {
    mkdirSync(PRIVATE_REDIS_DIR, { recursive: true });
    dataDirLock = lockDataDir(PRIVATE_REDIS_DIR);
    process.once('exit', () => dataDirLock?.release());
  }
  await buildApps();

  // loadConfig also reports an invalid configuration once, here, rather
  // than in a restart loop of every app.
  const demo = loadConfig(env).apiKeys.length === 0;
  const host = nonEmpty(env.HOST) ?? (demo ? '127.0.0.1' : '0.0.0.0');
  const specs = appSpecs(port, workers);
  await assertPortsFree(host, specs);
  if (privateRedis) env.REDIS_URL = await startPrivateRedis();
  const demoKey = demo ? applyDemoDefaults(env) : undefined;
  for (const spec of specs) {
    const entry: Supervised = {
      spec: { ...spec, env: { ...env, ...spec.env } },
      child: undefined,
      restarts: 0,
      startedAtMs: 0,
      quickExits: 0,
    };
    supervised.push(entry);
    launch(entry);
  }
  printBanner(host, port, specs, demoKey);
}

/**
 * Makes an admin key for a run without API keys, binds every app to
 * loopback and admits loopback targets for the demo receiver. Whatever is
 * set explicitly wins. Returns the key it made.
 */
function applyDemoDefaults(env: Record<string, string>): string {
  const key = `sp_${randomBytes(18).toString('base64url')}`;
  env.SIGNALPOST_API_KEYS = `${key}=admin`;
  env.HOST = nonEmpty(env.HOST) ?? '127.0.0.1';
  env.SIGNALPOST_ALLOW_TARGETS =
    nonEmpty(env.SIGNALPOST_ALLOW_TARGETS) ?? '127.0.0.0/8';
  return key;
}

/** Lists the apps and their ports: the API on PORT, then router, workers, monitor. */
function appSpecs(port: number, workers: number): AppSpec[] {
  return [
    {
      name: 'api',
      bundle: 'api',
      env: { PORT: String(port), METRICS_PORT: String(port) },
    },
    {
      name: 'router',
      bundle: 'router',
      env: { METRICS_PORT: String(port + 1) },
    },
    ...Array.from({ length: workers }, (_, index) => ({
      name: workers === 1 ? 'worker' : `worker-${index + 1}`,
      bundle: 'worker',
      env: { METRICS_PORT: String(port + 2 + index) },
    })),
    {
      name: 'monitor',
      bundle: 'monitor',
      env: { METRICS_PORT: String(port + 2 + workers) },
    },
  ];
}

async function buildApps(): Promise<void> {
  const startedMs = Date.now();
  const bundles = await buildBundles();
  log(
    `built ${bundles.length} bundles into dist/ in ${Date.now() - startedMs} ms`,
  );
}

function launch(entry: Supervised): void {
  const bundle = path.relative(ROOT, bundleFile(entry.spec.bundle));
  const args = [...loaderArgs(entry.spec.env), bundle];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: entry.spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  entry.child = child;
  entry.startedAtMs = Date.now();
  prefixLines(child.stdout, entry.spec.name, process.stdout);
  prefixLines(child.stderr, entry.spec.name, process.stderr);
  child.once('exit', (code, signal) =>
    restartLater(entry, signal ?? `code ${code}`),
  );
}

/**
 * Loads tsx into the apps only when SIGNALPOST_PLUGINS names a TypeScript
 * file, which Node 20 cannot load by itself. The bundles are JavaScript.
 */
function loaderArgs(env: Record<string, string>): string[] {
  const plugins = nonEmpty(env.SIGNALPOST_PLUGINS)?.trim();
  return plugins && TYPESCRIPT_FILE.test(plugins) ? ['--import', 'tsx'] : [];
}

function restartLater(entry: Supervised, how: string): void {
  entry.child = undefined;
  if (stopping) return;
  const quick = Date.now() - entry.startedAtMs < QUICK_EXIT_MS;
  entry.quickExits = quick ? entry.quickExits + 1 : 0;
  // A long healthy run starts the back-off afresh.
  if (!quick) entry.restarts = 0;
  if (entry.quickExits >= MAX_QUICK_EXITS) {
    log(
      `${entry.spec.name} exited ${MAX_QUICK_EXITS} times right after starting; ` +
        'fix the error it printed, then run npm start again',
    );
    exitCode = 1;
    void stopAll(`${entry.spec.name} keeps exiting`);
    return;
  }
  const delay = Math.min(
    RESTART_DELAY_MS * 2 ** Math.min(entry.restarts, 5),
    MAX_RESTART_DELAY_MS,
  );
  entry.restarts += 1;
  log(`${entry.spec.name} exited (${how}); restarting in ${delay} ms`);
  setTimeout(() => {
    if (!stopping) launch(entry);
  }, delay).unref();
}

/** Stops every app, then Redis, and exits. `reason` is logged first. */
async function stopAll(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${reason}: stopping every app`);
  const graceMs =
    Number(nonEmpty(process.env.SHUTDOWN_GRACE_MS) ?? 25_000) + 5_000;
  await Promise.all(supervised.map((entry) => stopChild(entry.child, graceMs)));
  if (redisProcess) await stopChild(redisProcess, 10_000);
  dataDirLock?.release();
  log('stopped');
  process.exit(exitCode);
}

function stopChild(
  child: ChildProcess | undefined,
  graceMs: number,
): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startPrivateRedis(): Promise<string> {
  const port = await freePort();
  const dir = PRIVATE_REDIS_DIR;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  // Its own process group keeps a terminal's Ctrl-C from stopping Redis
  // before the apps have drained; stopAll stops it last.
  const child = spawn('redis-server', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.once('error', (error) => {
    log(
      `cannot start redis-server (${error.message}): install it or set REDIS_URL`,
    );
    process.exit(1);
  });
  prefixLines(child.stdout, 'redis', process.stdout);
  prefixLines(child.stderr, 'redis', process.stderr);
  redisProcess = child;
  // The server has a process group of its own, so it outlives a run that
  // is killed. The lock then stays until it stops too.
  if (child.pid !== undefined) dataDirLock?.addServer(child.pid);
  await waitForPort(port);
  log(
    `started a private redis-server on 127.0.0.1:${port} with its data in ${path.relative(ROOT, dir)}`,
  );
  return `redis://127.0.0.1:${port}`;
}

function printBanner(
  host: string,
  port: number,
  specs: AppSpec[],
  demoKey: string | undefined,
): void {
  const ports = specs
    .map((spec) => `${spec.name} ${spec.env.METRICS_PORT}`)
    .join(', ');
  log(
    `API on http://${host}:${port}; /metrics, /healthz and /readyz per app on ports: ${ports}`,
  );
  if (!demoKey) return;
  log(`generated an admin API key for this run: ${demoKey}`);
  log('publish a signal with:');
  process.stdout.write(
    `\n  curl -sS -X POST http://127.0.0.1:${port}/v1/signals \\\n` +
      `    -H "Authorization: Bearer ${demoKey}" -H 'content-type: application/json' \\\n` +
      `    -d '{"type":"order.created","source":"shop","data":{"orderId":42}}'\n\n`,
  );
}

function prefixLines(
  stream: NodeJS.ReadableStream | null,
  name: string,
  output: NodeJS.WriteStream,
): void {
  if (!stream) return;
  const label = `[${name}]`.padEnd(11);
  createInterface({ input: stream }).on('line', (line) =>
    output.write(`${label} ${line}\n`),
  );
}

function log(message: string): void {
  process.stdout.write(`[start]     ${message}\n`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0),
      );
    });
  });
}

/**
 * Checks that every app can listen on its port, so that a port in use
 * stops the run before it starts Redis or prints a key.
 */
async function assertPortsFree(host: string, specs: AppSpec[]): Promise<void> {
  const ports = specs.map((spec) => Number(spec.env.METRICS_PORT));
  for (const [index, spec] of specs.entries()) {
    const port = ports[index] as number;
    const code = await listenError(host, port);
    if (code === undefined) continue;
    throw new Error(
      `port ${port} on ${host}, for the ${spec.name}, is not free (${code}): ` +
        `stop what uses it, or set PORT so that ports ${ports[0]} to ` +
        `${ports[ports.length - 1]} are free`,
    );
  }
}

/** Returns the error code of listening on `port`, or undefined if it worked. */
function listenError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code ?? error.message),
    );
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `redis-server did not listen on port ${port} within ${REDIS_START_TIMEOUT_MS} ms`,
  );
}

main().catch((error: Error) => {
  log(`failed to start: ${error.message}`);
  exitCode = 1;
  void stopAll('start failed');
});
