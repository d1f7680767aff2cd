import type { Redis } from 'ioredis';
import { request } from 'undici';
import {
  CIRCUIT_OPEN_ERROR_CODE,
  CircuitOpenError,
  circuitOutcomeOf,
  createOriginBreaker,
  DELIVERY_POLICY_ERROR_CODES,
  SharedCircuitBreaker,
  type CircuitKeys,
  type CircuitSettings,
  type CircuitStatus,
  type FireOptions,
  type OriginBreakerOptions,
  type OriginCircuitBreaker,
} from '../src';
import { circuitKeysFor, windowRequestCount } from './circuit-test-keys';
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
/** Errors passed to onRecordError by the workers of `batchingWorkers`. */
const recordErrors: unknown[] = [];
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
  recordErrors.splice(0);
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
    // 3 s batches use a 60 s count horizon, which the recovery time caps
    // and the window must exceed.
    const longWindow: CircuitSettings = Object.freeze({
      ...settings,
      failureWindowMs: 600_000,
      recoveryTimeoutMs: 60_000,
    });
    const batched = (
      name: string,
      options: { settings?: CircuitSettings; shared?: RecordingShared } = {},
    ): OriginCircuitBreaker =>
      originBreaker(name, connections[0] as Redis, {
        settings: longWindow,
        ...options,
        successBatchMs: 3_000,
        onRecordError: (error) => {
          throw error;
        },
      });

    it('sends the successes of a batch in one call', async () => {
      const shared = new RecordingShared(connections[0] as Redis);
      const worker = batched('batch-one-call', { shared });
      const windowKey = `${worker.keys.breaker}:window`;
      await seedSuccesses(worker.keys, longWindow, 1000);
      await fireTimes(worker, 1);

      await fireTimes(worker, 4);
      const beforeSend = await requestCount(windowKey);
      const sent = await waitFor(
        async () => ((await requestCount(windowKey)) === 1005 ? 1 : undefined),
        20_000,
      );

      expect(beforeSend).toBe(1001);
      expect(sent).toBe(1);
      expect(shared.earlierSuccesses).toEqual([0, 3]);
    });

    it('counts unsent successes before the next failure', async () => {
      const lowPercentage = { ...longWindow, errorThresholdPercentage: 10 };
      const worker = batched('batch-with-failure', {
        settings: lowPercentage,
      });
      const windowKey = `${worker.keys.breaker}:window`;
      // 1000 successes and 111 failures: one failure short of 10 %.
      await seedSuccesses(worker.keys, lowPercentage, 1000);
      await seedFailures(worker.keys, lowPercentage, 111);
      await fireAnswered(worker, 200, 11);

      await fireAnswered(worker, 503, 1);

      // 112 failures of 1123 requests stay under 10 %, but they would
      // reach it without the 10 delayed successes.
      expect(await requestCount(windowKey)).toBe(1123);
      expect(await storedState(worker.keys)).toBe('closed');
      expect(worker.state).toBe('closed');
    });

    it('sends each success at once at low volume', async () => {
      const shared = new RecordingShared(connections[0] as Redis);
      const worker = batched('batch-few-requests', { shared });
      const windowKey = `${worker.keys.breaker}:window`;
      await seedSuccesses(worker.keys, longWindow, 80);

      await fireAnswered(worker, 200, 10);

      expect(await requestCount(windowKey)).toBe(90);
      expect(shared.earlierSuccesses).toEqual(Array(10).fill(0));
    });

    it('delays at most 1 % of the window', async () => {
      const shared = new RecordingShared(connections[0] as Redis);
      const worker = batched('batch-share', { shared });
      const windowKey = `${worker.keys.breaker}:window`;
      await seedSuccesses(worker.keys, longWindow, 1000);

      // The first success reads the count: 1001 requests, so 10 may wait.
      await fireAnswered(worker, 200, 35);

      expect(shared.earlierSuccesses).toEqual([0, 10, 10, 10]);
      expect(await requestCount(windowKey)).toBe(1034);
    });

    it.each([-1, Number.NaN])('rejects a successBatchMs of %p', (ms) => {
      expect(() =>
        originBreaker('batch-invalid', undefined, { successBatchMs: ms }),
      ).toThrow(
        expect.objectContaining({
          code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
        }),
      );
    });

    it('sends every outcome at once without onRecordError', async () => {
      const worker = originBreaker('batch-needs-handler', undefined, {
        successBatchMs: 200,
      });

      await fireTimes(worker, 2);

      expect(await requestCount(`${worker.keys.breaker}:window`)).toBe(2);
    });
  });

  describe('with successBatchMs 100 on a busy window', () => {
    const busy: CircuitSettings = Object.freeze({
      ...settings,
      recoveryTimeoutMs: 60_000,
    });
    const batchedEvery100Ms = (
      name: string,
      shared: RecordingShared,
    ): OriginCircuitBreaker =>
      originBreaker(name, connections[0] as Redis, {
        settings: busy,
        shared,
        successBatchMs: 100,
        onRecordError: (error) => recordErrors.push(error),
      });

    it('keeps batching while batches refresh the count', async () => {
      const shared = new RecordingShared(connections[0] as Redis);
      const worker = batchedEvery100Ms('steady', shared);
      await seedSuccesses(worker.keys, busy, 5000);
      const rounds = 5;

      for (let round = 0; round < rounds; round += 1) {
        await fireAnswered(worker, 200, 10);
        // Long enough for the batch timer to send the round's successes.
        await sleep(150);
      }

      expect(await waitForRequests(worker.keys, 5050)).toBe(5050);
      // The first success reads the count. After that a round is one batch,
      // or two if its timer fired halfway through.
      expect(shared.earlierSuccesses[0]).toBe(0);
      expect(shared.earlierSuccesses.length).toBeLessThanOrEqual(
        1 + 2 * rounds,
      );
      expect(recordErrors).toEqual([]);
    });

    it('sends at once when its count is over a second old', async () => {
      const shared = new RecordingShared(connections[0] as Redis);
      const worker = batchedEvery100Ms('stale-count', shared);
      await seedSuccesses(worker.keys, busy, 5000);
      await fireAnswered(worker, 200, 1);

      // With 100 ms batches a count allows new batches for 900 ms.
      await sleep(1000);
      await fireAnswered(worker, 200, 1);

      expect(shared.earlierSuccesses).toEqual([0, 0]);
      expect(await requestCount(`${worker.keys.breaker}:window`)).toBe(5002);
    });
  });

  describe('when two workers batch successes', () => {
    const lowVolume: CircuitSettings = Object.freeze({
      failureThreshold: 5,
      errorThresholdPercentage: 50,
      failureWindowMs: 60_000,
      recoveryTimeoutMs: 60_000,
      halfOpenMaxCalls: 1,
    });

    it('stays closed when one worker fails first after a start', async () => {
      const [workerA, workerB] = batchingWorkers('start-skew', lowVolume);

      await fireAnswered(workerA, 200, 8);
      await fireAnswered(workerB, 503, 5);

      // 5 failures of 13 requests: under the 50 % needed to open.
      expect(await storedState(workerA.keys)).toBe('closed');
      expect(await waitForRequests(workerA.keys, 13)).toBe(13);
      expect(recordErrors).toEqual([]);
    });

    it('stays closed when one worker fails first after idling', async () => {
      const shortWindow = { ...lowVolume, failureWindowMs: 2500 };
      const [workerA, workerB] = batchingWorkers('idle-skew', shortWindow);
      await seedSuccesses(workerA.keys, shortWindow, 200);
      await fireAnswered(workerA, 200, 3);
      await waitForEmptyWindow(workerA.keys, 20_000);

      await fireAnswered(workerA, 200, 8);
      await fireAnswered(workerB, 503, 5);

      expect(await storedState(workerA.keys)).toBe('closed');
      expect(await waitForRequests(workerA.keys, 13)).toBe(13);
      expect(recordErrors).toEqual([]);
    });

    it('stays closed when one worker fails first after a close', async () => {
      const quickRecovery = { ...lowVolume, recoveryTimeoutMs: 500 };
      const [workerA, workerB] = batchingWorkers('close-skew', quickRecovery);
      await seedSuccesses(workerA.keys, quickRecovery, 200);
      await fireAnswered(workerA, 200, 3);
      await seedFailures(workerA.keys, quickRecovery, 210);
      expect(await storedState(workerA.keys)).toBe('open');
      await waitForHalfOpen(workerA.keys, 5000);
      expect(await fireAnswered(workerB, 200, 1)).toEqual([200]);
      expect(await storedState(workerA.keys)).toBe('closed');

      // Worker A never saw the circuit open, as when its lease read it closed.
      await fireAnswered(workerA, 200, 8, { knownClosed: true });
      await fireAnswered(workerB, 503, 5);

      expect(await storedState(workerA.keys)).toBe('closed');
      expect(await waitForRequests(workerA.keys, 13)).toBe(13);
      expect(recordErrors).toEqual([]);
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

/** A SharedCircuitBreaker that keeps `earlierSuccesses` of every `record`. */
class RecordingShared extends SharedCircuitBreaker {
  readonly earlierSuccesses: number[] = [];

  override record(
    ...args: Parameters<SharedCircuitBreaker['record']>
  ): Promise<CircuitStatus> {
    this.earlierSuccesses.push(args[4] ?? 0);
    return super.record(...args);
  }
}

/** Requests counted in a circuit's window hash. */
function requestCount(windowKey: string): Promise<number> {
  return windowRequestCount(connections[0] as Redis, windowKey);
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
  return circuitKeysFor(prefix, name);
}

function originBreaker(
  name: string,
  connection: Redis = connections[0] as Redis,
  options: OriginBreakerOptions & {
    settings?: CircuitSettings;
    shared?: SharedCircuitBreaker;
  } = {},
): OriginCircuitBreaker {
  const shared = options.shared ?? new SharedCircuitBreaker(connection);
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

/** Two workers that batch successes for 100 ms, as the worker app does. */
function batchingWorkers(
  name: string,
  circuit: CircuitSettings,
): [OriginCircuitBreaker, OriginCircuitBreaker] {
  const options = {
    settings: circuit,
    successBatchMs: 100,
    onRecordError: (error: unknown) => recordErrors.push(error),
  };
  return [
    originBreaker(name, connections[0] as Redis, options),
    originBreaker(name, connections[1] as Redis, options),
  ];
}

/**
 * Fires `count` requests one after another, each resolving with `status`
 * without sending anything.
 */
async function fireAnswered(
  worker: OriginCircuitBreaker,
  status: number,
  count: number,
  options: FireOptions = {},
): Promise<number[]> {
  const statuses: number[] = [];
  for (let call = 0; call < count; call += 1) {
    const answer = async () => status;
    statuses.push(await worker.fire(answer, statusOutcome, undefined, options));
  }
  return statuses;
}

/** Records `count` successes in one call, as another worker's batch. */
async function seedSuccesses(
  keys: CircuitKeys,
  circuit: CircuitSettings,
  count: number,
): Promise<void> {
  const shared = new SharedCircuitBreaker(connections[0] as Redis);
  await shared.record(keys, circuit, 'success', undefined, count - 1);
}

/** Records `count` failures one call each, as other workers would. */
async function seedFailures(
  keys: CircuitKeys,
  circuit: CircuitSettings,
  count: number,
): Promise<void> {
  const shared = new SharedCircuitBreaker(connections[0] as Redis);
  for (let call = 0; call < count; call += 1) {
    await shared.record(keys, circuit, 'failure');
  }
}

/** Reads the circuit's state from its Redis hash. */
function storedState(keys: CircuitKeys): Promise<string | null> {
  return (connections[0] as Redis).hget(keys.breaker, 'state');
}

/**
 * Polls the window until it counts `expected` requests, for at most 5 s,
 * and returns the last count.
 */
async function waitForRequests(
  keys: CircuitKeys,
  expected: number,
): Promise<number> {
  const windowKey = `${keys.breaker}:window`;
  const deadline = Date.now() + 5000;
  let count = await requestCount(windowKey);
  while (count !== expected && Date.now() < deadline) {
    await sleep(20);
    count = await requestCount(windowKey);
  }
  return count;
}

/** Waits until every bucket has left the window and its key expired. */
async function waitForEmptyWindow(
  keys: CircuitKeys,
  timeoutMs: number,
): Promise<void> {
  const windowKey = `${keys.breaker}:window`;
  const redis = connections[0] as Redis;
  await waitFor(
    async () => ((await redis.exists(windowKey)) === 0 ? true : undefined),
    timeoutMs,
  );
}

async function waitForHalfOpen(
  keys: CircuitKeys,
  timeoutMs: number,
): Promise<void> {
  const shared = new SharedCircuitBreaker(connections[0] as Redis);
  await waitFor(
    async () => ((await shared.state(keys)) === 'half_open' ? true : undefined),
    timeoutMs,
  );
}
