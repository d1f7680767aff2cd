import { describeAudit } from './support/audit-tests';
import { failShare } from './support/fault-receiver';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';
import { FAULT_SOURCE, PublishProgress } from './support/signal-publisher';
import { sleep, waitUntil } from './support/timing';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;
/** Requests of one signal while Redis is down and after, before giving up. */
const MAX_TRIES = 20;
/**
 * Bound on a rejected publish. The API's own deadline is 2 s; five times
 * that for a shared machine, and never asserted as a speed.
 * NOTE: rejections took up to 4 s in runs here, so this bound does not
 * catch a breach of the 2 s. The API's backlog check waits for Redis with no
 * deadline before the 1.5 s store deadline starts.
 */
const REFUSAL_BOUND_MS = 10_000;
/** How long the apps get to reconnect after Redis is back. */
const RECONNECT_TIMEOUT_MS = 60_000;

describe('when Redis is killed and restarted from its AOF', () => {
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    scenario = await FaultScenario.start({
      name: 'redis-restart',
      plan: failShare(settings.failureRatio),
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'refuses publishes with 503 and loses nothing it accepted',
    async () => {
      const world = scenario as FaultScenario;
      const { stack, redis } = world;
      const appsBefore = await stack.apps();
      const ids = world.signalIds(settings.signals);
      const progress = new PublishProgress();
      const publishing = world.publish(ids, {}, progress);

      await waitUntil(
        () => (progress.attempts.length >= ids.length / 3 ? true : undefined),
        settings.drainTimeoutMs,
        'a third of the publishes',
      );
      const killedAt = Date.now();
      await redis.kill();
      world.countFault('Redis SIGKILL');
      await sleep(settings.redisOutageMs);
      await redis.restart();
      const restartedAt = Date.now();
      world.countFault('Redis restart from AOF');
      await publishing;

      // A rejected signal may have been stored all the same; the retry with
      // the same id finds it and routes it.
      // NOTE: such a signal stays in state `routing` until a client sends it
      // again, although the error docs say a 503 stored nothing. The counts
      // go to the figures, unasserted, until the product settles which holds.
      await stack.waitUntilReady(new Set(), RECONNECT_TIMEOUT_MS);
      const rejected = ids.filter((id) => !progress.accepted.has(id));
      const rejectedStates = await recordStates(world, rejected);
      await world.publish(
        rejected,
        { maxTries: MAX_TRIES, repeatDelayMs: 1_000 },
        progress,
      );

      const duringOutage = progress.attempts.filter(
        (attempt) =>
          attempt.startedAt >= killedAt && attempt.startedAt < restartedAt,
      );
      const refusals = progress.attempts.filter(
        (attempt) => attempt.status !== 202,
      );
      const slowest = Math.max(0, ...refusals.map((item) => item.latencyMs));
      expect(Object.keys(progress.refusalCounts())).toEqual([
        '503 redis_unavailable',
      ]);
      expect(duringOutage.some((attempt) => attempt.status === 503)).toBe(true);
      expect(slowest).toBeLessThan(REFUSAL_BOUND_MS);
      expect([...progress.unaccepted]).toEqual([]);

      const appsAfter = await stack.apps();
      expect(appsAfter).toEqual(appsBefore);
      expect(stack.exits).toEqual([]);

      await world.settle({
        redisDownMs: restartedAt - killedAt,
        rejectedStates,
        publish: {
          statuses: progress.statusCounts(),
          refusals: progress.refusalCounts(),
          duplicateResponses: progress.duplicates.size,
          slowestRefusalMs: slowest,
          p50Ms: progress.latencyPercentileMs(50),
          p99Ms: progress.latencyPercentileMs(99),
        },
      });
    },
    2 * settings.drainTimeoutMs + RECONNECT_TIMEOUT_MS,
  );

  describeAudit(() => scenario);
});

/** Counts the records of `ids` by state, `not stored` for none. */
async function recordStates(
  world: FaultScenario,
  ids: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    const response = await world.stack.request(
      'GET',
      `/v1/signals/${id}?source=${FAULT_SOURCE}`,
    );
    const state =
      response.status === 404
        ? 'not stored'
        : ((response.body as { state?: string })?.state ?? 'unknown');
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}
