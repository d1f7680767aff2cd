import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DEFAULT_URL = 'redis://127.0.0.1:6379';
const PING_TIMEOUT_MS = 1000;
const START_TIMEOUT_MS = 10_000;

/**
 * Points every test file at a Redis: `REDIS_URL` when set, else the local
 * default port, else a private `redis-server` on a free port, stopped in
 * global teardown. Test files isolate themselves with their own key prefix.
 */
export default async function globalSetup(): Promise<void> {
  const configured = process.env.REDIS_URL;
  if (configured) return;

  if (await answersPing(DEFAULT_URL)) {
    process.env.REDIS_URL = DEFAULT_URL;
    return;
  }

  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-test-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url);
  process.env.REDIS_URL = url;
  (globalThis as { __SIGNALPOST_REDIS__?: unknown }).__SIGNALPOST_REDIS__ =
    child;
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answersPing(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `redis-server did not answer on ${url} within ${START_TIMEOUT_MS} ms`,
  );
}

function answersPing(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PING_TIMEOUT_MS, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
