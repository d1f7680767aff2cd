import { describeAudit } from './support/audit-tests';
import { failShare } from './support/fault-receiver';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';
import { publishSignals } from './support/signal-publisher';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;

describe('when a target fails a share of its requests', () => {
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    scenario = await FaultScenario.start({
      name: 'ledger-balance',
      plan: failShare(settings.failureRatio),
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'accepts every signal and retries the failed requests',
    async () => {
      const world = scenario as FaultScenario;
      const ids = world.signalIds(settings.signals);
      const progress = await publishSignals(
        world.stack.apiOrigin,
        world.stack.apiKey,
        world.type,
        ids,
        {
          concurrency: settings.publishConcurrency,
          deadlineMs: Date.now() + settings.drainTimeoutMs,
        },
      );
      for (const id of progress.accepted) world.accepted.add(id);
      expect(progress.statusCounts()).toEqual({ '202': ids.length });

      const report = await world.settle({
        publish: {
          statuses: progress.statusCounts(),
          p50Ms: progress.latencyPercentileMs(50),
          p99Ms: progress.latencyPercentileMs(99),
        },
      });
      const failedResponses = world.receiver.arrivals.filter(
        (arrival) => arrival.status === 500,
      );
      expect(failedResponses.length).toBeGreaterThan(0);
      expect(report.ledger.delivered).toBe(report.accepted);
    },
    2 * settings.drainTimeoutMs,
  );

  describeAudit(() => scenario);
});
