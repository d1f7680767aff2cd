import { randomBytes } from 'node:crypto';
import type { BenchReceiver } from './bench-receiver';
import { BENCH_PATTERN, makeSignalInput, webhookIdOf } from './bench-signals';
import type { SignalpostStack } from './signalpost-stack';

/** Id of the benchmark's only subscription. */
export const BENCH_SUBSCRIPTION_ID = 'bench';

/** Signals sent before the clock starts, so JIT and connections are warm. */
const WARM_UP_SIGNALS = 50;
/** Probes sent one at a time until the router has loaded the subscription. */
const MAX_PROBES = 20;
const PROBE_WAIT_MS = 3_000;
const WARM_UP_TIMEOUT_MS = 30_000;

/**
 * Creates the subscription (`bench.**`, a signed webhook to the receiver),
 * waits until a probe signal arrives, then delivers a warm-up batch, and
 * resets the receiver.
 * @throws Error when the subscription is refused or nothing arrives in time.
 */
export async function prepareStack(
  stack: SignalpostStack,
  receiver: BenchReceiver,
  options: { readonly payloadBytes: number; readonly maxInFlight: number },
): Promise<void> {
  const { payloadBytes } = options;
  const created = await stack.api.createSubscription(
    benchSubscription(receiver, options.maxInFlight),
  );
  if (created.status !== 201) {
    throw new Error(
      `creating the benchmark subscription failed with status ${created.status}: ${created.body}`,
    );
  }
  await waitForRouting(stack, receiver, payloadBytes);
  await warmUp(stack, receiver, payloadBytes);
  receiver.reset();
}

/**
 * Returns the subscription body that {@link prepareStack} creates. Its
 * lease is taken on every delivery, whatever `maxInFlight` is.
 */
export function benchSubscription(
  receiver: BenchReceiver,
  maxInFlight: number,
): unknown {
  return {
    id: BENCH_SUBSCRIPTION_ID,
    pattern: BENCH_PATTERN,
    dispatch: {
      adapter: 'webhook',
      url: `${receiver.url}/hook`,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      maxInFlight,
    },
  };
}

// The router follows subscription changes within a second; a probe
// published before that would match nothing and never arrive.
async function waitForRouting(
  stack: SignalpostStack,
  receiver: BenchReceiver,
  payloadBytes: number,
): Promise<void> {
  for (let probe = 0; probe < MAX_PROBES; probe += 1) {
    const before = receiver.count;
    const reply = await stack.api.publish(
      makeSignalInput('probe', probe, payloadBytes),
    );
    if (reply.status !== 202) {
      throw new Error(
        `probe publish failed with status ${reply.status}: ${reply.body}`,
      );
    }
    const deadline = performance.now() + PROBE_WAIT_MS;
    if ((await receiver.waitForCount(before + 1, deadline)) === 'reached') {
      return;
    }
    const failure = stack.failure();
    if (failure) throw new Error(failure);
  }
  throw new Error(
    `no probe signal arrived at the receiver after ${MAX_PROBES} tries`,
  );
}

async function warmUp(
  stack: SignalpostStack,
  receiver: BenchReceiver,
  payloadBytes: number,
): Promise<void> {
  receiver.reset();
  const signals = Array.from({ length: WARM_UP_SIGNALS }, (_, index) =>
    makeSignalInput('warmup', index, payloadBytes),
  );
  const reply = await stack.api.publishBatch(signals);
  if (reply.status !== 202) {
    throw new Error(
      `warm-up publish failed with status ${reply.status}: ${reply.body}`,
    );
  }
  const outcome = await receiver.waitForIds(
    signals.map(webhookIdOf),
    performance.now() + WARM_UP_TIMEOUT_MS,
    () => stack.failure() !== undefined,
  );
  if (outcome !== 'reached') {
    throw new Error(
      `warm-up: ${receiver.arrivalById.size} of ${WARM_UP_SIGNALS} deliveries arrived (${stack.failure() ?? outcome})`,
    );
  }
}
