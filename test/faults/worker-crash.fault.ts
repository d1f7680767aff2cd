import { describeAudit } from './support/audit-tests';
import { failShare, type ReceiverPlan } from './support/fault-receiver';
import { readFaultSettings } from './support/fault-settings';
import { FaultScenario } from './support/fault-scenario';
import { signalProcess } from './support/process-tree';
import { waitUntil } from './support/timing';

const settings = readFaultSettings();
const STARTUP_TIMEOUT_MS = 180_000;
/** Signals whose requests the receiver keeps open while the workers are killed. */
const HELD_SIGNALS = 20;
/**
 * Kills of both workers while the held requests are open. BullMQ fails a
 * job once it stalls more than `maxStalledCount` (2) times, so three kills
 * push every held delivery past that limit.
 */
const KILL_ROUNDS = 3;
/**
 * Bound on a stalled job coming back: the lock of 10 s expires, a check
 * every 5 s finds it, and `scripts/start.ts` restarts a worker after up to
 * 30 s of back-off. Three times that, for a shared machine.
 */
const TAKEOVER_TIMEOUT_MS = 150_000;

describe('when workers are killed with SIGKILL during deliveries', () => {
  let scenario: FaultScenario | undefined;
  const heldIds = new Set<string>();

  beforeAll(async () => {
    const quickPlan = failShare(settings.failureRatio);
    const plan: ReceiverPlan = (arrival) =>
      heldIds.has(arrival.signalId) ? { hold: true } : quickPlan(arrival);
    scenario = await FaultScenario.start({
      name: 'worker-crash',
      plan,
      // Leases of killed workers stay until their TTL, so a small limit
      // would hold back the successors' requests for that long. The long
      // timeout keeps held requests open across a kill round.
      target: { maxInFlight: 1_000, timeoutMs: 60_000 },
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await scenario?.close();
  }, STARTUP_TIMEOUT_MS);

  it(
    'restarts the workers and takes over their jobs',
    async () => {
      const world = scenario as FaultScenario;
      const { stack, receiver } = world;
      for (const id of world.signalIds(HELD_SIGNALS, 'held')) heldIds.add(id);
      await world.publish([...heldIds]);
      const ids = world.signalIds(settings.signals);
      const publishing = world.publish(ids);

      await waitUntil(
        () => (receiver.arrivals.length >= ids.length / 4 ? true : undefined),
        settings.drainTimeoutMs,
        'a quarter of the deliveries to arrive',
      );
      const [first, second] = await stack.workers();
      if (!first || !second) throw new Error('expected two workers');
      signalProcess(first.pid, 'SIGKILL');
      world.countFault('worker SIGKILL');
      await stack.waitUntilReady(new Set([first.pid]));

      // Twice in a row: the successor dies as soon as it has started.
      signalProcess(second.pid, 'SIGKILL');
      world.countFault('worker SIGKILL');
      const successor = await stack.waitForSuccessor(second.name, second.pid);
      await stack.waitUntilReady(new Set([second.pid]));
      let killedAt = Date.now();
      signalProcess(successor.pid, 'SIGKILL');
      world.countFault('worker SIGKILL');
      await stack.waitUntilReady(new Set([successor.pid]));

      // Seconds from each kill until every open held delivery was sent again.
      const takeoverSec: number[] = [];
      let rounds = 0;
      for (; rounds < KILL_ROUNDS; rounds += 1) {
        // A held delivery may have stalled three times already when the
        // kills above all caught it.
        if ((await waitForHeldRequests(world, heldIds)) === 0) break;
        takeoverSec.push(Math.round((Date.now() - killedAt) / 1000));
        const workers = await stack.workers();
        killedAt = Date.now();
        for (const worker of workers) {
          signalProcess(worker.pid, 'SIGKILL');
          world.countFault('worker SIGKILL');
        }
        await stack.waitUntilReady(new Set(workers.map((item) => item.pid)));
      }
      const heldEnds = await waitUntil(
        async () => {
          const ends = await heldOutcomes(world, heldIds);
          return ends.open === undefined ? ends : undefined;
        },
        TAKEOVER_TIMEOUT_MS,
        'the held deliveries to be failed as stalled',
        1_000,
      );
      heldIds.clear();
      receiver.releaseHeld();
      expect(heldEnds).toEqual({ 'dead_lettered stalled': HELD_SIGNALS });

      const progress = await publishing;
      expect(progress.statusCounts()).toEqual({ '202': ids.length });
      const report = await world.settle({
        heldSignals: HELD_SIGNALS,
        killRoundsOfBothWorkers: rounds,
        takeoverSec,
      });
      const exits = stack.exits.filter((line) => line.includes('SIGKILL'));
      expect(exits).toHaveLength(world.faults['worker SIGKILL'] ?? 0);
      // A job that stalls more than twice ends dead-lettered, never failed.
      expect(Object.keys(report.deadLetteredByReason)).toEqual(['stalled']);
    },
    2 * settings.drainTimeoutMs + 6 * TAKEOVER_TIMEOUT_MS,
  );

  describeAudit(() => scenario);
});

/**
 * Waits until every held delivery that has not ended yet has a request
 * open at the receiver again, so the next kill catches all of them active.
 * Returns how many had not ended.
 */
async function waitForHeldRequests(
  world: FaultScenario,
  heldIds: ReadonlySet<string>,
): Promise<number> {
  return waitUntil(
    async () => {
      const open = (await heldOutcomes(world, heldIds)).open ?? 0;
      return world.receiver.heldCount >= open ? open : undefined;
    },
    TAKEOVER_TIMEOUT_MS,
    'the held deliveries to be sent again',
    1_000,
  );
}

/**
 * Counts the held signals' deliveries as `<state> <reason>` once ended, and
 * as `open` before.
 */
async function heldOutcomes(
  world: FaultScenario,
  heldIds: ReadonlySet<string>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const id of heldIds) {
    const response = await world.stack.request(
      'GET',
      `/v1/signals/${id}?source=signalpost-faults`,
    );
    const body = response.body as {
      deliveries?: { state: string; reason?: string }[];
    };
    const delivery = body?.deliveries?.[0];
    const ended =
      delivery?.state === 'delivered' || delivery?.state === 'dead_lettered';
    const key = ended ? `${delivery.state} ${delivery.reason ?? ''}` : 'open';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
