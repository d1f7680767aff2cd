import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import {
  findFreePort,
  spawnRedisServer,
  type RedisServerProcess,
} from './redis-server-process';

const execFileAsync = promisify(execFile);

/** Defaults of {@link startRedisCluster}. */
export const REDIS_CLUSTER_DEFAULTS = Object.freeze({
  /**
   * Master nodes, each with an equal share of the 16384 slots.
   * @defaultValue 3
   */
  nodeCount: 3,
  /**
   * Time `redis-cli --cluster create` and the wait for `cluster_state:ok`
   * each have.
   * @defaultValue 30000
   */
  formTimeoutMs: 30_000,
});

/** A cluster node's bus port is its client port plus this offset. */
const CLUSTER_BUS_PORT_OFFSET = 10_000;

/** A Redis Cluster of masters without replicas, on 127.0.0.1. */
export interface RedisCluster {
  /** Client ports of the nodes, in creation order. */
  readonly ports: readonly number[];
  /** The nodes as `REDIS_CLUSTER_NODES` takes them: `127.0.0.1:P1,...`. */
  readonly nodesVariable: string;
  /** Opens a plain (non-cluster) connection to one node. */
  connectNode(port: number): Redis;
  /** Stops every node and removes their data directory. */
  close(): Promise<void>;
}

/**
 * Starts `nodeCount` cluster-enabled redis-servers on free ports, joins
 * them with `redis-cli --cluster create`, and waits until every node
 * reports `cluster_state:ok`. On failure it stops what it started.
 *
 * @throws Error naming the step that failed
 */
export async function startRedisCluster(
  nodeCount: number = REDIS_CLUSTER_DEFAULTS.nodeCount,
): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-cluster-'));
  const servers: RedisServerProcess[] = [];
  const cluster = clusterOf(servers, dir);
  try {
    for (let index = 0; index < nodeCount; index += 1) {
      servers.push(await startNode(dir));
    }
    await createCluster(cluster.ports);
    await waitForClusterOk(cluster);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

function clusterOf(servers: RedisServerProcess[], dir: string): RedisCluster {
  return {
    get ports() {
      return servers.map((server) => server.port);
    },
    get nodesVariable() {
      return servers.map((server) => `127.0.0.1:${server.port}`).join(',');
    },
    connectNode: (port) => new Redis(port, '127.0.0.1'),
    close: async () => {
      for (const server of servers) await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startNode(dir: string): Promise<RedisServerProcess> {
  const port = await findFreePort({
    alsoFreeAtOffset: CLUSTER_BUS_PORT_OFFSET,
  });
  return spawnRedisServer(port, [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${port}.conf`,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
}

async function createCluster(ports: readonly number[]): Promise<void> {
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  const args = [
    '--cluster',
    'create',
    ...nodes,
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ];
  try {
    await execFileAsync('redis-cli', args, {
      timeout: REDIS_CLUSTER_DEFAULTS.formTimeoutMs,
    });
  } catch (error) {
    const failure = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `redis-cli --cluster create failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    );
  }
}

async function waitForClusterOk(cluster: RedisCluster): Promise<void> {
  const deadline = Date.now() + REDIS_CLUSTER_DEFAULTS.formTimeoutMs;
  const clients = cluster.ports.map((port) => cluster.connectNode(port));
  try {
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(clients.map(readClusterState));
      if (states.every((state) => state === 'ok')) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `cluster_state stayed ${states.join(', ')} on ports ${cluster.ports.join(', ')}`,
    );
  } finally {
    for (const client of clients) client.disconnect();
  }
}

async function readClusterState(client: Redis): Promise<string> {
  const info = (await client.call('CLUSTER', 'INFO')) as string;
  return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
}
