import { describeAudit } from './support/audit-tests';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;
/** The only refusals a flood may cause: both tell the client to retry. */
const RETRYABLE_REFUSALS = ['503 overloaded', '503 redis_unavailable'];

describe('when the API is flooded with publishes', () => {
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    scenario = await FaultScenario.start({
      name: 'api-flood',
      plan: () => ({ status: 200 }),
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'responds 202 or a retryable 503',
    async () => {
      const world = scenario as FaultScenario;
      const ids = world.signalIds(settings.floodRequests);
      const startedAt = Date.now();
      const progress = await world.publish(ids, {
        concurrency: settings.floodConcurrency,
        deadlineMs: startedAt + settings.floodTimeoutMs,
      });
      const elapsedMs = Date.now() - startedAt;

      const refusals = Object.keys(progress.refusalCounts());
      const unexpected = refusals.filter(
        (key) => !RETRYABLE_REFUSALS.includes(key),
      );
      expect(progress.attempts.length).toBeGreaterThan(0);
      expect(unexpected).toEqual([]);
      expect(progress.statusCounts()['0']).toBeUndefined();

      await world.settle({
        flood: {
          requestsSent: progress.attempts.length,
          requestsPlanned: ids.length,
          concurrency: settings.floodConcurrency,
          elapsedMs,
          requestsPerSec: Math.round(
            (progress.attempts.length * 1000) / elapsedMs,
          ),
          statuses: progress.statusCounts(),
          refusals: progress.refusalCounts(),
          p50Ms: progress.latencyPercentileMs(50),
          p99Ms: progress.latencyPercentileMs(99),
          maxMs: progress.latencyPercentileMs(100),
        },
      });
    },
    settings.floodTimeoutMs + 2 * settings.drainTimeoutMs,
  );

  describeAudit(() => scenario);
});
