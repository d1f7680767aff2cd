import { describeAudit } from './support/audit-tests';
import { hashShare, type ReceiverPlan } from './support/fault-receiver';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;
const BASE_DELAY_MS = 60_000;
/** The low end of the jitter factor of [0.8, 1.2]. */
const MIN_JITTER = 0.8;
/** Share of deliveries whose second attempt fails too, so it waits twice. */
const TWICE_FAILED_SHARE = 1 / 3;
/**
 * Bound on the drain: the last retry is due after at most
 * 1.2 × (60 s + 120 s) = 216 s; three times that.
 */
const SOAK_DRAIN_MS = 3 * 216_000;

describe('when every delivery fails its first attempt', () => {
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    const plan: ReceiverPlan = (arrival) => {
      const failures =
        hashShare(`twice\0${arrival.deliveryId}`) < TWICE_FAILED_SHARE ? 2 : 1;
      return { status: arrival.previousArrivals < failures ? 500 : 200 };
    };
    scenario = await FaultScenario.start({
      name: 'retry-soak',
      plan,
      target: {
        retry: { baseDelayMs: BASE_DELAY_MS, jitter: true },
        // Every first attempt fails, so a breaker with the default threshold
        // would open; this one needs more requests than the soak sends.
        circuitBreaker: { failureThreshold: 10_000 },
      },
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'fires every retry after its backoff',
    async () => {
      const world = scenario as FaultScenario;
      const ids = world.signalIds(settings.soakSignals);
      const progress = await world.publish(ids);
      expect(progress.statusCounts()).toEqual({ '202': ids.length });

      const report = await world.settle(
        { baseDelayMs: BASE_DELAY_MS },
        SOAK_DRAIN_MS,
      );
      const gaps = firstRetryGapsMs(world);
      const shortest = Math.min(...gaps);
      expect(report.ledger.delivered).toBe(report.accepted);
      expect(gaps).toHaveLength(report.accepted);
      expect(shortest).toBeGreaterThanOrEqual(MIN_JITTER * BASE_DELAY_MS);
    },
    SOAK_DRAIN_MS + 2 * settings.drainTimeoutMs,
  );

  describeAudit(() => scenario);
});

/** Time from each delivery's first request to its second, in ms. */
function firstRetryGapsMs(world: FaultScenario): number[] {
  const firstAt = new Map<string, number>();
  const gaps: number[] = [];
  for (const arrival of world.receiver.arrivals) {
    if (arrival.previousArrivals === 0)
      firstAt.set(arrival.deliveryId, arrival.at);
    const first = firstAt.get(arrival.deliveryId);
    if (arrival.previousArrivals === 1 && first !== undefined)
      gaps.push(arrival.at - first);
  }
  return gaps;
}
