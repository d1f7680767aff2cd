import { Redis } from 'ioredis';
import { loadConfig, type SignalpostConfig } from '@signalpost/config';
import pino from 'pino';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import {
  startRouter,
  type RunningRouter,
} from '../../apps/router/src/start-router';
import {
  startWorker,
  type RunningWorker,
} from '../../apps/worker/src/start-worker';
import { startPolicyRedis, type PolicyRedis } from '../support/policy-redis';
import { testPrefix } from '../support/redis';
import { findFreePort } from '../support/redis-server-process';
import { ADMIN_KEY } from '../support/stack';

interface ReadyzResponse {
  readonly status: number;
  readonly body: { status?: string; reason?: string };
}

describe('when Redis evicts keys under memory pressure', () => {
  const silent = pino({ level: 'silent' });
  const prefix = testPrefix('readyz');
  let redis: PolicyRedis;
  let api: RunningApi;
  let router: RunningRouter;
  let worker: RunningWorker;
  let urls: Record<string, string>;

  const configFor = async (): Promise<SignalpostConfig> =>
    loadConfig({
      REDIS_URL: redis.url,
      SIGNALPOST_PREFIX: prefix,
      SIGNALPOST_API_KEYS: `${ADMIN_KEY}=admin`,
      PORT: '0',
      HOST: '127.0.0.1',
      METRICS_PORT: String(await findFreePort()),
      LOG_LEVEL: 'silent',
    });

  let consoleWarn: jest.SpyInstance;

  beforeAll(async () => {
    // BullMQ 6 also warns on the console about the policy, once per client.
    consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    redis = await startPolicyRedis('allkeys-lru');
    api = await startApi(await configFor(), { logger: silent });
    router = await startRouter(await configFor(), { logger: silent });
    worker = await startWorker(await configFor(), { logger: silent });
    const local = (port: number) => `http://127.0.0.1:${port}/readyz`;
    urls = {
      'API main port': local(api.port),
      'API metrics port': local(api.metricsPort),
      'router metrics port': local(router.metricsPort),
      'worker metrics port': local(worker.metricsPort),
    };
  });

  afterAll(async () => {
    await worker?.close();
    await router?.close();
    await api?.close();
    await redis?.close();
    consoleWarn.mockRestore();
  });

  it('serves /readyz on four distinct ports', () => {
    const ports = Object.values(urls).map((url) => new URL(url).port);
    expect(new Set(ports).size).toBe(4);
  });

  it.each([
    'API main port',
    'API metrics port',
    'router metrics port',
    'worker metrics port',
  ])('answers 503 naming the policy on the %s', async (where) => {
    const response = await readyz(urls[where] ?? '');
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('not_ready');
    expect(response.body.reason).toContain('maxmemory-policy');
    expect(response.body.reason).toContain('allkeys-lru');
    expect(response.body.reason).toContain('noeviction');
  });

  it('answers /healthz with 200 all the same', async () => {
    const url = (urls['API main port'] ?? '').replace('/readyz', '/healthz');
    const response = await fetch(url);
    expect(response.status).toBe(200);
  });

  it('turns ready once the policy is set to noeviction', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
    } finally {
      admin.disconnect();
    }
    for (const url of Object.values(urls)) {
      const response = await readyz(url);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
    }
  });
});

async function readyz(url: string): Promise<ReadyzResponse> {
  const response = await fetch(url);
  const body = (await response.json()) as ReadyzResponse['body'];
  return { status: response.status, body };
}
