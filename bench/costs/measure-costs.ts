import { redisKeys } from '@signalpost/queues';
import { makeSignalInput, type SignalInput } from '../bench-signals';
import type { TrackedChild } from '../process-group';
import { runBounded } from '../run-bounded';
import {
  prefixFor,
  scenarioDeadline,
  type ScenarioContext,
} from '../scenario-context';
import { publishInBatches } from '../scenarios/load';
import {
  startSignalpostStack,
  type SignalpostStack,
} from '../signalpost-stack';
import { sleep } from '../sleep';
import { prepareStack } from '../warm-up';
import { emptyRedis } from '../with-stack';
import { CommandMonitor } from './command-monitor';
import {
  combineCounters,
  costsPerSecond,
  costsPerSignal,
  type CostPhase,
  type CostReport,
  type ProcessCosts,
} from './cost-report';
import { CountingProxy } from './counting-proxy';
import {
  PROBE_REPLY,
  PROBE_REQUEST,
  type ProbeSnapshot,
} from './probe-protocol';

/** The apps whose costs are counted; one worker, so each delivery is its. */
const APPS = Object.freeze(['api', 'router', 'worker-1']);
/** Long enough for two of the workers' 5 s stalled-job checks. */
const IDLE_MS = 10_000;
/** Wait after the last delivery for its record updates to finish. */
const SETTLE_MS = 500;
const PROBE_TIMEOUT_MS = 5_000;
const SINGLE_CONCURRENCY = 8;
const LEDGER_POLL_MS = 50;
/** Polls fast in the one-at-a-time phase, where each wait is a few ms. */
const LEDGER_POLL_FAST_MS = 2;

type Snapshot = Record<string, ProcessCosts>;

interface CostRun {
  readonly context: ScenarioContext;
  readonly stack: SignalpostStack;
  readonly proxies: ReadonlyMap<string, CountingProxy>;
  readonly monitor: CommandMonitor;
  readonly ledgerKey: string;
}

/**
 * Counts, per signal and per app, Redis round trips, commands (and the
 * commands inside Lua scripts), bytes, JSON passes, heap allocation and CPU
 * time: for signals sent one at a time (each delivered before the next is
 * sent), for single publishes in flight together, and for batches. Every
 * app talks to Redis through a counting proxy, MONITOR counts commands,
 * and a probe loaded into each app counts the rest. Untimed: the proxy, MONITOR and the probe
 * slow the apps down.
 */
export async function measureCosts(
  context: ScenarioContext,
): Promise<CostReport> {
  const proxies = new Map<string, CountingProxy>();
  for (const app of APPS) {
    proxies.set(app, await CountingProxy.start(context.redis.port));
  }
  const monitor = new CommandMonitor(context.redis.url, (port) =>
    appOfPort(proxies, port),
  );
  const prefix = prefixFor(context, 'costs');
  let stack: SignalpostStack | undefined;
  try {
    stack = await startSignalpostStack(context.group, {
      redisUrl: (app) => proxies.get(app)?.url ?? context.redis.url,
      prefix,
      workers: 1,
      concurrency: context.options.concurrency,
      probe: true,
    });
    await prepareStack(stack, context.receiver, context.options);
    await monitor.start();
    const ledgerKey = redisKeys(prefix).ledger;
    return await measurePhases({ context, stack, proxies, monitor, ledgerKey });
  } finally {
    monitor.stop();
    await stack?.stop();
    for (const proxy of proxies.values()) await proxy.close();
    await emptyRedis(context);
  }
}

async function measurePhases(run: CostRun): Promise<CostReport> {
  const { options } = run.context;
  const idlePerSec = await measureIdle(run);

  const single = Array.from({ length: options.costSignals }, (_, index) =>
    makeSignalInput('cost-single', index, options.payloadBytes),
  );
  const batch = Array.from({ length: options.costSignals }, (_, index) =>
    makeSignalInput('cost-batch', index, options.payloadBytes),
  );
  const sequential = Array.from(
    { length: Math.max(1, Math.floor(options.costSignals / 5)) },
    (_, index) => makeSignalInput('cost-one', index, options.payloadBytes),
  );
  const phases = [
    await measurePhase(
      run,
      'one at a time',
      sequential,
      idlePerSec,
      (deadlineMs) => publishOneAtATime(run, sequential, deadlineMs),
    ),
    await measurePhase(
      run,
      'single publishes',
      single,
      idlePerSec,
      (deadlineMs) => publishSingly(run.stack, single, deadlineMs),
    ),
    await measurePhase(
      run,
      'batch publishes',
      batch,
      idlePerSec,
      (deadlineMs) =>
        publishInBatches(run.stack, batch, deadlineMs).then((result) => {
          if (result.failed + result.skipped > 0) {
            throw new Error(
              `batch publishes failed: ${result.firstError ?? 'deadline'}`,
            );
          }
        }),
    ),
  ];
  return { idleMs: IDLE_MS, idlePerSec, phases };
}

// Measures what the apps do with no load, to take it out of each phase.
async function measureIdle(run: CostRun): Promise<Snapshot> {
  await sleep(SETTLE_MS);
  const start = await snapshot(run);
  await sleep(IDLE_MS);
  const end = await snapshot(run);
  return mapApps((app) =>
    costsPerSecond(at(start, app), at(end, app), IDLE_MS),
  );
}

async function measurePhase(
  run: CostRun,
  name: string,
  inputs: readonly SignalInput[],
  idlePerSec: Snapshot,
  publish: (deadlineMs: number) => Promise<void>,
): Promise<CostPhase> {
  const deadlineMs = scenarioDeadline(run.context);
  const deliveredBefore = await deliveredCount(run);
  const before = await snapshot(run);
  const startedMs = performance.now();

  const { progress, receiver } = run.context;
  progress.follow(`costs, ${name}`, inputs.length, () => receiver.count);
  await publish(deadlineMs);
  await waitForLedger(run, deliveredBefore + inputs.length, deadlineMs);
  progress.stop();

  await sleep(SETTLE_MS);
  const after = await snapshot(run);
  const elapsedMs = performance.now() - startedMs;
  receiver.reset();
  return {
    name,
    signals: inputs.length,
    elapsedMs,
    perSignal: mapApps((app) =>
      costsPerSignal(
        at(before, app),
        at(after, app),
        at(idlePerSec, app),
        elapsedMs,
        inputs.length,
      ),
    ),
  };
}

async function publishSingly(
  stack: SignalpostStack,
  inputs: readonly SignalInput[],
  deadlineMs: number,
): Promise<void> {
  const result = await runBounded(
    inputs.length,
    SINGLE_CONCURRENCY,
    deadlineMs,
    async (index) => {
      const reply = await stack.api.publish(inputs[index]);
      return reply.status === 202 || `failed with status ${reply.status}`;
    },
  );
  if (result.failed + result.skipped > 0) {
    throw new Error(
      `single publishes failed: ${result.firstError ?? 'deadline'}`,
    );
  }
}

// Nothing overlaps, so no write of one signal's commands can carry
// another's: the round trips counted are the chain each signal goes through.
async function publishOneAtATime(
  run: CostRun,
  inputs: readonly SignalInput[],
  deadlineMs: number,
): Promise<void> {
  for (const input of inputs) {
    const delivered = await deliveredCount(run);
    const reply = await run.stack.api.publish(input);
    if (reply.status !== 202) {
      throw new Error(
        `one-at-a-time publish failed with status ${reply.status}: ${reply.body}`,
      );
    }
    await waitForLedger(run, delivered + 1, deadlineMs, LEDGER_POLL_FAST_MS);
  }
}

// A delivery reaches the receiver before the worker records it; the ledger's
// `delivered` counter moves only once the record is final.
async function waitForLedger(
  run: CostRun,
  target: number,
  deadlineMs: number,
  pollMs = LEDGER_POLL_MS,
): Promise<void> {
  while ((await deliveredCount(run)) < target) {
    const failure = run.stack.failure();
    if (failure) throw new Error(failure);
    if (performance.now() > deadlineMs) {
      throw new Error(
        `only ${await deliveredCount(run)} of ${target} deliveries were recorded before the deadline`,
      );
    }
    await sleep(pollMs);
  }
}

async function deliveredCount(run: CostRun): Promise<number> {
  const value = await run.context.redisClient.hget(run.ledgerKey, 'delivered');
  return Number(value ?? 0);
}

async function snapshot(run: CostRun): Promise<Snapshot> {
  // MONITOR lines arrive a little after the commands ran.
  await sleep(100);
  const commands = run.monitor.read();
  const result: Snapshot = {};
  for (const app of APPS) {
    const child = run.stack.children.find((entry) => entry.name === app);
    const proxy = run.proxies.get(app);
    if (!child || !proxy) throw new Error(`no process or proxy for ${app}`);
    result[app] = combineCounters(
      proxy.read(),
      commands[app],
      await askProbe(child),
    );
  }
  return result;
}

function askProbe(child: TrackedChild): Promise<ProbeSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.process.off('message', onMessage);
      reject(
        new Error(
          `${child.name} sent no probe reply within ${PROBE_TIMEOUT_MS} ms`,
        ),
      );
    }, PROBE_TIMEOUT_MS);
    const onMessage = (message: {
      type?: unknown;
      snapshot?: ProbeSnapshot;
    }) => {
      if (message?.type !== PROBE_REPLY || !message.snapshot) return;
      clearTimeout(timer);
      child.process.off('message', onMessage);
      resolve(message.snapshot);
    };
    child.process.on('message', onMessage);
    child.process.send({ type: PROBE_REQUEST });
  });
}

function appOfPort(
  proxies: ReadonlyMap<string, CountingProxy>,
  port: number,
): string | undefined {
  for (const [app, proxy] of proxies) {
    if (proxy.upstreamPorts.has(port)) return app;
  }
  return undefined;
}

function mapApps(costsOf: (app: string) => ProcessCosts): Snapshot {
  return Object.fromEntries(APPS.map((app) => [app, costsOf(app)]));
}

function at(snapshot: Snapshot, app: string): ProcessCosts {
  const costs = snapshot[app];
  if (!costs) throw new Error(`no counters for ${app}`);
  return costs;
}
