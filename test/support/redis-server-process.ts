import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Defaults of {@link spawnRedisServer} and {@link findFreePort}. */
export const REDIS_SERVER_PROCESS_DEFAULTS = Object.freeze({
  /**
   * Time a new server has to reply to PING.
   * @defaultValue 15000
   */
  startTimeoutMs: 15_000,
  /**
   * Time a server has to exit after SIGTERM before it gets SIGKILL.
   * @defaultValue 5000
   */
  stopTimeoutMs: 5_000,
  /**
   * Ports asked of the operating system before {@link findFreePort} fails.
   * @defaultValue 50
   */
  maxPortTries: 50,
});

/** A redis-server child process of a test, on 127.0.0.1. */
export interface RedisServerProcess {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Output of the server, kept to explain a failed start. */
  readonly output: string[];
  /** Stops the server with SIGTERM, or SIGKILL when it does not exit. */
  stop(): Promise<void>;
}

/** Options of {@link findFreePort}. */
export interface FreePortOptions {
  /**
   * Also require `port + offset` to be free, as a cluster node's bus port
   * is its client port plus 10000.
   * @defaultValue undefined: only the port itself
   */
  readonly alsoFreeAtOffset?: number;
}

/**
 * Starts `redis-server` bound to 127.0.0.1 on `port`, with `args` appended
 * after the port and bind arguments, and waits until it replies to PING.
 *
 * @throws Error with the server's output when it exits or stays silent
 *   past `startTimeoutMs`
 */
export async function spawnRedisServer(
  port: number,
  args: readonly string[],
  startTimeoutMs: number = REDIS_SERVER_PROCESS_DEFAULTS.startTimeoutMs,
): Promise<RedisServerProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = exitOf(child, output);

  const server: RedisServerProcess = {
    port,
    url: `redis://127.0.0.1:${port}`,
    output,
    stop: () => stopChild(child, exited),
  };
  try {
    await waitForPing(server, exited, startTimeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * Returns a port on 127.0.0.1 that was free a moment ago, below 65536 minus
 * `alsoFreeAtOffset`.
 * NOTE: another process may bind the port between this call and its use.
 * On loopback in a test run that is unlikely but possible.
 *
 * @throws Error after `maxPortTries` ports that did not fit
 */
export async function findFreePort(
  options: FreePortOptions = {},
): Promise<number> {
  const offset = options.alsoFreeAtOffset;
  const maxTries = REDIS_SERVER_PROCESS_DEFAULTS.maxPortTries;
  for (let attempt = 0; attempt < maxTries; attempt += 1) {
    const port = await bindAndRelease(0);
    if (offset === undefined) return port;
    if (port + offset > 65_535) continue;
    if ((await bindAndRelease(port + offset)) > 0) return port;
  }
  throw new Error(`no free port pair found in ${maxTries} tries`);
}

/** Resolves with the bound port, or 0 when `port` is taken. */
function bindAndRelease(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(0));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/** Resolves when the child exits, or fails to start (no redis-server). */
function exitOf(child: ChildProcess, output: string[]): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output.push(`failed to run redis-server: ${error.message}\n`);
      resolve();
    });
  });
}

async function waitForPing(
  server: RedisServerProcess,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !hasExited) {
    if (await answersPing(server.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const reason = hasExited ? 'exited' : `was silent for ${timeoutMs} ms`;
  throw new Error(
    `redis-server on port ${server.port} ${reason}:\n${server.output.join('')}`,
  );
}

/**
 * Sends PING over a raw socket. An ioredis 5.11 client is not used here,
 * because after a refused connection its `connectTimeout` timer keeps
 * running and keeps the test process alive for that long.
 */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.pid === undefined) return;
  child.kill('SIGTERM');
  const timeoutMs = REDIS_SERVER_PROCESS_DEFAULTS.stopTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  const late = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}
