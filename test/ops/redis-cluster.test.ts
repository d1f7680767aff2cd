import { Cluster, type Redis } from 'ioredis';
import { loadConfig } from '@signalpost/config';
import {
  FixedWindowCounter,
  InFlightLimiter,
  SharedCircuitBreaker,
  TokenBucket,
} from '@signalpost/delivery-policy';
import { createRedisConnection, redisKeys } from '@signalpost/queues';
import {
  startWorker,
  type RunningWorker,
} from '../../apps/worker/src/start-worker';
import {
  createCapturedLogger,
  type CapturedLogger,
} from '../support/captured-logger';
import { startReceiver, type Receiver } from '../support/receiver';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster';
import { dumpPrefix } from '../support/redis-dump';
import { startTestStack, waitFor, type TestStack } from '../support/stack';
import { waitForDelivery } from '../support/wait-for-delivery';

/** Keys whose slot is checked. A node with fewer keys has all of them checked. */
const SLOT_SAMPLE_SIZE = 200;
/** Window of the rate limit that lets one request through. */
const RATE_WINDOW_MS = 2000;
/** Prefix of the keys that the script tests write straight to the cluster. */
const POLICY_PREFIX = '{sp-policy}';

describe('on a three-node Redis Cluster', () => {
  let cluster: RedisCluster;
  let nodes: Redis[];

  const clusterEnv = (): Record<string, string> => ({
    REDIS_CLUSTER_NODES: cluster.nodesVariable,
    REDIS_URL: '',
  });

  beforeAll(async () => {
    cluster = await startRedisCluster();
    nodes = cluster.ports.map((port) => cluster.connectNode(port));
  });

  afterAll(async () => {
    for (const node of nodes ?? []) node.disconnect();
    await cluster?.close();
  });

  describe('the configuration', () => {
    it('treats an empty REDIS_URL as unset', () => {
      const config = loadConfig({
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: cluster.nodesVariable,
      });
      expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    });

    it('parses every REDIS_CLUSTER_NODES seed', () => {
      const config = loadConfig(clusterEnv());
      const expected = cluster.ports.map((port) => ({
        host: '127.0.0.1',
        port,
      }));
      expect(config.redisClusterNodes).toEqual(expected);
    });

    it('opens a cluster client when both variables are set', async () => {
      const config = loadConfig({
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_CLUSTER_NODES: cluster.nodesVariable,
      });
      const redis = createRedisConnection(config, 'request', 'config-test');
      try {
        expect(redis).toBeInstanceOf(Cluster);
        expect(await redis.ping()).toBe('PONG');
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('the delivery policy scripts on a cluster client', () => {
    let redis: Cluster;
    const keys = redisKeys(POLICY_PREFIX);

    beforeAll(() => {
      redis = createRedisConnection(
        loadConfig(clusterEnv()),
        'request',
        'policy-test',
      ) as Cluster;
    });

    afterAll(() => redis.disconnect());

    it('takes tokens and then rejects from the token bucket', async () => {
      const bucket = new TokenBucket(redis);
      const params = { capacity: 2, refillPerMs: 1 / 60_000 };
      const key = keys.bucket('cluster');
      const first = await bucket.take(key, params);
      const second = await bucket.take(key, params);
      const third = await bucket.take(key, params);
      expect(first.granted).toBe(true);
      expect(second.granted).toBe(true);
      expect(third.granted).toBe(false);
      expect(third.retryAfterMs).toBeGreaterThan(0);
    });

    it('caps the in-flight leases of a target', async () => {
      const limiter = new InFlightLimiter(redis);
      const key = keys.inFlight('cluster');
      const first = await limiter.acquire(key, 'lease-1', 1, 60_000);
      const second = await limiter.acquire(key, 'lease-2', 1, 60_000);
      expect(first.acquired).toBe(true);
      expect(second.acquired).toBe(false);
      expect(await limiter.renew(key, 'lease-1', 60_000)).toBe(true);
      await limiter.release(key, 'lease-1');
      const third = await limiter.acquire(key, 'lease-2', 1, 60_000);
      expect(third.acquired).toBe(true);
    });

    it('counts throttle hits in a fixed window', async () => {
      const counter = new FixedWindowCounter(redis);
      const key = keys.throttle('cluster', 'k');
      const hits = [];
      for (let index = 0; index < 3; index += 1) {
        hits.push(await counter.hit(key, 2, 60_000));
      }
      expect(hits.map((hit) => hit.allowed)).toEqual([true, true, false]);
    });

    it('opens the shared circuit after failures', async () => {
      const breaker = new SharedCircuitBreaker(redis);
      const origin = 'http://127.0.0.1:9';
      const circuitKeys = {
        breaker: keys.breaker(origin),
        registry: keys.breakers,
        origin,
      };
      const settings = {
        failureThreshold: 2,
        errorThresholdPercentage: 50,
        failureWindowMs: 60_000,
        recoveryTimeoutMs: 60_000,
        halfOpenMaxCalls: 1,
      };
      await breaker.record(circuitKeys, settings, 'failure');
      const status = await breaker.record(circuitKeys, settings, 'failure');
      const admission = await breaker.admit(circuitKeys, settings);
      expect(status.state).toBe('open');
      expect(admission.admitted).toBe(false);
      expect(await breaker.state(circuitKeys)).toBe('open');
      expect(await redis.smembers(keys.breakers)).toEqual([origin]);
    });

    it('reloads a script after every node flushed its cache', async () => {
      const counter = new FixedWindowCounter(redis);
      const key = keys.throttle('flushed', 'k');
      await counter.hit(key, 5, 60_000);
      for (const node of nodes) await node.script('FLUSH');
      const hit = await counter.hit(key, 5, 60_000);
      expect(hit.count).toBe(2);
    });
  });

  describe('with a stack on one prefix', () => {
    let stack: TestStack;
    let receiver: Receiver;
    let captured: CapturedLogger;

    beforeAll(async () => {
      captured = createCapturedLogger('info');
      stack = await startTestStack(clusterEnv(), 1, captured.logger);
      receiver = await startReceiver();
      const plain = await stack.request('PUT', '/v1/subscriptions/plain', {
        body: {
          pattern: 'cluster.plain',
          dispatch: { adapter: 'webhook', url: `${receiver.url}/plain` },
        },
      });
      expect(plain.status).toBe(201);
    });

    afterAll(async () => {
      await stack?.close();
      await receiver?.close();
    });

    const publish = (body: unknown, headers: Record<string, string> = {}) =>
      stack.request('POST', '/v1/signals', { body, headers });
    const receivedIds = (path: string): string[] =>
      receiver.requests
        .filter((request) => request.url === path)
        .map((request) => (JSON.parse(request.body.toString()) as Signal).id);

    it('connects the apps to the cluster', () => {
      expect(stack.api.context.redis).toBeInstanceOf(Cluster);
      expect(stack.config.redisClusterNodes).toHaveLength(3);
    });

    it('delivers a published signal to the receiver', async () => {
      const published = await publish({
        type: 'cluster.plain',
        source: 'ops',
        id: 'plain-1',
      });
      expect(published.status).toBe(202);
      const delivery = await waitForDelivery(stack, 'plain-1');
      expect(delivery.state).toBe('delivered');
      expect(receivedIds('/plain')).toContain('plain-1');
    });

    it('reports a repeated (source, id) as a duplicate', async () => {
      const signal = { type: 'cluster.plain', source: 'ops', id: 'dup-1' };
      const first = await publish(signal);
      const second = await publish(signal);
      expect(first.body).toEqual({ id: 'dup-1', duplicate: false });
      expect(second.status).toBe(202);
      expect(second.body).toEqual({ id: 'dup-1', duplicate: true });
      await waitForDelivery(stack, 'dup-1');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const copies = receivedIds('/plain').filter((id) => id === 'dup-1');
      expect(copies).toHaveLength(1);
    });

    it('replays the first response of an Idempotency-Key', async () => {
      const headers = { 'idempotency-key': 'cluster-key-1' };
      const body = { type: 'cluster.plain', source: 'ops' };
      const first = await publish(body, headers);
      const second = await publish(body, headers);
      const reused = await publish({ ...body, data: 1 }, headers);
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body).toEqual({ id: first.body.id, duplicate: true });
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
    });

    describe('a subscription with every delivery limit', () => {
      const ids = ['limited-1', 'limited-2', 'limited-3'];

      beforeAll(async () => {
        const created = await stack.request(
          'PUT',
          '/v1/subscriptions/limited',
          {
            body: {
              pattern: 'cluster.limited',
              dispatch: {
                adapter: 'webhook',
                url: `${receiver.url}/limited`,
                rateLimit: { requests: 1, windowMs: RATE_WINDOW_MS },
                maxInFlight: 1,
                throttle: { key: 'data.group', maxCalls: 2, windowMs: 60_000 },
                circuitBreaker: {
                  failureThreshold: 5,
                  recoveryTimeoutMs: 1000,
                },
              },
            },
          },
        );
        expect(created.status).toBe(201);
        const items = ids.map((id) => ({
          type: 'cluster.limited',
          source: 'ops',
          id,
          data: { group: 'g' },
        }));
        const published = await stack.request('POST', '/v1/signals', {
          rawBody: JSON.stringify(items),
          headers: { 'content-type': 'application/cloudevents-batch+json' },
        });
        expect(published.status).toBe(202);
      });

      const endedStates = async (): Promise<string[]> => {
        const states: string[] = [];
        for (const id of ids) {
          states.push((await waitForDelivery(stack, id)).state);
        }
        return states.sort();
      };

      it('delivers two signals and throttles the third', async () => {
        expect(await endedStates()).toEqual([
          'delivered',
          'delivered',
          'throttled',
        ]);
        expect(receivedIds('/limited')).toHaveLength(2);
      });

      it('spaces the two requests by the rate limit', async () => {
        await endedStates();
        const times = receiver.requests
          .filter((request) => request.url === '/limited')
          .map((request) => request.at);
        const [first = 0, second = 0] = times;
        // The margin covers the time the first request took to arrive.
        expect(second - first).toBeGreaterThanOrEqual(RATE_WINDOW_MS - 500);
      });

      it('records the origin in the shared circuit registry', async () => {
        await endedStates();
        const origin = new URL(receiver.url).origin;
        const registry = await stack.api.context.redis.smembers(
          stack.api.context.keys.breakers,
        );
        expect(registry).toContain(origin);
        const metrics = await stack.request('GET', '/metrics', { key: null });
        expect(metrics.body).toContain(
          `signalpost_circuit_state{origin="${origin}",app="api"} 0`,
        );
      });

      it('logs no error from a Redis script', async () => {
        await endedStates();
        const problems = captured.lines
          .map((line) => JSON.parse(line) as { level: number; msg: string })
          .filter((entry) => entry.level >= 40);
        expect(problems).toEqual([]);
      });
    });

    it('answers /readyz with 200', async () => {
      const ready = await stack.request('GET', '/readyz', { key: null });
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
    });

    it('writes every key of the prefix into one hash slot', async () => {
      await waitForDelivery(stack, 'plain-1');
      const prefix = stack.config.prefix;
      const perNode = await Promise.all(
        nodes.map((node) => scanPrefix(node, prefix)),
      );
      const holders = perNode.filter((keys) => keys.length > 0);
      expect(holders).toHaveLength(1);

      const [keys = []] = holders;
      const expectedSlot = await keySlot(nodes[0] as Redis, prefix);
      const sample = keys.slice(0, SLOT_SAMPLE_SIZE);
      const slots = new Set<number>();
      for (const key of sample) {
        slots.add(await keySlot(nodes[0] as Redis, key));
      }
      expect(keys.length).toBeGreaterThan(10);
      expect([...slots]).toEqual([expectedSlot]);
      expect(keys.every((key) => key.startsWith(`${prefix}:`))).toBe(true);
    });

    it('writes no key outside the two prefixes in use', async () => {
      const prefixes = [`${POLICY_PREFIX}:`, `${stack.config.prefix}:`];
      const everyKey = (
        await Promise.all(nodes.map((node) => scanPrefix(node, '')))
      ).flat();
      const strays = everyKey.filter(
        (key) => !prefixes.some((prefix) => key.startsWith(prefix)),
      );
      expect(everyKey.length).toBeGreaterThan(10);
      expect(strays).toEqual([]);
    });

    it('writes nothing to the Redis of REDIS_URL', async () => {
      expect(await dumpPrefix(stack.config.prefix)).toBe('');
    });
  });

  describe('with stacks on the prefixes {a} and {b}', () => {
    let stackA: TestStack;
    let stackB: TestStack;
    let workerA: RunningWorker | undefined;
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await startReceiver();
      // Stack {a} starts without a worker, so its deliveries stay waiting.
      stackA = await startTestStack(
        { ...clusterEnv(), SIGNALPOST_PREFIX: '{a}' },
        0,
      );
      stackB = await startTestStack(
        { ...clusterEnv(), SIGNALPOST_PREFIX: '{b}' },
        1,
      );
      for (const [name, stack] of [
        ['a', stackA],
        ['b', stackB],
      ] as const) {
        const created = await stack.request(
          'PUT',
          `/v1/subscriptions/${name}`,
          {
            body: {
              pattern: 'cluster.two',
              dispatch: { adapter: 'webhook', url: `${receiver.url}/${name}` },
            },
          },
        );
        expect(created.status).toBe(201);
      }
    });

    afterAll(async () => {
      await workerA?.close();
      await stackA?.close();
      await stackB?.close();
      await receiver?.close();
    });

    const publishTo = (stack: TestStack, id: string) =>
      stack.request('POST', '/v1/signals', {
        body: { type: 'cluster.two', source: 'ops', id },
      });

    it('places the two prefixes on different nodes', async () => {
      const owners = [];
      for (const tag of ['{a}', '{b}']) {
        owners.push(await slotOwner(nodes[0] as Redis, tag));
      }
      expect(owners[0]).not.toBe(owners[1]);
    });

    it('keeps waiting deliveries in <prefix>:deliveries:wait', async () => {
      expect((await publishTo(stackA, 'wait-1')).status).toBe(202);
      expect((await publishTo(stackA, 'wait-2')).status).toBe(202);
      const redis = stackA.api.context.redis;
      const length = await waitFor(
        async () => {
          const count = await redis.llen('{a}:deliveries:wait');
          return count >= 2 ? count : undefined;
        },
        15_000,
        'two waiting deliveries of {a}',
      );
      expect(length).toBe(2);
      expect(await redis.type('{a}:deliveries:wait')).toBe('list');
    });

    it('keeps the keys of each prefix in its own slot', async () => {
      for (const tag of ['{a}', '{b}']) {
        const owner = await slotOwner(nodes[0] as Redis, tag);
        const holders = [];
        for (const [index, node] of nodes.entries()) {
          const keys = await scanPrefix(node, tag);
          if (keys.length > 0)
            holders.push(`127.0.0.1:${cluster.ports[index]}`);
        }
        expect(holders).toEqual([owner]);
      }
    });

    it('delivers on both prefixes', async () => {
      expect((await publishTo(stackB, 'b-1')).status).toBe(202);
      workerA = await startWorker(stackA.config, { healthServer: false });
      const deliveredA = await waitForDelivery(stackA, 'wait-1');
      const deliveredB = await waitForDelivery(stackB, 'b-1');
      expect(deliveredA.state).toBe('delivered');
      expect(deliveredB.state).toBe('delivered');
      const paths = receiver.requests.map((request) => request.url).sort();
      expect(paths).toEqual(['/a', '/a', '/b']);
    });
  });
});

interface Signal {
  readonly id: string;
}

/** Lists every key on one node whose name starts with `prefix`, sorted. */
async function scanPrefix(node: Redis, prefix: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  // Each round moves the cursor on, and SCAN returns 0 after a full pass.
  do {
    const [next, batch] = await node.scan(
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    for (const key of batch) keys.add(key);
  } while (cursor !== '0');
  return [...keys].sort();
}

async function keySlot(node: Redis, key: string): Promise<number> {
  return Number(await node.call('CLUSTER', 'KEYSLOT', key));
}

/** Finds the `host:port` of the master that serves `key`'s slot. */
async function slotOwner(node: Redis, key: string): Promise<string> {
  const slot = await keySlot(node, key);
  const ranges = (await node.call('CLUSTER', 'SLOTS')) as [
    number,
    number,
    [string, number],
  ][];
  const range = ranges.find(([start, end]) => start <= slot && slot <= end);
  if (!range) throw new Error(`no node serves slot ${slot}`);
  const [host, port] = range[2];
  return `${host}:${port}`;
}
