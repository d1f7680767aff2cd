import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DELIVERIES_QUEUE, SIGNALS_QUEUE, redisKeys } from '@signalpost/queues';
import { webhookId } from '@signalpost/signal';
import type { FaultReceiver } from './fault-receiver';
import { FAULT_SOURCE } from './signal-publisher';
import type { SupervisedStack } from './supervised-stack';
import { sleep } from './timing';

/** The ledger's counters as the Redis hash `<prefix>:ledger` stores them. */
export interface LedgerCounts {
  readonly created: number;
  readonly delivered: number;
  readonly dead_lettered: number;
  readonly throttled: number;
  readonly dropped: number;
}

/** Jobs not yet finished in one BullMQ queue. */
export interface UnfinishedJobs {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly prioritized: number;
}

/** A delivery as `GET /v1/signals/:id` returns it. */
interface DeliveryView {
  readonly id: string;
  readonly state: string;
  readonly reason?: string;
}

/** A signal's record as `GET /v1/signals/:id` returns it. */
interface SignalView {
  readonly state: string;
  readonly deliveries: DeliveryView[];
}

/** A dead-letter entry as `GET /v1/dead-letters` returns it. */
interface DeadLetterView {
  readonly id: string;
  readonly deliveryId: string | null;
  readonly reason: string;
}

/** What the audit of one scenario found; `lost` must be empty. */
export interface AuditReport {
  readonly accepted: number;
  readonly ledger: LedgerCounts;
  readonly signalStates: Record<string, number>;
  readonly deliveryStates: Record<string, number>;
  readonly deadLetteredByReason: Record<string, number>;
  /** Delivery ids the receiver responded 2xx to at least once. */
  readonly receivedDeliveries: number;
  /** 2xx responses beyond the first per delivery id. */
  readonly duplicates: number;
  /** Accepted signal ids without a record, unrouted, unfinished or unseen. */
  readonly lost: string[];
  /** Accepted ids whose record is missing. */
  readonly missing: string[];
  /** Accepted ids whose record is not in state `routed`. */
  readonly unrouted: string[];
  /** Accepted ids whose delivery has not reached a final state. */
  readonly unfinished: string[];
  /** Accepted ids delivered per their record that the receiver never responded 2xx to. */
  readonly deliveredUnseen: string[];
  /** Accepted ids with other than one delivery. */
  readonly deliveryCountMismatches: string[];
  /**
   * Signal ids whose requests at the receiver carried more than one
   * `webhook-id` or delivery id, or a `webhook-id` other than the one
   * derived from the signal's source and id.
   */
  readonly identityMismatches: string[];
  /** Dead-letter entries whose delivery did not end `dead_lettered`. */
  readonly deadLetterMismatches: string[];
  readonly deadLetterEntries: number;
}

const AUDIT_CONCURRENCY = 16;
const POLL_MS = 500;

/** Reads the ledger's counters straight from Redis. */
export async function readLedger(
  redisUrl: string,
  prefix: string,
): Promise<LedgerCounts> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    const fields = await redis.hgetall(redisKeys(prefix).ledger);
    const read = (name: string): number => Number(fields[name] ?? 0);
    return {
      created: read('created'),
      delivered: read('delivered'),
      dead_lettered: read('dead_lettered'),
      throttled: read('throttled'),
      dropped: read('dropped'),
    };
  } finally {
    redis.disconnect();
  }
}

/** Deliveries the ledger counts as neither created-and-ended nor in flight. */
export function ledgerInFlight(ledger: LedgerCounts): number {
  return (
    ledger.created -
    ledger.delivered -
    ledger.dead_lettered -
    ledger.throttled -
    ledger.dropped
  );
}

/** Counts the unfinished jobs of the signals and deliveries queues. */
export async function unfinishedJobs(
  redisUrl: string,
  prefix: string,
): Promise<Record<string, UnfinishedJobs>> {
  const counts: Record<string, UnfinishedJobs> = {};
  for (const name of [SIGNALS_QUEUE, DELIVERIES_QUEUE]) {
    await withQueue(redisUrl, prefix, name, async (queue) => {
      const jobs = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
      );
      counts[name] = {
        waiting: jobs.waiting ?? 0,
        active: jobs.active ?? 0,
        delayed: jobs.delayed ?? 0,
        prioritized: jobs.prioritized ?? 0,
      };
    });
  }
  return counts;
}

/**
 * Waits until both queues have no waiting, active, delayed or prioritized
 * job and the ledger shows nothing in flight.
 * @throws Error with the last counts read when that takes over `timeoutMs`
 */
export async function waitForDrain(
  redisUrl: string,
  prefix: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const jobs = await unfinishedJobs(redisUrl, prefix);
    const ledger = await readLedger(redisUrl, prefix);
    const open = Object.values(jobs).some(
      (queue) =>
        queue.waiting + queue.active + queue.delayed + queue.prioritized > 0,
    );
    if (!open && ledgerInFlight(ledger) === 0) return;
    last = JSON.stringify({ jobs, ledger });
    await sleep(POLL_MS);
  }
  throw new Error(`the queues did not drain within ${timeoutMs} ms: ${last}`);
}

/** Counts the jobs in the failed sets of the signals and deliveries queues. */
export async function failedJobs(
  redisUrl: string,
  prefix: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of [SIGNALS_QUEUE, DELIVERIES_QUEUE]) {
    await withQueue(redisUrl, prefix, name, async (queue) => {
      counts[name] = await queue.getFailedCount();
    });
  }
  return counts;
}

/**
 * Checks every accepted signal against its record, the receiver and the
 * ledger, once the queues have drained.
 */
export async function auditDeliveries(
  stack: SupervisedStack,
  receiver: FaultReceiver,
  redisUrl: string,
  acceptedIds: ReadonlySet<string>,
): Promise<AuditReport> {
  const records = await readSignals(stack, [...acceptedIds]);
  const received = receiver.deliveredIds();
  const findings = classifyRecords(records, received);
  const deadLetters = await readDeadLetters(stack);
  const deliveryStates = new Map(
    [...records.values()].flatMap((record) =>
      (record?.deliveries ?? []).map((item) => [item.id, item.state] as const),
    ),
  );
  const deadLetterMismatches = deadLetters
    .filter((entry) => {
      const state = deliveryStates.get(entry.deliveryId ?? '');
      return state !== undefined && state !== 'dead_lettered';
    })
    .map((entry) => `${entry.id} (${entry.reason})`);
  const lost = new Set([
    ...findings.missing,
    ...findings.unrouted,
    ...findings.unfinished,
    ...findings.deliveredUnseen,
  ]);
  return {
    accepted: acceptedIds.size,
    ledger: await readLedger(redisUrl, stack.prefix),
    ...findings,
    receivedDeliveries: received.size,
    duplicates: receiver.duplicateCount(),
    lost: [...lost],
    identityMismatches: identityMismatches(receiver),
    deadLetterMismatches,
    deadLetterEntries: deadLetters.length,
  };
}

type Findings = Pick<
  AuditReport,
  | 'signalStates'
  | 'deliveryStates'
  | 'deadLetteredByReason'
  | 'missing'
  | 'unrouted'
  | 'unfinished'
  | 'deliveredUnseen'
  | 'deliveryCountMismatches'
>;

const FINAL_STATES = new Set([
  'delivered',
  'dead_lettered',
  'throttled',
  'dropped',
]);

function classifyRecords(
  records: ReadonlyMap<string, SignalView | undefined>,
  received: ReadonlySet<string>,
): Findings {
  const findings = {
    signalStates: {} as Record<string, number>,
    deliveryStates: {} as Record<string, number>,
    deadLetteredByReason: {} as Record<string, number>,
    missing: [] as string[],
    unrouted: [] as string[],
    unfinished: [] as string[],
    deliveredUnseen: [] as string[],
    deliveryCountMismatches: [] as string[],
  };
  for (const [id, record] of records) {
    increment(findings.signalStates, record?.state ?? 'missing');
    if (!record) findings.missing.push(id);
    else if (record.state !== 'routed') findings.unrouted.push(id);
    const deliveries = record?.deliveries ?? [];
    if (record && deliveries.length !== 1)
      findings.deliveryCountMismatches.push(id);
    for (const delivery of deliveries) {
      increment(findings.deliveryStates, delivery.state);
      if (delivery.state === 'dead_lettered')
        increment(findings.deadLetteredByReason, delivery.reason ?? '');
      if (!FINAL_STATES.has(delivery.state)) findings.unfinished.push(id);
      if (delivery.state === 'delivered' && !received.has(delivery.id))
        findings.deliveredUnseen.push(id);
    }
  }
  return findings;
}

function identityMismatches(receiver: FaultReceiver): string[] {
  const deliveriesBySignal = new Map<string, Set<string>>();
  const mismatched = new Set<string>();
  for (const arrival of receiver.arrivals) {
    const ids = deliveriesBySignal.get(arrival.signalId) ?? new Set<string>();
    ids.add(arrival.deliveryId);
    deliveriesBySignal.set(arrival.signalId, ids);
    if (arrival.webhookId !== webhookId(FAULT_SOURCE, arrival.signalId))
      mismatched.add(arrival.signalId);
  }
  for (const [signalId, ids] of deliveriesBySignal)
    if (ids.size !== 1) mismatched.add(signalId);
  for (const sighting of receiver.deliveries.values()) {
    if (sighting.webhookIds.size !== 1 || sighting.signalIds.size !== 1)
      for (const signalId of sighting.signalIds) mismatched.add(signalId);
  }
  return [...mismatched];
}

async function readSignals(
  stack: SupervisedStack,
  ids: readonly string[],
): Promise<Map<string, SignalView | undefined>> {
  const records = new Map<string, SignalView | undefined>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next] as string;
      next += 1;
      records.set(id, await readSignal(stack, id));
    }
  };
  await Promise.all(Array.from({ length: AUDIT_CONCURRENCY }, lane));
  return records;
}

async function readSignal(
  stack: SupervisedStack,
  id: string,
): Promise<SignalView | undefined> {
  const path = `/v1/signals/${encodeURIComponent(id)}?source=${FAULT_SOURCE}`;
  const response = await stack.request('GET', path);
  if (response.status === 404) return undefined;
  if (response.status !== 200) {
    throw new Error(
      `GET ${path} returned ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as SignalView;
}

async function readDeadLetters(
  stack: SupervisedStack,
): Promise<DeadLetterView[]> {
  const entries: DeadLetterView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await stack.request(
      'GET',
      `/v1/dead-letters?limit=1000${query}`,
    );
    if (response.status !== 200) {
      throw new Error(
        `GET /v1/dead-letters returned ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    const page = response.body as {
      data: DeadLetterView[];
      nextCursor: string | null;
    };
    entries.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

async function withQueue(
  redisUrl: string,
  prefix: string,
  name: string,
  use: (queue: Queue) => Promise<void>,
): Promise<void> {
  const { hostname, port } = new URL(redisUrl);
  const queue = new Queue(name, {
    connection: { host: hostname, port: Number(port), maxRetriesPerRequest: 2 },
    prefix,
  });
  try {
    await use(queue);
  } finally {
    await queue.close();
  }
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
