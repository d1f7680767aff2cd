import type { Redis } from 'ioredis';
import {
  DELIVERY_POLICY_ERROR_CODES,
  SharedCircuitBreaker,
  type CircuitAdmission,
  type CircuitKeys,
  type CircuitOutcome,
  type CircuitSettings,
  type CircuitState,
  type CircuitStatus,
} from '../src';
import { circuitKeysFor, windowRequestCount } from './circuit-test-keys';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { closeConnections, openConnections, sleep } from './redis-connections';

const prefix = testPrefix('circuit-shared');
const settings: CircuitSettings = Object.freeze({
  failureThreshold: 3,
  errorThresholdPercentage: 50,
  failureWindowMs: 60_000,
  recoveryTimeoutMs: 500,
  halfOpenMaxCalls: 1,
});
let connections: Redis[];
let redis: Redis;
let breakers: SharedCircuitBreaker[];
let breaker: SharedCircuitBreaker;

beforeAll(() => {
  connections = openConnections(5);
  redis = connections[0] as Redis;
  breakers = connections.map((c) => new SharedCircuitBreaker(c));
  breaker = breakers[0] as SharedCircuitBreaker;
});

afterAll(async () => {
  await deletePrefix(prefix);
  await closeConnections(connections);
});

describe('SharedCircuitBreaker', () => {
  describe('when 3 of 3 requests fail', () => {
    it('opens the circuit', async () => {
      const keys = keysFor('three-failures');
      const statuses = await recordAll(breaker, keys, settings, [
        'failure',
        'failure',
        'failure',
      ]);

      expect(statuses.slice(0, 2)).toEqual(['closed', 'closed']);
      expect(statuses[2]).toBe('open');
      expect(await breaker.state(keys)).toBe('open');
    });

    it('rejects every worker until the recovery time passes', async () => {
      const keys = keysFor('rejects-all');
      const openedAfter = Date.now();
      await openCircuit(keys, settings);

      const rejected = await admitFromAll(keys, settings, 4);
      expect(rejected).toHaveLength(20);
      for (const admission of rejected) {
        expect(admission).toMatchObject({ admitted: false, state: 'open' });
        const retryAfterMs = rejectedRetryAfter(admission);
        expect(retryAfterMs).toBeGreaterThan(0);
        expect(retryAfterMs).toBeLessThanOrEqual(settings.recoveryTimeoutMs);
      }

      const admitted = await admitUntilAdmitted(breaker, keys, settings, 5000);
      expect(admitted).toEqual(expect.objectContaining({ trial: true }));
      // Redis time is whole milliseconds, so allow a little rounding.
      expect(Date.now() - openedAfter).toBeGreaterThanOrEqual(
        settings.recoveryTimeoutMs - 5,
      );
    });

    it('stores state and openUntil for the metrics', async () => {
      const keys = keysFor('stored-fields');
      const openedAfter = Date.now();
      await openCircuit(keys, settings);

      const stored = await redis.hgetall(keys.breaker);
      expect(stored.state).toBe('open');
      const openUntil = Number(stored.openUntil);
      expect(openUntil).toBeGreaterThanOrEqual(
        openedAfter + settings.recoveryTimeoutMs - 5,
      );
      expect(openUntil).toBeLessThanOrEqual(
        Date.now() + settings.recoveryTimeoutMs + 5,
      );
      expect(await redis.smembers(keys.registry)).toContain(keys.origin);
    });

    it('keeps the open period when late outcomes arrive', async () => {
      const keys = keysFor('late-outcomes');
      await openCircuit(keys, settings);
      const openUntil = await redis.hget(keys.breaker, 'openUntil');

      const late = await breaker.record(keys, settings, 'failure');
      await breaker.record(keys, settings, 'success');

      expect(late.state).toBe('open');
      expect(await redis.hget(keys.breaker, 'openUntil')).toBe(openUntil);
      expect(await breaker.state(keys)).toBe('open');
    });
  });

  describe('when the recovery time has passed', () => {
    it.each([1, 2])(
      'grants %i of 10 concurrent callers a trial',
      async (halfOpenMaxCalls) => {
        const keys = keysFor(`trials-${halfOpenMaxCalls}`);
        const trialSettings = { ...settings, halfOpenMaxCalls };
        await openCircuit(keys, trialSettings);
        await waitForState(keys, 'half_open', 5000);

        const admissions = await admitFromAll(keys, trialSettings, 2);

        const trials = admissions.filter((a) => a.admitted && a.trial);
        const rejected = admissions.filter((a) => !a.admitted);
        expect(admissions).toHaveLength(10);
        expect(trials).toHaveLength(halfOpenMaxCalls);
        expect(rejected).toHaveLength(10 - halfOpenMaxCalls);
        for (const admission of rejected) {
          expect(admission).toEqual({
            admitted: false,
            state: 'half_open',
            retryAfterMs: 1000,
          });
        }
      },
    );

    it('reads as half-open before anyone asks', async () => {
      const keys = keysFor('half-open-read');
      await openCircuit(keys, settings);
      expect(await breaker.state(keys)).toBe('open');

      await sleep(settings.recoveryTimeoutMs + 100);

      expect(await breaker.state(keys)).toBe('half_open');
    });

    it('closes the circuit on a trial success', async () => {
      const keys = keysFor('trial-success');
      const permitId = await openUntilTrial(keys, settings);

      const status = await breaker.record(keys, settings, 'success', permitId);

      expect(status).toEqual({ state: 'closed', retryAfterMs: 0 });
      const admissions = await admitFromAll(keys, settings, 2);
      for (const admission of admissions) {
        expect(admission).toEqual({ admitted: true, trial: false });
      }
      expect(await redis.hget(keys.breaker, 'state')).toBe('closed');
      expect(await redis.hexists(keys.breaker, 'openUntil')).toBe(0);
    });

    it('starts a fresh window after a trial closes it', async () => {
      const keys = keysFor('trial-clears');
      const windowSettings = { ...settings, failureThreshold: 4 };
      await recordAll(breaker, keys, windowSettings, ['failure', 'failure']);
      await recordAll(breaker, keys, windowSettings, ['failure', 'failure']);
      await waitForState(keys, 'half_open', 5000);
      const permitId = await trialPermit(keys, windowSettings);

      await breaker.record(keys, windowSettings, 'success', permitId);
      const after = await recordAll(breaker, keys, windowSettings, [
        'failure',
        'failure',
        'failure',
      ]);

      expect(after).toEqual(['closed', 'closed', 'closed']);
    });

    it('reopens the circuit on a trial failure', async () => {
      const keys = keysFor('trial-failure');
      const permitId = await openUntilTrial(keys, settings);
      const failedAt = Date.now();

      const status = await breaker.record(keys, settings, 'failure', permitId);

      expect(status).toEqual({
        state: 'open',
        retryAfterMs: settings.recoveryTimeoutMs,
      });
      for (const admission of await admitFromAll(keys, settings, 2)) {
        expect(admission).toMatchObject({ admitted: false, state: 'open' });
      }
      await admitUntilAdmitted(breaker, keys, settings, 5000);
      expect(Date.now() - failedAt).toBeGreaterThanOrEqual(
        settings.recoveryTimeoutMs - 5,
      );
    });

    it('frees the permit of an ignored trial', async () => {
      const keys = keysFor('trial-ignored');
      const permitId = await openUntilTrial(keys, settings);
      const busy = await breaker.admit(keys, settings);

      const status = await breaker.record(keys, settings, 'ignored', permitId);
      const next = await breaker.admit(keys, settings);

      expect(busy).toMatchObject({ admitted: false, state: 'half_open' });
      expect(status).toEqual({ state: 'half_open', retryAfterMs: 0 });
      expect(next).toMatchObject({ admitted: true, trial: true });
    });

    it('frees the permit of a worker that died', async () => {
      const keys = keysFor('trial-lease');
      const shortLease = new SharedCircuitBreaker(redis, { trialLeaseMs: 200 });
      await openCircuit(keys, settings);
      await waitForState(keys, 'half_open', 5000);

      const first = await shortLease.admit(keys, settings);
      const busy = await shortLease.admit(keys, settings);
      await sleep(400);
      const next = await shortLease.admit(keys, settings);

      expect(first).toMatchObject({ admitted: true, trial: true });
      expect(busy).toMatchObject({ admitted: false, state: 'half_open' });
      expect(next).toMatchObject({ admitted: true, trial: true });
    });

    it('counts a trial whose circuit closed as an ordinary request', async () => {
      const keys = keysFor('trial-superseded');
      const twoTrials = { ...settings, halfOpenMaxCalls: 2 };
      await openCircuit(keys, twoTrials);
      await waitForState(keys, 'half_open', 5000);
      const first = await trialPermit(keys, twoTrials);
      const second = await trialPermit(keys, twoTrials);

      await breaker.record(keys, twoTrials, 'success', first);
      const late = await breaker.record(keys, twoTrials, 'failure', second);

      expect(late).toEqual({ state: 'closed', retryAfterMs: 0 });
    });

    it('ignores outcomes of requests that are not trials', async () => {
      const keys = keysFor('half-open-ordinary');
      await openUntilTrial(keys, settings);

      const status = await breaker.record(keys, settings, 'failure');

      expect(status).toEqual({ state: 'half_open', retryAfterMs: 0 });
      expect(await breaker.state(keys)).toBe('half_open');
    });
  });

  describe('when the target answers 4xx or 429', () => {
    it('never opens the circuit on ignored outcomes', async () => {
      const keys = keysFor('ignored-only');
      const outcomes = Array.from({ length: 20 }, () => 'ignored' as const);

      const statuses = await recordAll(breaker, keys, settings, outcomes);

      expect(new Set(statuses)).toEqual(new Set(['closed']));
      for (const admission of await admitFromAll(keys, settings, 1)) {
        expect(admission).toEqual({ admitted: true, trial: false });
      }
    });

    it('leaves ignored outcomes out of the request count', async () => {
      const keys = keysFor('ignored-uncounted');
      const ignored = Array.from({ length: 10 }, () => 'ignored' as const);

      const statuses = await recordAll(breaker, keys, settings, [
        'failure',
        ...ignored,
        'failure',
      ]);

      expect(statuses.at(-1)).toBe('closed');
      const third = await breaker.record(keys, settings, 'failure');
      expect(third.state).toBe('open');
    });
  });

  describe('when failures are spread out', () => {
    it('does not count failures older than the window', async () => {
      const keys = keysFor('old-failures');
      const shortWindow = { ...settings, failureWindowMs: 300 };
      await recordAll(breaker, keys, shortWindow, ['failure', 'failure']);

      await sleep(450);
      const status = await breaker.record(keys, shortWindow, 'failure');

      expect(status.state).toBe('closed');
    });

    it('counts failures inside the window', async () => {
      const keys = keysFor('recent-failures');
      const shortWindow = { ...settings, failureWindowMs: 10_000 };
      await recordAll(breaker, keys, shortWindow, ['failure', 'failure']);

      await sleep(450);
      const status = await breaker.record(keys, shortWindow, 'failure');

      expect(status.state).toBe('open');
    });

    it('lets the window key expire after the window', async () => {
      const keys = keysFor('window-ttl');
      await breaker.record(keys, settings, 'failure');

      const ttlMs = await redis.pttl(`${keys.breaker}:window`);

      expect(ttlMs).toBeGreaterThan(settings.failureWindowMs - 1000);
      expect(ttlMs).toBeLessThanOrEqual(settings.failureWindowMs * 1.05);
    });
  });

  describe('with errorThresholdPercentage 50', () => {
    const fiveRequests = { ...settings, failureThreshold: 5 };

    it('stays closed with 2 failures of 5 requests', async () => {
      const keys = keysFor('two-of-five');

      const statuses = await recordAll(breaker, keys, fiveRequests, [
        'success',
        'failure',
        'success',
        'failure',
        'success',
      ]);

      expect(new Set(statuses)).toEqual(new Set(['closed']));
    });

    it('opens at 3 failures of 5 requests', async () => {
      const keys = keysFor('three-of-five');

      const statuses = await recordAll(breaker, keys, fiveRequests, [
        'success',
        'failure',
        'success',
        'failure',
        'failure',
      ]);

      expect(statuses.at(-1)).toBe('open');
    });

    it('opens at exactly half of the requests failed', async () => {
      const keys = keysFor('exactly-half');
      const threshold4 = { ...settings, failureThreshold: 4 };

      const statuses = await recordAll(breaker, keys, threshold4, [
        'success',
        'success',
        'failure',
        'failure',
      ]);

      expect(statuses).toEqual(['closed', 'closed', 'closed', 'open']);
    });

    it('waits for the failure threshold', async () => {
      const keys = keysFor('below-threshold');

      const statuses = await recordAll(breaker, keys, fiveRequests, [
        'failure',
        'failure',
        'failure',
        'failure',
      ]);

      expect(new Set(statuses)).toEqual(new Set(['closed']));
    });
  });

  describe('with earlier successes', () => {
    it('counts them in the window before the outcome', async () => {
      const keys = keysFor('earlier-successes');

      // 3 earlier successes + 3 failures: exactly half failed, at the threshold.
      await breaker.record(keys, settings, 'failure', undefined, 3);
      await breaker.record(keys, settings, 'failure');
      const status = await breaker.record(keys, settings, 'failure');

      expect(status.state).toBe('open');
    });

    it('keeps the circuit closed when they outweigh the failures', async () => {
      const keys = keysFor('earlier-successes-outweigh');

      await breaker.record(keys, settings, 'success', undefined, 5);
      await breaker.record(keys, settings, 'failure');
      await breaker.record(keys, settings, 'failure');
      const status = await breaker.record(keys, settings, 'failure');

      // 6 successes, 3 failures: a third failed, under the 50 % needed.
      expect(status.state).toBe('closed');
    });

    it('counts them with an ignored outcome too', async () => {
      const keys = keysFor('earlier-successes-ignored');
      const threshold4 = { ...settings, failureThreshold: 4 };

      await breaker.record(keys, threshold4, 'ignored', undefined, 2);
      await breaker.record(keys, threshold4, 'failure');
      const status = await breaker.record(keys, threshold4, 'failure');

      // 2 earlier successes + 2 failures: 4 requests, half failed.
      expect(status.state).toBe('open');
    });
  });

  describe('with a horizon', () => {
    it('reports the requests in the window', async () => {
      const keys = keysFor('horizon-count');
      await breaker.record(keys, settings, 'failure', undefined, 4);

      const status = await record(keys, settings, 'success', 0, 1000);

      expect(status).toEqual({
        state: 'closed',
        retryAfterMs: 0,
        lastingRequests: 6,
      });
    });

    it('leaves out buckets that leave the window sooner', async () => {
      const keys = keysFor('horizon-old-bucket');
      // 20 buckets of 100 ms each.
      const shortWindow = { ...settings, failureWindowMs: 2000 };
      await breaker.record(keys, shortWindow, 'success', undefined, 2);

      await sleep(600);
      const status = await record(keys, shortWindow, 'success', 0, 1500);

      // The older bucket leaves the window in at most 1400 ms.
      expect(status.lastingRequests).toBe(1);
      expect(await requestCount(keys)).toBe(4);
    });

    it('reports none for a horizon as long as the window', async () => {
      const keys = keysFor('horizon-whole-window');

      const status = await record(keys, settings, 'success', 0, 60_000);

      expect(status.lastingRequests).toBe(0);
    });

    it('counts earlier successes sent with an ignored outcome', async () => {
      const keys = keysFor('horizon-ignored');
      await breaker.record(keys, settings, 'success');

      const withEarlier = await record(keys, settings, 'ignored', 2, 1000);
      const alone = await record(keys, settings, 'ignored', 0, 1000);

      expect(withEarlier.lastingRequests).toBe(3);
      expect(alone.lastingRequests).toBe(3);
    });

    it('reports none while the circuit is open', async () => {
      const keys = keysFor('horizon-open');
      await openCircuit(keys, settings);

      const status = await record(keys, settings, 'success', 5, 1000);

      expect(status.state).toBe('open');
      expect(status.lastingRequests).toBe(0);
    });

    it('reports none when the failure opens the circuit', async () => {
      const keys = keysFor('horizon-opening');
      await recordAll(breaker, keys, settings, ['failure', 'failure']);

      const status = await record(keys, settings, 'failure', 0, 1000);

      expect(status.state).toBe('open');
      expect(status.lastingRequests).toBe(0);
    });

    it('leaves lastingRequests out without a horizon', async () => {
      const keys = keysFor('horizon-none');

      const status = await breaker.record(keys, settings, 'success');

      expect(status).not.toHaveProperty('lastingRequests');
    });
  });

  it('keeps circuits apart by key', async () => {
    const open = keysFor('apart-open');
    const other = keysFor('apart-other');
    await openCircuit(open, settings);

    expect(await breaker.admit(other, settings)).toEqual({
      admitted: true,
      trial: false,
    });
    expect(await breaker.state(other)).toBe('closed');
  });

  it('admits on a circuit it has never seen without writing', async () => {
    const keys = keysFor('unknown');

    const admission = await breaker.admit(keys, settings);

    expect(admission).toEqual({ admitted: true, trial: false });
    expect(await redis.exists(keys.breaker)).toBe(0);
  });

  describe('when arguments are invalid', () => {
    const invalid = expect.objectContaining({
      code: DELIVERY_POLICY_ERROR_CODES.invalidArgument,
    });
    const valid = keysFor('invalid');

    it.each<[string, CircuitKeys]>([
      ['a breaker key without hash tag', { ...valid, breaker: 'breaker:x' }],
      ['an empty hash tag', { ...valid, breaker: '{}:breaker:x' }],
      ['a registry in another slot', { ...valid, registry: '{other}:set' }],
      ['an empty origin', { ...valid, origin: '' }],
    ])('rejects %s', async (_label, keys) => {
      await expect(breaker.admit(keys, settings)).rejects.toEqual(invalid);
      await expect(breaker.record(keys, settings, 'failure')).rejects.toEqual(
        invalid,
      );
    });

    it.each<[string, Partial<CircuitSettings>]>([
      ['a zero failure threshold', { failureThreshold: 0 }],
      ['a zero percentage', { errorThresholdPercentage: 0 }],
      ['a percentage above 100', { errorThresholdPercentage: 101 }],
      ['a NaN percentage', { errorThresholdPercentage: Number.NaN }],
      ['a fractional window', { failureWindowMs: 1.5 }],
      ['a zero recovery time', { recoveryTimeoutMs: 0 }],
      ['zero trial calls', { halfOpenMaxCalls: 0 }],
    ])('rejects %s', async (_label, override) => {
      const bad = { ...settings, ...override };
      await expect(breaker.admit(valid, bad)).rejects.toEqual(invalid);
      await expect(breaker.record(valid, bad, 'success')).rejects.toEqual(
        invalid,
      );
    });

    it.each([-1, 1.5, Number.NaN])(
      'rejects %p earlier successes',
      async (count) => {
        await expect(
          breaker.record(valid, settings, 'success', undefined, count),
        ).rejects.toEqual(invalid);
      },
    );

    it.each([-1, 1.5, Number.NaN])('rejects a horizon of %p', async (ms) => {
      await expect(
        breaker.record(valid, settings, 'success', undefined, 0, ms),
      ).rejects.toEqual(invalid);
    });

    it('rejects an unknown outcome', async () => {
      const outcome = 'timeout' as CircuitOutcome;
      await expect(breaker.record(valid, settings, outcome)).rejects.toEqual(
        invalid,
      );
    });

    it.each([
      { trialLeaseMs: 0 },
      { busyRetryAfterMs: -1 },
      { windowBuckets: 0.5 },
    ])('rejects the option %j', (options) => {
      expect(() => new SharedCircuitBreaker(redis, options)).toThrow(invalid);
    });

    it('accepts a percentage of 100', async () => {
      const all = { ...settings, errorThresholdPercentage: 100 };
      const status = await breaker.record(valid, all, 'failure');
      expect(status.state).toBe('closed');
    });
  });
});

function keysFor(name: string): CircuitKeys {
  return circuitKeysFor(prefix, name);
}

/** Records one outcome with `earlierSuccesses` and a horizon. */
function record(
  keys: CircuitKeys,
  circuit: CircuitSettings,
  outcome: CircuitOutcome,
  earlierSuccesses: number,
  horizonMs: number,
): Promise<CircuitStatus> {
  return breaker.record(
    keys,
    circuit,
    outcome,
    undefined,
    earlierSuccesses,
    horizonMs,
  );
}

/** Requests counted in a circuit's window hash. */
function requestCount(keys: CircuitKeys): Promise<number> {
  return windowRequestCount(redis, `${keys.breaker}:window`);
}

async function recordAll(
  target: SharedCircuitBreaker,
  keys: CircuitKeys,
  circuit: CircuitSettings,
  outcomes: readonly CircuitOutcome[],
): Promise<CircuitState[]> {
  const states: CircuitState[] = [];
  for (const outcome of outcomes) {
    states.push((await target.record(keys, circuit, outcome)).state);
  }
  return states;
}

async function openCircuit(
  keys: CircuitKeys,
  circuit: CircuitSettings,
): Promise<void> {
  const failures = Array.from(
    { length: circuit.failureThreshold },
    () => 'failure' as const,
  );
  const states = await recordAll(breaker, keys, circuit, failures);
  expect(states.at(-1)).toBe('open');
}

async function openUntilTrial(
  keys: CircuitKeys,
  circuit: CircuitSettings,
): Promise<string> {
  await openCircuit(keys, circuit);
  await waitForState(keys, 'half_open', 5000);
  return trialPermit(keys, circuit);
}

async function trialPermit(
  keys: CircuitKeys,
  circuit: CircuitSettings,
): Promise<string> {
  const admission = await breaker.admit(keys, circuit);
  if (!admission.admitted || !admission.trial) {
    throw new Error(
      `expected a trial permit, got ${JSON.stringify(admission)}`,
    );
  }
  return admission.permitId;
}

/** Admits `perWorker` requests on every connection at once. */
function admitFromAll(
  keys: CircuitKeys,
  circuit: CircuitSettings,
  perWorker: number,
): Promise<CircuitAdmission[]> {
  return Promise.all(
    breakers.flatMap((each) =>
      Array.from({ length: perWorker }, () => each.admit(keys, circuit)),
    ),
  );
}

async function admitUntilAdmitted(
  target: SharedCircuitBreaker,
  keys: CircuitKeys,
  circuit: CircuitSettings,
  timeoutMs: number,
): Promise<CircuitAdmission> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const admission = await target.admit(keys, circuit);
    if (admission.admitted) return admission;
    await sleep(Math.min(admission.retryAfterMs, 50));
  }
  throw new Error(`not admitted within ${timeoutMs} ms`);
}

async function waitForState(
  keys: CircuitKeys,
  expected: CircuitState,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await breaker.state(keys)) === expected) return;
    await sleep(25);
  }
  throw new Error(`circuit not ${expected} within ${timeoutMs} ms`);
}

function rejectedRetryAfter(admission: CircuitAdmission): number {
  return admission.admitted ? -1 : admission.retryAfterMs;
}
