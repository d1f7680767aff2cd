import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-ports';
import { forgetGroup, killGroupOnExit } from './process-tree';

/** How long a started redis-server may take to load its AOF and reply to PING. */
const START_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 1_000;

/**
 * A redis-server of the suite's own that writes every command to its
 * append-only file and fsyncs before it replies (`appendfsync always`), so
 * it can be killed with SIGKILL and started again from its data folder with
 * nothing acknowledged lost.
 */
export class AofRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  /** Starts a server on a free loopback port with an empty data folder. */
  static async start(): Promise<AofRedis> {
    const port = await freePort();
    const dataDir = mkdtempSync(
      path.join(tmpdir(), 'signalpost-faults-redis-'),
    );
    const redis = new AofRedis(port, dataDir);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The server's pid; undefined while it is down. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server (again) from its data folder and waits for PING. */
  async restart(): Promise<void> {
    if (this.child) return;
    const child = spawn('redis-server', this.arguments(), {
      stdio: 'ignore',
      // A group of its own keeps a terminal's Ctrl-C away from it, so the
      // suite's cleanup decides when it stops.
      detached: true,
    });
    this.child = child;
    if (child.pid !== undefined) killGroupOnExit(child.pid);
    await waitForPong(this.port, START_TIMEOUT_MS);
  }

  /** Kills the server with SIGKILL, as a crash would, and waits for its exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => resolve()),
    );
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await withTimeout(exited, EXIT_TIMEOUT_MS, 'redis-server to exit');
    }
    if (child.pid !== undefined) forgetGroup(child.pid);
  }

  /** Kills the server and deletes its data folder. */
  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private arguments(): string[] {
    return [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dataDir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ];
  }
}

/** Waits until the server replies to PING with PONG, not `-LOADING`. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await repliesPong(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `redis-server on port ${port} did not reply to PING within ${timeoutMs} ms`,
  );
}

function repliesPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const finish = (replied: boolean): void => {
      socket.destroy();
      resolve(replied);
    };
    socket.setTimeout(PING_TIMEOUT_MS, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

async function withTimeout(
  promise: Promise<void>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what}`),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
