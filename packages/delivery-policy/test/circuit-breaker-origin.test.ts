import type { Redis } from 'ioredis';
import { request } from 'undici';
import {
  CIRCUIT_OPEN_ERROR_CODE,
  CircuitOpenError,
  circuitOutcomeOf,
  createOriginBreaker,
  SharedCircuitBreaker,
  type CircuitKeys,
  type CircuitSettings,
  type OriginBreakerOptions,
  type OriginCircuitBreaker,
} from '../src';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { startReceiver, type Receiver } from '../../../test/support/receiver';
import { closeConnections, openConnections, sleep } from './redis-connections';

const prefix = testPrefix('circuit-origin');
const settings: CircuitSettings = Object.freeze({
  failureThreshold: 3,
  errorThresholdPercentage: 50,
  failureWindowMs: 60_000,
  recoveryTimeoutMs: 500,
  halfOpenMaxCalls: 1,
});
const opened: OriginCircuitBreaker[] = [];
let connections: Redis[];
let receiver: Receiver;

beforeAll(() => {
  connections = openConnections(2);
});

beforeEach(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const breaker of opened.splice(0)) breaker.shutdown();
  await receiver.close();
});

afterAll(async () => {
  await deletePrefix(prefix);
  await closeConnections(connections);
});

describe('OriginCircuitBreaker', () => {
  describe('when the target answers 503', () => {
    it('opens for every worker and sends nothing while open', async () => {
      const [workerA, workerB] = twoWorkers('open-all');
      receiver.answer(() => ({ status: 503 }));

      const statuses = await fireTimes(workerA, 3);

      expect(statuses).toEqual([503, 503, 503]);
      expect(workerA.state).toBe('open');
      for (const worker of [workerA, workerB]) {
        for (let call = 0; call < 5; call += 1) {
          const error = await fireStatus(worker).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CircuitOpenError);
          expect(error).toMatchObject({
            code: CIRCUIT_OPEN_ERROR_CODE,
            state: 'open',
            origin: workerA.keys.origin,
          });
          const { retryAfterMs } = error as CircuitOpenError;
          expect(retryAfterMs).toBeGreaterThan(0);
          expect(retryAfterMs).toBeLessThanOrEqual(settings.recoveryTimeoutMs);
        }
      }
      expect(receiver.requests).toHaveLength(3);
      expect(workerB.state).toBe('open');
    });

    it('closes for every worker after a trial succeeds', async () => {
      const [workerA, workerB] = twoWorkers('trial-success');
      receiver.answer(() => ({ status: 503 }));
      const openedAfter = Date.now();
      await fireTimes(workerA, 3);

      receiver.answer(() => ({ status: 200 }));
      const trialStatus = await fireUntilSent(workerB, 5000);

      expect(trialStatus).toBe(200);
      expect(Date.now() - openedAfter).toBeGreaterThanOrEqual(
        settings.recoveryTimeoutMs - 5,
      );
      expect(workerB.state).toBe('closed');
      // Worker A opened it, so its local timer may end a moment after Redis's.
      expect(await fireUntilSent(workerA, 5000)).toBe(200);
      expect(workerA.state).toBe('closed');
      expect(receiver.requests).toHaveLength(5);
    });

    it('reopens for every worker after a trial fails', async () => {
      const [workerA, workerB] = twoWorkers('trial-failure');
      receiver.answer(() => ({ status: 503 }));
      await fireTimes(workerA, 3);

      const trialStatus = await fireUntilSent(workerB, 5000);
      const error = await fireStatus(workerA).catch((e: unknown) => e);

      expect(trialStatus).toBe(503);
      expect(workerB.state).toBe('open');
      expect(error).toMatchObject({ code: CIRCUIT_OPEN_ERROR_CODE });
      expect(receiver.requests).toHaveLength(4);
    });

    it('rejects locally without asking Redis while open', async () => {
      const [own] = openConnections(1);
      const worker = originBreaker('local-reject', own as Redis);
      receiver.answer(() => ({ status: 503 }));
      await fireTimes(worker, 3);

      // A disconnected client fails every command, so only a local
      // rejection can produce a CircuitOpenError.
      await closeConnections([own as Redis]);
      const error = await fireStatus(worker).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CircuitOpenError);
      expect(worker.breaker.stats.rejects).toBe(1);
      expect(receiver.requests).toHaveLength(3);
    });

    it('half-opens each worker when the shared open period ends', async () => {
      const [workerA, workerB] = twoWorkers('local-half-open');
      receiver.answer(() => ({ status: 503 }));
      const openedAfter = Date.now();
      await fireTimes(workerA, 3);
      await fireStatus(workerB).catch(() => undefined);
      const halfOpenAt = (worker: OriginCircuitBreaker) =>
        new Promise<number>((resolve) =>
          worker.breaker.once('halfOpen', () => resolve(Date.now())),
        );

      const [atA, atB] = await Promise.all([
        halfOpenAt(workerA),
        halfOpenAt(workerB),
      ]);

      const earliest = openedAfter + settings.recoveryTimeoutMs - 5;
      expect(atA).toBeGreaterThanOrEqual(earliest);
      expect(atB).toBeGreaterThanOrEqual(earliest);
      expect(atB - openedAfter).toBeLessThan(settings.recoveryTimeoutMs * 4);
      expect(workerB.state).toBe('half_open');
    });
  });

  describe('when the circuit half-opens', () => {
    it.each([1, 2])(
      'sends %i request(s) for 10 concurrent callers',
      async (halfOpenMaxCalls) => {
        const trials = { ...settings, halfOpenMaxCalls };
        const [workerA, workerB] = twoWorkers(`trials-${halfOpenMaxCalls}`, {
          settings: trials,
        });
        receiver.answer(() => ({ status: 503 }));
        await fireTimes(workerA, 3);
        await sleep(settings.recoveryTimeoutMs + 100);

        receiver.answer(() => ({ status: 200, delayMs: 300 }));
        const results = await Promise.allSettled(
          [workerA, workerB].flatMap((worker) =>
            Array.from({ length: 5 }, () => fireStatus(worker)),
          ),
        );

        const sent = results.filter((r) => r.status === 'fulfilled');
        const rejected = results.flatMap((r) =>
          r.status === 'rejected' ? [r.reason as unknown] : [],
        );
        expect(receiver.requests).toHaveLength(3 + halfOpenMaxCalls);
        expect(sent).toHaveLength(halfOpenMaxCalls);
        expect(rejected).toHaveLength(10 - halfOpenMaxCalls);
        for (const reason of rejected) {
          expect(reason).toMatchObject({
            code: CIRCUIT_OPEN_ERROR_CODE,
            state: 'half_open',
          });
        }
        expect(await fireStatus(workerB)).toBe(200);
      },
    );
  });

  describe('when the target answers 4xx or 429', () => {
    it('never opens and counts no failure', async () => {
      const worker = originBreaker('client-errors');
      receiver.answer((index) => ({ status: index % 2 === 0 ? 429 : 404 }));

      const statuses = await fireTimes(worker, 10);

      expect(statuses).toEqual([
        429, 404, 429, 404, 429, 404, 429, 404, 429, 404,
      ]);
      expect(worker.state).toBe('closed');
      expect(worker.breaker.stats.failures).toBe(0);
      expect(receiver.requests).toHaveLength(10);
    });
  });

  describe('when the request throws', () => {
    it('counts a refused connection as a failure', async () => {
      const worker = originBreaker('refused');
      const closedUrl = receiver.url;
      await receiver.close();
      receiver = await startReceiver();

      const errors: unknown[] = [];
      for (let call = 0; call < 3; call += 1) {
        const send = () => request(closedUrl).then((r) => r.statusCode);
        errors.push(await worker.fire(send, statusOutcome).catch((e) => e));
      }

      for (const error of errors) {
        expect(error).toMatchObject({ code: 'ECONNREFUSED' });
      }
      expect(worker.state).toBe('open');
      expect(worker.breaker.stats.failures).toBe(3);
    });

    it('follows classifyError for an ignored error', async () => {
      const worker = originBreaker('aborted');
      const aborted = new Error('aborted for shutdown');
      const abort = () => Promise.reject(aborted);

      for (let call = 0; call < 5; call += 1) {
        const error = await worker
          .fire(abort, statusOutcome, () => 'ignored')
          .catch((e: unknown) => e);
        expect(error).toBe(aborted);
      }

      expect(worker.state).toBe('closed');
      expect(worker.breaker.stats.failures).toBe(0);
    });
  });

  describe('when recording the outcome fails', () => {
    it('passes the error to onRecordError and returns the result', async () => {
      const [own] = openConnections(1);
      const recordErrors: unknown[] = [];
      const worker = originBreaker('record-error', own as Redis, {
        onRecordError: (error) => recordErrors.push(error),
      });

      const status = await worker.fire(async () => {
        own?.disconnect();
        return 200;
      }, statusOutcome);

      expect(status).toBe(200);
      expect(recordErrors).toHaveLength(1);
      expect(recordErrors[0]).toBeInstanceOf(Error);
    });

    it('throws the error without onRecordError', async () => {
      const [own] = openConnections(1);
      const worker = originBreaker('record-throws', own as Redis);

      const fired = worker.fire(async () => {
        own?.disconnect();
        return 200;
      }, statusOutcome);

      await expect(fired).rejects.toThrow(/connection/i);
    });
  });

  describe('with successBatchMs', () => {
    const batched = (name: string): OriginCircuitBreaker =>
      originBreaker(name, connections[0] as Redis, {
        successBatchMs: 3_000,
        onRecordError: (error) => {
          throw error;
        },
      });

    it('sends the successes of a batch in one call', async () => {
      const worker = batched('batch-one-call');
      const windowKey = `${worker.keys.breaker}:window`;

      await fireTimes(worker, 4);
      const beforeSend = await requestCount(windowKey);
      const sent = await waitFor(
        async () => ((await requestCount(windowKey)) === 4 ? 4 : undefined),
        20_000,
      );

      expect(beforeSend).toBe(0);
      expect(sent).toBe(4);
    });

    it('sends unsent successes with a failure, which then does not open', async () => {
      const worker = batched('batch-with-failure');
      const windowKey = `${worker.keys.breaker}:window`;
      receiver.answer((index) => ({ status: index < 3 ? 200 : 503 }));

      await fireTimes(worker, 5);

      // 3 successes and 2 failures: under the 50 % needed to open.
      expect(await requestCount(windowKey)).toBe(5);
      expect(worker.state).toBe('closed');
      expect(await fireStatus(worker)).toBe(503);
      expect(worker.state).toBe('open');
    });

    it('sends every outcome at once without onRecordError', async () => {
      const worker = originBreaker('batch-needs-handler', undefined, {
        successBatchMs: 200,
      });

      await fireTimes(worker, 2);

      expect(await requestCount(`${worker.keys.breaker}:window`)).toBe(2);
    });
  });

  describe('with knownClosed', () => {
    it('sends without asking Redis, and still records the outcome', async () => {
      const worker = originBreaker('known-closed');
      // Redis has the circuit open, but the caller read it closed.
      await connections[0]?.hset(
        worker.keys.breaker,
        'state',
        'open',
        'openUntil',
        String(Date.now() + 60_000),
      );

      const status = await worker.fire(
        sendToReceiver,
        statusOutcome,
        undefined,
        {
          knownClosed: true,
        },
      );

      expect(status).toBe(200);
      expect(receiver.requests).toHaveLength(1);
      const rejected = await fireStatus(worker).catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(CircuitOpenError);
    });
  });

  it('rejects every request after shutdown', async () => {
    const worker = originBreaker('shutdown');
    let called = false;
    worker.shutdown();

    const fired = worker.fire(async () => {
      called = true;
      return 200;
    }, statusOutcome);

    await expect(fired).rejects.toMatchObject({ code: 'ESHUTDOWN' });
    expect(called).toBe(false);
  });
});

/** Requests counted in a circuit's window hash. */
async function requestCount(windowKey: string): Promise<number> {
  const fields = await (connections[0] as Redis).hgetall(windowKey);
  return Object.entries(fields)
    .filter(([field]) => field.startsWith('r:'))
    .reduce((sum, [, count]) => sum + Number(count), 0);
}

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(20);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

function keysFor(name: string): CircuitKeys {
  const origin = `https://${name}.example`;
  return {
    breaker: `${prefix}:breaker:${origin}`,
    registry: `${prefix}:breakers`,
    origin,
  };
}

function originBreaker(
  name: string,
  connection: Redis = connections[0] as Redis,
  options: OriginBreakerOptions & { settings?: CircuitSettings } = {},
): OriginCircuitBreaker {
  const shared = new SharedCircuitBreaker(connection);
  const circuit = options.settings ?? settings;
  const breaker = createOriginBreaker(shared, keysFor(name), circuit, options);
  opened.push(breaker);
  return breaker;
}

/** Two workers on separate Redis connections sharing one circuit. */
function twoWorkers(
  name: string,
  options: { settings?: CircuitSettings } = {},
): [OriginCircuitBreaker, OriginCircuitBreaker] {
  return [
    originBreaker(name, connections[0] as Redis, options),
    originBreaker(name, connections[1] as Redis, options),
  ];
}

function statusOutcome(status: number) {
  return circuitOutcomeOf({ kind: 'http', status });
}

async function sendToReceiver(): Promise<number> {
  const response = await request(receiver.url, { method: 'POST' });
  await response.body.dump();
  return response.statusCode;
}

function fireStatus(worker: OriginCircuitBreaker): Promise<number> {
  return worker.fire(sendToReceiver, statusOutcome);
}

async function fireTimes(
  worker: OriginCircuitBreaker,
  count: number,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let call = 0; call < count; call += 1) {
    statuses.push(await fireStatus(worker));
  }
  return statuses;
}

/** Fires until a request goes out, waiting out each rejection. */
async function fireUntilSent(
  worker: OriginCircuitBreaker,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      return await fireStatus(worker);
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) throw error;
      await sleep(Math.min(error.retryAfterMs, 50));
    }
  }
  throw new Error(`no request sent within ${timeoutMs} ms`);
}
