import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findFreePort,
  spawnRedisServer,
  type RedisServerProcess,
} from './redis-server-process';

/** A private redis-server started with a chosen `maxmemory-policy`. */
export interface PolicyRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/**
 * Starts a redis-server of a test's own on a free port with the given
 * `maxmemory-policy` (such as `allkeys-lru`, which Signalpost must reject)
 * and a `maxmemory` of 64 MiB, so the policy could take effect. It keeps
 * no data on disk.
 */
export async function startPolicyRedis(policy: string): Promise<PolicyRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-policy-redis-'));
  let server: RedisServerProcess;
  try {
    server = await spawnRedisServer(await findFreePort(), [
      '--maxmemory-policy',
      policy,
      '--maxmemory',
      '64mb',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
