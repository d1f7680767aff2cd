import { Redis } from 'ioredis';
import { describeAudit } from './support/audit-tests';
import { unfinishedJobs } from './support/delivery-audit';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';
import { signalProcess } from './support/process-tree';
import type { PublishAttempt } from './support/signal-publisher';
import { sleep, waitUntil } from './support/timing';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;
/** The API reuses one backlog reading for a second; this is past it. */
const READING_REUSE_MS = 1_500;
/** How long the test keeps publishing into a full backlog. */
const HOLD_MS = 3_000;
/** Publishes sent at once while filling the backlog. */
const FILL_BATCH = 20;
const RECOVERY_TIMEOUT_MS = 120_000;
/** Publishes allowed before the bound must reject one: five times the bound. */
const fillLimit = settings.maxQueueDepth * 5;

describe('when the delivery backlog passes SIGNALPOST_MAX_QUEUE_DEPTH', () => {
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    scenario = await FaultScenario.start({
      name: 'ingest-overload',
      plan: () => ({ status: 200 }),
      env: { SIGNALPOST_MAX_QUEUE_DEPTH: String(settings.maxQueueDepth) },
      // The product's defaults: a hanging target then ties up 10 requests,
      // and the workers hold the rest back instead of sending them. It
      // keeps the default circuit breaker too.
      target: { maxInFlight: 10, circuitBreaker: {} },
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'rejects ingest while workers are stopped',
    async () => {
      const world = scenario as FaultScenario;
      const workers = await world.stack.workers();
      for (const worker of workers) {
        signalProcess(worker.pid, 'SIGSTOP');
        world.countFault('worker SIGSTOP');
      }

      const fill = await publishUntilOverloaded(world, 'stopped');
      expect(fill.overloaded?.code).toBe('overloaded');
      expect(Number(fill.overloaded?.retryAfter)).toBeGreaterThanOrEqual(1);

      await sleep(READING_REUSE_MS);
      await waitForRouting(world);
      const depthBefore = await waitingDeliveries(world);
      const held = await publishFor(world, 'held', HOLD_MS);
      const depthAfter = await waitingDeliveries(world);
      expect(countCodes(held)).toEqual({ '503 overloaded': held.length });
      expect(depthAfter).toBe(depthBefore);
      const refusedId = held[0]?.id ?? '';
      const refused = await world.stack.request(
        'GET',
        `/v1/signals/${refusedId}?source=signalpost-faults`,
      );
      expect(refused.status).toBe(404);

      for (const worker of workers) signalProcess(worker.pid, 'SIGCONT');
      const recovered = await publishUntilAccepted(world, 'recovered');
      expect(recovered.status).toBe(202);
      await world.settle({
        maxQueueDepth: settings.maxQueueDepth,
        stoppedWorkers: {
          acceptedBeforeOverload: fill.acceptedCount,
          waitingAtOverload: depthBefore,
          rejectedWhileFull: held.length,
        },
      });
    },
    RECOVERY_TIMEOUT_MS + 2 * settings.drainTimeoutMs,
  );

  it(
    'rejects ingest while the target hangs',
    async () => {
      const world = scenario as FaultScenario;
      world.receiver.respondWith(() => ({ hold: true }));
      world.countFault('target hangs');

      const fill = await publishUntilOverloaded(world, 'hanging');
      world.receiver.respondWith(() => ({ status: 200 }));
      world.receiver.releaseHeld();
      const waitingAtEnd = await waitingDeliveries(world);
      const jobs = await unfinishedJobs(world.redis.url, world.stack.prefix);
      await world.settle({
        hangingTarget: {
          acceptedBeforeOverload: fill.acceptedCount,
          overloaded: fill.overloaded !== undefined,
          waitingAtEnd,
          delayedAtEnd: jobs.deliveries?.delayed,
        },
      });
      expect(fill.overloaded?.code).toBe('overloaded');
    },
    RECOVERY_TIMEOUT_MS + 2 * settings.drainTimeoutMs,
  );

  describeAudit(() => scenario);
});

interface FillResult {
  readonly acceptedCount: number;
  /** The first `overloaded` response; undefined when the limit came first. */
  readonly overloaded: PublishAttempt | undefined;
}

/**
 * Publishes batches of {@link FILL_BATCH} signals until the API responds
 * 503 `overloaded`, or {@link fillLimit} were sent.
 */
async function publishUntilOverloaded(
  world: FaultScenario,
  label: string,
): Promise<FillResult> {
  const ids = world.signalIds(fillLimit, label);
  let acceptedCount = 0;
  for (let start = 0; start < ids.length; start += FILL_BATCH) {
    const batch = ids.slice(start, start + FILL_BATCH);
    const progress = await world.publish(batch, { concurrency: 4 });
    acceptedCount += progress.accepted.size;
    const overloaded = progress.attempts.find(
      (attempt) => attempt.code === 'overloaded',
    );
    if (overloaded) return { acceptedCount, overloaded };
  }
  return { acceptedCount, overloaded: undefined };
}

/** Publishes one signal after another for `durationMs` and returns the outcomes. */
async function publishFor(
  world: FaultScenario,
  label: string,
  durationMs: number,
): Promise<PublishAttempt[]> {
  const deadlineMs = Date.now() + durationMs;
  const attempts: PublishAttempt[] = [];
  for (let n = 0; Date.now() < deadlineMs; n += 1) {
    const progress = await world.publish([`${world.name}-${label}${n}`]);
    attempts.push(...progress.attempts);
  }
  return attempts;
}

/** Publishes a signal every half second until the API responds 202. */
async function publishUntilAccepted(
  world: FaultScenario,
  label: string,
): Promise<PublishAttempt> {
  let n = 0;
  return waitUntil(
    async () => {
      const progress = await world.publish([`${world.name}-${label}${n}`]);
      n += 1;
      const [attempt] = progress.attempts;
      return attempt?.status === 202 ? attempt : undefined;
    },
    RECOVERY_TIMEOUT_MS,
    'ingest to accept again once the backlog drains',
    500,
  );
}

/** Waits until the router has handled every accepted signal. */
async function waitForRouting(world: FaultScenario): Promise<void> {
  await waitUntil(
    async () => {
      const jobs = await unfinishedJobs(world.redis.url, world.stack.prefix);
      const signals = jobs.signals;
      return signals && signals.waiting + signals.active === 0
        ? true
        : undefined;
    },
    RECOVERY_TIMEOUT_MS,
    'the router to handle every accepted signal',
  );
}

/** Reads the length of the deliveries queue's wait list, as the API does. */
async function waitingDeliveries(world: FaultScenario): Promise<number> {
  const redis = new Redis(world.redis.url, { maxRetriesPerRequest: 2 });
  try {
    return await redis.llen(`${world.stack.prefix}:deliveries:wait`);
  } finally {
    redis.disconnect();
  }
}

function countCodes(
  attempts: readonly PublishAttempt[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) {
    const key = `${attempt.status} ${attempt.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
