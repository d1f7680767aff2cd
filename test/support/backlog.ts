import { startReceiver, type Receiver } from './receiver';
import { SignalClient } from './signal-client';
import { startTestStack, waitFor, type TestStack } from './stack';

/** Reasons a worker defers a delivery, as its deferrals metric labels them. */
export type HoldReason =
  'rate_limited' | 'max_in_flight' | 'circuit_open' | 'hook_delay';

/** Options of {@link deliverBacklog}. */
export interface BacklogOptions {
  /** Subscription id, signal type prefix and receiver path. */
  readonly name: string;
  /** Signals published at once, with ids `<name>-1` and on. */
  readonly signals: number;
  readonly workers: number;
  /** Webhook target options besides the adapter and URL. */
  readonly target: Record<string, unknown>;
  /** Time the receiver waits before each response, in ms. */
  readonly receiverDelayMs?: number;
  /** Time all signals may take to reach the receiver, in ms. */
  readonly timeoutMs: number;
}

/** A stack after it delivered a backlog; `close` stops it and the receiver. */
export interface DeliveredBacklog {
  readonly stack: TestStack;
  readonly client: SignalClient;
  readonly receiver: Receiver;
  readonly ids: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a stack and a receiver, subscribes the receiver with the target
 * options, publishes the backlog in one batch and waits until every signal
 * has reached the receiver.
 */
export async function deliverBacklog(
  options: BacklogOptions,
): Promise<DeliveredBacklog> {
  const { name, receiverDelayMs } = options;
  const ids = Array.from(
    { length: options.signals },
    (_, index) => `${name}-${index + 1}`,
  );
  const stack = await startTestStack({}, options.workers);
  const client = new SignalClient(stack);
  const receiver = await startReceiver();
  if (receiverDelayMs !== undefined)
    receiver.answer(() => ({ status: 200, delayMs: receiverDelayMs }));
  await client.putSubscription(name, {
    pattern: `${name}.event`,
    dispatch: {
      adapter: 'webhook',
      url: `${receiver.url}/${name}`,
      ...options.target,
    },
  });
  await client.publish(`${name}.event`, ids);
  await waitFor(
    async () => (receiver.requests.length >= ids.length ? true : undefined),
    options.timeoutMs,
    `${ids.length} deliveries of the ${name} backlog`,
  );
  return {
    stack,
    client,
    receiver,
    ids,
    close: async () => {
      await stack.close();
      await receiver.close();
    },
  };
}

/** Adds up the holds for one reason over every worker of the stack. */
export async function countHolds(
  stack: TestStack,
  reason: HoldReason,
): Promise<number> {
  let total = 0;
  for (const worker of stack.workers) {
    const counted = await worker.metrics.deliveryDeferrals.get();
    for (const item of counted.values)
      if (item.labels.reason === reason) total += item.value;
  }
  return total;
}
