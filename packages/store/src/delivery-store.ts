import { LuaScript } from '@signalpost/delivery-policy';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import { IS_ENDED_LUA } from './ended-state-lua';
import { TurnBatch } from './turn-batch';
import type {
  AttemptRecord,
  DeliveryInfo,
  DeliveryRecord,
  DeliveryState,
  FinalOutcome,
} from './records';

/** Maximum length of the message kept on an ended delivery's record, in characters. */
const MAX_MESSAGE_LENGTH = 1_000;

/** Attempts kept per delivery. Older ones are dropped. */
export const MAX_ATTEMPTS_KEPT = 100;

/**
 * Field of a delivery's record with the attempt that delivered it. The
 * other attempts are in a list of their own.
 */
export const SUCCESSFUL_ATTEMPT_FIELD = 'successfulAttempt';

// Creates delivery records that do not exist yet and counts them in the
// ledger. KEYS: ledger, then one record key per delivery. ARGV: retentionMs,
// then one info JSON per delivery. Returns, per delivery, 1 when it is still
// pending (new, or created earlier and never picked up) so the caller
// enqueues it, else 0.
const CREATE_DELIVERIES = new LuaScript(
  'create deliveries',
  `
local retention = tonumber(ARGV[1])
local created = 0
local results = {}
for i = 2, #KEYS do
  local key = KEYS[i]
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'info', ARGV[i], 'state', 'pending')
    redis.call('PEXPIRE', key, retention)
    created = created + 1
    results[i - 1] = 1
  elseif redis.call('HGET', key, 'state') == 'pending' then
    results[i - 1] = 1
  else
    results[i - 1] = 0
  end
end
if created > 0 then redis.call('HINCRBY', KEYS[1], 'created', created) end
return results
`,
);

// Moves a delivery to a final state once: a second call (a job re-run after
// a crash) changes nothing and counts nothing. A record that expired
// before the delivery ended gets its final state alone, with the retention
// as its expiry, so that a second call still finds the end. The API shows
// no record without its info.
// KEYS: record, ledger. ARGV: state, reason, updatedAt, retention ms, and
// a message that explains the end ('' for none).
// Returns 1 when it counted the end.
const FINALIZE_DELIVERY = new LuaScript(
  'finalize delivery',
  `${IS_ENDED_LUA}
local state = redis.call('HGET', KEYS[1], 'state')
if isEnded(state) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'reason', ARGV[2], 'updatedAt', ARGV[3])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'message', ARGV[5]) end
if state then
  clearNextAttempt(KEYS[1], state)
else
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1
`,
);

// Scripts rather than MULTIs, because ioredis copies every script defined
// on a connection (BullMQ defines dozens) into each pipeline it creates.

// Sets the non-final states of several deliveries. A delivery that has
// ended keeps its state: a job re-run after a stall may hold a delivery
// that another worker has just delivered, and the ledger counts each end
// once. A missing record (expired) stays missing. KEYS: per delivery its
// record. ARGV: updatedAt, then per delivery the state, nextAttemptAt (''
// clears it) and reason ('' keeps the current one).
const SET_STATES = new LuaScript(
  'set delivery states',
  `${IS_ENDED_LUA}
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 3
  local current = redis.call('HGET', KEYS[i], 'state')
  if current and not isEnded(current) then
    redis.call('HSET', KEYS[i], 'state', ARGV[a], 'updatedAt', ARGV[1])
    if ARGV[a + 1] ~= '' then
      redis.call('HSET', KEYS[i], 'nextAttemptAt', ARGV[a + 1])
    else
      redis.call('HDEL', KEYS[i], 'nextAttemptAt')
    end
    if ARGV[a + 2] ~= '' then redis.call('HSET', KEYS[i], 'reason', ARGV[a + 2]) end
  end
end
return 0
`,
);

/** A state for the next call of {@link SET_STATES}. */
interface StateItem {
  readonly recordKey: string;
  readonly state: string;
  readonly nextAttemptAt: string;
  readonly reason: string;
}

// Appends an attempt and keeps the latest ones. KEYS: attempts list.
// ARGV: attempt JSON, attempts kept, retention ms.
const ADD_ATTEMPT = new LuaScript(
  'add delivery attempt',
  `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 0
`,
);

/** The delivery ledger: created = final outcomes + in flight. */
export interface Ledger {
  readonly created: number;
  readonly delivered: number;
  readonly dead_lettered: number;
  readonly throttled: number;
  readonly dropped: number;
  readonly inFlight: number;
}

/** Delivery records, their attempts and the ledger. */
export class DeliveryStore {
  // Held and retried deliveries of one turn share a script call, and while
  // one is in flight the next turns' states wait and go together. Behind a
  // limit, a backlog sends many deliveries back to the queue at once.
  private readonly states = new TurnBatch<StateItem, number>(
    (items) => this.sendStates(items),
    { oneCallAtATime: true },
  );

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: { readonly retentionMs: number },
  ) {}

  /**
   * Creates the records of new deliveries. Returns the ids still pending,
   * which the caller must enqueue: enqueueing them again is harmless since
   * job ids are the delivery ids.
   */
  async create(deliveries: readonly DeliveryInfo[]): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const keys = [
      this.keys.ledger,
      ...deliveries.map((item) => this.keys.delivery(item.id)),
    ];
    const infos = deliveries.map((item) => JSON.stringify(item));
    const pending = (await CREATE_DELIVERIES.run(this.redis, keys, [
      this.options.retentionMs,
      ...infos,
    ])) as number[];
    return deliveries
      .filter((_, index) => pending[index] === 1)
      .map((item) => item.id);
  }

  /** Sets a non-final state, e.g. `in_flight` or `scheduled`. */
  async setState(
    id: string,
    state: Exclude<DeliveryState, FinalOutcome>,
    extra: { nextAttemptAt?: Date; reason?: string } = {},
  ): Promise<void> {
    await this.states.add({
      recordKey: this.keys.delivery(id),
      state,
      nextAttemptAt: extra.nextAttemptAt?.toISOString() ?? '',
      reason: extra.reason ?? '',
    });
  }

  private async sendStates(items: readonly StateItem[]): Promise<number[]> {
    const keys: string[] = [];
    const args: string[] = [new Date().toISOString()];
    for (const item of items) {
      keys.push(item.recordKey);
      args.push(item.state, item.nextAttemptAt, item.reason);
    }
    await SET_STATES.run(this.redis, keys, args);
    return items.map(() => 0);
  }

  /**
   * Ends a delivery and returns false when it had ended already. `message`
   * explains the end in words, such as the error of a failed transform.
   */
  async finalize(
    id: string,
    outcome: FinalOutcome,
    reason = '',
    message = '',
  ): Promise<boolean> {
    const changed = await FINALIZE_DELIVERY.run(
      this.redis,
      [this.keys.delivery(id), this.keys.ledger],
      [
        outcome,
        reason,
        new Date().toISOString(),
        this.options.retentionMs,
        message.slice(0, MAX_MESSAGE_LENGTH),
      ],
    );
    return changed === 1;
  }

  /** Appends an attempt, keeping the latest {@link MAX_ATTEMPTS_KEPT}. */
  async addAttempt(id: string, attempt: AttemptRecord): Promise<void> {
    await ADD_ATTEMPT.run(
      this.redis,
      [this.keys.deliveryAttempts(id)],
      [JSON.stringify(attempt), MAX_ATTEMPTS_KEPT, this.options.retentionMs],
    );
  }

  /** Reads a delivery with its attempts. */
  async get(id: string): Promise<DeliveryRecord | undefined> {
    const [fields, attempts] = await Promise.all([
      this.redis.hgetall(this.keys.delivery(id)),
      this.redis.lrange(this.keys.deliveryAttempts(id), 0, -1),
    ]);
    if (!fields.info) return undefined;
    const info = JSON.parse(fields.info) as DeliveryInfo;
    return {
      ...info,
      state: (fields.state ?? 'pending') as DeliveryState,
      ...(fields.nextAttemptAt ? { nextAttemptAt: fields.nextAttemptAt } : {}),
      ...(fields.reason ? { reason: fields.reason } : {}),
      ...(fields.message ? { message: fields.message } : {}),
      ...(fields.updatedAt ? { updatedAt: fields.updatedAt } : {}),
      attempts: mergeAttempts(attempts, fields[SUCCESSFUL_ATTEMPT_FIELD]),
    };
  }

  /** Reads the state only, for the worker's checks. */
  async state(id: string): Promise<DeliveryState | undefined> {
    const state = await this.redis.hget(this.keys.delivery(id), 'state');
    return (state ?? undefined) as DeliveryState | undefined;
  }

  /** Reads the ledger. */
  async ledger(): Promise<Ledger> {
    const fields = await this.redis.hgetall(this.keys.ledger);
    const read = (name: string): number => Number(fields[name] ?? 0);
    const created = read('created');
    const ended =
      read('delivered') +
      read('dead_lettered') +
      read('throttled') +
      read('dropped');
    return {
      created,
      delivered: read('delivered'),
      dead_lettered: read('dead_lettered'),
      throttled: read('throttled'),
      dropped: read('dropped'),
      inFlight: created - ended,
    };
  }
}

// Merges the listed attempts and the successful one by time, keeping the
// latest MAX_ATTEMPTS_KEPT. The list contains failed attempts and any made
// by a job re-run after the delivery ended.
function mergeAttempts(
  listed: readonly string[],
  successful: string | undefined,
): AttemptRecord[] {
  const attempts = listed.map((json) => JSON.parse(json) as AttemptRecord);
  if (successful === undefined) return attempts;
  attempts.push(JSON.parse(successful) as AttemptRecord);
  attempts.sort((first, second) => first.at.localeCompare(second.at));
  return attempts.slice(-MAX_ATTEMPTS_KEPT);
}
