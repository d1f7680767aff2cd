import { describeAudit } from './support/audit-tests';
import {
  failShare,
  hashShare,
  type ReceiverPlan,
} from './support/fault-receiver';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';
import { signalProcess } from './support/process-tree';
import { PublishProgress } from './support/signal-publisher';
import { waitUntil } from './support/timing';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;
const SHUTDOWN_GRACE_MS = 5_000;
/** Share of requests the receiver responds to after the grace period, so some are aborted. */
const SLOW_SHARE = 0.02;
const SLOW_RESPONSE_MS = 8_000;
/**
 * Bound on one restart: the grace period, the supervisor's back-off of up
 * to 8 s by the fourth restart, and the start of a new process, three
 * times over for a shared machine.
 */
const RESTART_TIMEOUT_MS = 120_000;

describe('when the workers are restarted one by one with SIGTERM', () => {
  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    const quickPlan = failShare(settings.failureRatio);
    const plan: ReceiverPlan = (arrival) =>
      hashShare(`slow\0${arrival.deliveryId}\0${arrival.previousArrivals}`) <
      SLOW_SHARE
        ? { status: 200, delayMs: SLOW_RESPONSE_MS }
        : quickPlan(arrival);
    scenario = await FaultScenario.start({
      name: 'rolling-restart',
      plan,
      env: { SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) },
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'hands in-flight deliveries back without a stalled dead letter',
    async () => {
      const world = scenario as FaultScenario;
      const { stack } = world;
      const names = (await stack.workers()).map((worker) => worker.name);
      const restarts = settings.rollingUpdates * names.length;
      const chunks = split(world.signalIds(settings.signals), restarts);
      const statuses: Record<string, number>[] = [];

      for (let restart = 0; restart < restarts; restart += 1) {
        const chunk = chunks[restart] ?? [];
        const progress = new PublishProgress();
        const publishing = world.publish(chunk, {}, progress);
        // Stops the worker while its chunk's deliveries are flowing.
        await waitUntil(
          () =>
            progress.accepted.size >= chunk.length / 4 || progress.finished
              ? true
              : undefined,
          settings.drainTimeoutMs,
          'a quarter of the chunk to be accepted',
        );
        const name = names[restart % names.length] as string;
        const worker = (await stack.workers()).find(
          (item) => item.name === name,
        );
        if (!worker) throw new Error(`no running ${name}`);
        signalProcess(worker.pid, 'SIGTERM');
        world.countFault('worker SIGTERM');
        await stack.waitUntilReady(new Set([worker.pid]), RESTART_TIMEOUT_MS);
        statuses.push((await publishing).statusCounts());
      }

      for (const [index, chunk] of chunks.entries())
        expect(statuses[index]).toEqual({ '202': chunk.length });
      const cleanExits = stack.exits.filter((line) =>
        line.includes('exited (code 0)'),
      );
      expect(cleanExits).toHaveLength(restarts);
      expect(stack.exits).toHaveLength(restarts);

      const report = await world.settle({
        shutdownGraceMs: SHUTDOWN_GRACE_MS,
        slowShare: SLOW_SHARE,
        slowResponseMs: SLOW_RESPONSE_MS,
      });
      expect(report.deadLetteredByReason).toEqual({});
    },
    2 * settings.drainTimeoutMs +
      settings.rollingUpdates * 2 * RESTART_TIMEOUT_MS,
  );

  describeAudit(() => scenario);
});

/** Splits ids into `count` chunks of nearly equal size, in order. */
function split(ids: readonly string[], count: number): string[][] {
  const size = Math.ceil(ids.length / count);
  return Array.from({ length: count }, (_, index) =>
    ids.slice(index * size, (index + 1) * size),
  );
}
