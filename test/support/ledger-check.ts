import type { Ledger } from '@signalpost/store';
import type { SignalClient } from './signal-client';
import { waitFor, type TestStack } from './stack';

/** Deliveries of the published signals counted by state, from their records. */
export type DeliveryTally = Readonly<Record<string, number>> & {
  readonly total: number;
};

/** The ledger once nothing is in flight, and the records it should match. */
export interface SettledLedger {
  readonly ledger: Ledger;
  readonly tally: DeliveryTally;
}

/**
 * Waits until the stack's ledger shows no delivery in flight, then counts
 * the deliveries of every signal the client published by their recorded
 * state, so a test can compare the two.
 * @throws Error with the last ledger read when deliveries stay in flight
 *   past `timeoutMs`
 */
export async function settleLedger(
  stack: TestStack,
  client: SignalClient,
  timeoutMs = 20_000,
): Promise<SettledLedger> {
  const ledgerOf = () => stack.api.context.deliveries.ledger();
  let last: Ledger | undefined;
  try {
    await waitFor(
      async () => {
        last = await ledgerOf();
        return last.inFlight === 0 ? true : undefined;
      },
      timeoutMs,
      'no delivery in flight',
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}, last ledger ${JSON.stringify(last)}`,
    );
  }
  return { ledger: await ledgerOf(), tally: await tallyDeliveries(client) };
}

async function tallyDeliveries(client: SignalClient): Promise<DeliveryTally> {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const id of new Set(client.publishedIds)) {
    const record = await client.signal(id);
    for (const delivery of record?.deliveries ?? []) {
      counts[delivery.state] = (counts[delivery.state] ?? 0) + 1;
      total += 1;
    }
  }
  return { ...counts, total };
}
