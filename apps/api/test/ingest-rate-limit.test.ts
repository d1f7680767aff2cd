import { createHash } from 'node:crypto';
import pino from 'pino';
import { ConfigError } from '@signalpost/config';
import {
  parseIngestRateLimit,
  type IngestRateLimit,
} from '../src/middleware/ingest-rate-limit-option';
import { startApi, type RunningApi } from '../src/start-api';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  type TestStack,
} from '../../../test/support/stack';

// A long window refills one token every 4 s, so 8 requests in a row meet an
// empty bucket however slow the machine is.
const LIMIT: IngestRateLimit = { requests: 5, windowMs: 20_000 };

interface PublishResult {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { error?: { code: string; message: string } };
}

async function publish(
  api: RunningApi,
  body: unknown,
  options: { key?: string; contentType?: string } = {},
): Promise<PublishResult> {
  const response = await fetch(`http://127.0.0.1:${api.port}/v1/signals`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.key ?? PUBLISH_KEY}`,
      'content-type': options.contentType ?? 'application/json',
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as PublishResult['body'],
  };
}

function orderSignal(): Record<string, unknown> {
  return { type: 'order.created', source: 'rate-limit-test' };
}

function batchOf(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, orderSignal);
}

// Sends one after the other, so the order of arrival is the order of sending.
async function publishInTurn(
  apis: readonly RunningApi[],
  count: number,
): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (let index = 0; index < count; index += 1) {
    const api = apis[index % apis.length];
    if (!api) throw new Error('no API to publish to');
    results.push(await publish(api, orderSignal()));
  }
  return results;
}

function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

describe('ingest rate limit of POST /v1/signals', () => {
  let stack: TestStack;
  let replicas: RunningApi[];

  beforeAll(async () => {
    stack = await startTestStack();
    const options = {
      logger: pino({ level: 'silent' }),
      healthServer: false,
      ingestRateLimit: LIMIT,
    };
    replicas = [
      await startApi(stack.config, options),
      await startApi(stack.config, options),
    ];
  });

  // Every test starts with full buckets: a missing bucket key is a full one.
  beforeEach(async () => {
    const { redis, keys } = stack.api.context;
    await redis.del(
      keys.ingestLimit(keyHash(PUBLISH_KEY)),
      keys.ingestLimit(keyHash(ADMIN_KEY)),
    );
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await stack.close();
  });

  describe('when a key sends more than 5 signals at once', () => {
    it('accepts 5, then returns 429 with Retry-After', async () => {
      const [replica] = replicas;
      if (!replica) throw new Error('no replica started');

      const results = await publishInTurn([replica], 8);
      const statuses = results.map((result) => result.status);
      expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);

      const limited = results.filter((result) => result.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      for (const result of limited) {
        expect(result.body.error?.code).toBe('rate_limited');
        expect(Number(result.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number.isInteger(Number(result.retryAfter))).toBe(true);
      }
    });

    it('leaves another key unaffected', async () => {
      const [replica] = replicas;
      if (!replica) throw new Error('no replica started');
      await publishInTurn([replica], 8);

      const other = await publish(replica, orderSignal(), { key: ADMIN_KEY });
      expect(other.status).toBe(202);
    });

    it('shares the limit between API replicas', async () => {
      const results = await publishInTurn(replicas, 8);
      const statuses = results.map((result) => result.status);
      expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
      expect(statuses).toContain(429);
    });

    it('accepts again once the bucket has refilled', async () => {
      const [replica] = replicas;
      if (!replica) throw new Error('no replica started');
      const results = await publishInTurn([replica], 8);
      const limited = results.find((result) => result.status === 429);
      expect(limited).toBeDefined();

      const waitSec = Number(limited?.retryAfter);
      await new Promise((resolve) => setTimeout(resolve, waitSec * 1000));
      const retried = await publish(replica, orderSignal());
      expect(retried.status).toBe(202);
    });
  });

  describe('when signals come in batches', () => {
    const batchType = 'application/cloudevents-batch+json';

    it('counts each signal of a batch', async () => {
      const [replica] = replicas;
      if (!replica) throw new Error('no replica started');

      const first = await publish(replica, batchOf(3), {
        contentType: batchType,
      });
      expect(first.status).toBe(202);
      const second = await publish(replica, batchOf(3), {
        contentType: batchType,
      });
      expect(second.status).toBe(429);
      expect(second.body.error?.code).toBe('rate_limited');
    });

    it('rejects a batch larger than the limit', async () => {
      const [replica] = replicas;
      if (!replica) throw new Error('no replica started');

      const result = await publish(replica, batchOf(6), {
        contentType: batchType,
      });
      expect(result.status).toBe(429);
      expect(result.body.error?.message).toContain('split it');
      expect(Number(result.retryAfter)).toBeGreaterThanOrEqual(1);

      const single = await publish(replica, orderSignal());
      expect(single.status).toBe(202);
    });

    it('leaves a batch over 1000 signals to batch_too_large', async () => {
      const [replica] = replicas;
      if (!replica) throw new Error('no replica started');

      const result = await publish(replica, batchOf(1001), {
        contentType: batchType,
      });
      expect(result.status).toBe(413);
      expect(result.body.error?.code).toBe('batch_too_large');
    });
  });

  describe('when no limit is set', () => {
    it('accepts every request', async () => {
      const results = await publishInTurn([stack.api], 8);
      const statuses = results.map((result) => result.status);
      expect(statuses).toEqual(Array.from({ length: 8 }, () => 202));
    });
  });
});

describe('parseIngestRateLimit', () => {
  it('returns undefined without a limit', () => {
    expect(parseIngestRateLimit(undefined)).toBeUndefined();
  });

  it('returns a valid limit frozen', () => {
    const limit = parseIngestRateLimit({ requests: 1000, windowMs: 1000 });
    expect(limit).toEqual({ requests: 1000, windowMs: 1000 });
    expect(Object.isFrozen(limit)).toBe(true);
  });

  const invalidCases: [string, IngestRateLimit, string][] = [
    ['zero requests', { requests: 0, windowMs: 1000 }, 'requests'],
    ['fractional requests', { requests: 1.5, windowMs: 1000 }, 'requests'],
    ['negative window', { requests: 5, windowMs: -1 }, 'windowMs'],
    ['NaN window', { requests: 5, windowMs: Number.NaN }, 'windowMs'],
    [
      'window over 365 days',
      { requests: 5, windowMs: 31_536_000_001 },
      'windowMs',
    ],
  ];

  it.each(invalidCases)('rejects %s', (_name, option, field) => {
    const parse = (): unknown => parseIngestRateLimit(option);
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(`ingestRateLimit.${field}:`);
  });
});
