import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './free-port';
import type { ProcessGroup, TrackedChild } from './process-group';

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

/** The benchmark's private Redis. */
export interface BenchRedis {
  readonly url: string;
  readonly port: number;
  readonly child: TrackedChild;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server on 127.0.0.1 with persistence off (no RDB
 * snapshots, no AOF), so disk writes do not enter the numbers. A production
 * Redis with `appendfsync everysec` does more work per write.
 */
export async function startBenchRedis(
  group: ProcessGroup,
  cwd: string,
): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-bench-redis-'));
  const child = group.start({
    name: 'redis',
    command: 'redis-server',
    args: redisArgs(port, dir),
    env: process.env,
    cwd,
  });
  try {
    await waitForPort(port, START_TIMEOUT_MS);
  } catch (error) {
    await group.stop(child, STOP_GRACE_MS);
    throw new Error(
      `redis-server did not start (${(error as Error).message}); is redis-server installed? ${child.outputTail.join(' ')}`,
    );
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    stop: async () => {
      await group.stop(child, STOP_GRACE_MS);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function redisArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ];
}
