import { LuaScript } from '@signalpost/delivery-policy';
import type { Signal } from '@signalpost/signal';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type { SignalState } from './records';

/** A signal to store, with the job id that carries it. */
export interface SignalToStore {
  readonly signal: Signal;
  readonly identity: string;
  readonly jobId: string;
}

/** Outcome of storing one signal. */
export type StoreOutcome =
  | { readonly duplicate: false }
  | {
      readonly duplicate: true;
      readonly state: SignalState | undefined;
      readonly jobId: string;
    };

/** A target of a subscription, by ids. */
export interface TargetRef {
  readonly subscriptionId: string;
  readonly targetId: string;
}

/** A matched target that got no delivery, because a 410 Gone disabled it. */
export interface SkippedTarget extends TargetRef {
  readonly reason: 'target_disabled';
}

/** A signal's record as the API returns it. */
export interface SignalRecord {
  readonly signal: Signal;
  readonly state: SignalState;
  readonly receivedAt: string;
  readonly routedAt?: string;
  readonly deliveryIds: string[];
  /** Matched targets left out of routing, or absent when there were none. */
  readonly skippedTargets?: readonly SkippedTarget[];
}

// Checks every signal's dedup key first, so a batch is stored all or
// nothing; a (source, id) twice in one batch counts as a duplicate.
// KEYS: per signal, dedup key, record key, id index key, deliveries key.
// ARGV: dedupTtlMs, retentionMs, receivedAt, then per signal jobId, JSON, identity.
const STORE_SIGNALS = new LuaScript(
  'store signals',
  `
local dedupTtl = tonumber(ARGV[1])
local retention = tonumber(ARGV[2])
local receivedAt = ARGV[3]
local count = #KEYS / 4
local results = {}
local seen = {}
for i = 1, count do
  local dedupKey = KEYS[(i - 1) * 4 + 1]
  local existing = redis.call('GET', dedupKey)
  if existing then
    local state = redis.call('HGET', KEYS[(i - 1) * 4 + 2], 'state')
    results[i] = {1, existing, state or ''}
  elseif seen[dedupKey] then
    results[i] = {1, ARGV[3 + (i - 1) * 3 + 1], 'routing'}
  else
    seen[dedupKey] = true
    results[i] = {0, '', ''}
  end
end
for i = 1, count do
  if results[i][1] == 0 then
    local jobId = ARGV[3 + (i - 1) * 3 + 1]
    local json = ARGV[3 + (i - 1) * 3 + 2]
    local identity = ARGV[3 + (i - 1) * 3 + 3]
    local recordKey = KEYS[(i - 1) * 4 + 2]
    local indexKey = KEYS[(i - 1) * 4 + 3]
    redis.call('SET', KEYS[(i - 1) * 4 + 1], jobId, 'PX', dedupTtl)
    redis.call('DEL', recordKey, KEYS[(i - 1) * 4 + 4])
    redis.call('HSET', recordKey, 'signal', json, 'state', 'routing', 'receivedAt', receivedAt, 'jobId', jobId)
    redis.call('PEXPIRE', recordKey, retention)
    redis.call('SADD', indexKey, identity)
    redis.call('PEXPIRE', indexKey, retention)
  end
end
return results
`,
);

// Claims a (source, id) for a job enqueued straight into BullMQ.
// KEYS: dedup key, record key, id index key. ARGV: jobId, dedupTtlMs,
// retentionMs, JSON, receivedAt, identity. Returns 'new', 'own' or the
// job id that claimed it first.
const CLAIM_SIGNAL = new LuaScript(
  'claim signal',
  `
local existing = redis.call('GET', KEYS[1])
if existing and existing ~= ARGV[1] then return { 'duplicate', existing } end
if not existing then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 'signal', ARGV[4], 'state', 'routing', 'receivedAt', ARGV[5], 'jobId', ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
  redis.call('SADD', KEYS[3], ARGV[6])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3]))
end
if not existing then return { 'new' } end
if redis.call('HGET', KEYS[2], 'state') ~= 'routing' then return { 'routed' } end
return { 'own' }
`,
);

// Links deliveries to their signal, and when given a state records the
// router's result too. One script rather than a MULTI: ioredis copies every
// script defined on a connection into each pipeline it creates, and BullMQ
// defines dozens on the connections it shares. KEYS: signal record, its
// deliveries sorted set. ARGV: state ('' for none), routedAt, retention ms,
// score of the first id (ms), then the delivery ids.
const LINK_DELIVERIES = new LuaScript(
  'link deliveries',
  `
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], 'state', ARGV[1], 'routedAt', ARGV[2])
end
if #ARGV < 5 then return 0 end
local firstScore = tonumber(ARGV[4])
local members = {}
for i = 5, #ARGV do
  members[#members + 1] = firstScore + i - 5
  members[#members + 1] = ARGV[i]
  if #members >= 1000 or i == #ARGV then
    redis.call('ZADD', KEYS[2], 'NX', unpack(members))
    members = {}
  end
end
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
return 0
`,
);

// Sets the skipped targets of an existing record only, so that a record
// that expired meanwhile is not created again without its expiry. The
// first routing's list stays: a re-run may see another set of disabled
// targets, while the deliveries it links are the first run's.
// KEYS: signal record. ARGV: the skipped targets as JSON.
const MARK_SKIPPED = new LuaScript(
  'mark skipped',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSETNX', KEYS[1], 'skippedTargets', ARGV[1])
end
return 0
`,
);

/** Signal records and `(source, id)` duplicate detection. */
export class SignalStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: {
      readonly dedupTtlMs: number;
      readonly retentionMs: number;
    },
  ) {}

  /**
   * Stores signals atomically: each new `(source, id)` gets a record and a
   * dedup key; each seen one is reported as a duplicate and left alone.
   */
  async store(
    signals: readonly SignalToStore[],
    receivedAt: Date,
  ): Promise<StoreOutcome[]> {
    const keys = signals.flatMap((item) => [
      this.keys.dedup(item.identity),
      this.keys.signal(item.identity),
      this.keys.signalsById(item.signal.id),
      this.keys.signalDeliveries(item.identity),
    ]);
    const args = signals.flatMap((item) => [
      item.jobId,
      JSON.stringify(item.signal),
      item.identity,
    ]);
    const replies = (await STORE_SIGNALS.run(this.redis, keys, [
      this.options.dedupTtlMs,
      this.options.retentionMs,
      receivedAt.toISOString(),
      ...args,
    ])) as [number, string, string][];
    return replies.map(([duplicate, jobId, state]) =>
      duplicate === 1
        ? {
            duplicate: true,
            jobId,
            state: (state || undefined) as SignalState | undefined,
          }
        : { duplicate: false },
    );
  }

  /** Removes what {@link store} wrote for signals whose enqueue failed. */
  async unstore(signals: readonly SignalToStore[]): Promise<void> {
    const keys = signals.flatMap((item) => [
      this.keys.dedup(item.identity),
      this.keys.signal(item.identity),
      this.keys.signalDeliveries(item.identity),
    ]);
    if (keys.length > 0) await this.redis.del(...keys);
  }

  /**
   * Claims a signal for the router's job: `new` for a first sight, `own`
   * when the job has claimed it before and not finished routing, `routed`
   * when it has, or the job id that claimed it first.
   */
  async claim(
    item: SignalToStore,
    receivedAt: Date,
  ): Promise<'new' | 'own' | 'routed' | { duplicateOf: string }> {
    const reply = (await CLAIM_SIGNAL.run(
      this.redis,
      [
        this.keys.dedup(item.identity),
        this.keys.signal(item.identity),
        this.keys.signalsById(item.signal.id),
      ],
      [
        item.jobId,
        this.options.dedupTtlMs,
        this.options.retentionMs,
        JSON.stringify(item.signal),
        receivedAt.toISOString(),
        item.identity,
      ],
    )) as [string, string?];
    const [kind, claimedBy] = reply;
    if (kind === 'duplicate') return { duplicateOf: claimedBy ?? '' };
    return kind as 'new' | 'own' | 'routed';
  }

  /** Records the router's result for a signal. */
  async markRouted(
    identity: string,
    state: SignalState,
    deliveryIds: readonly string[],
    at: Date,
  ): Promise<void> {
    await this.linkDeliveries(identity, state, deliveryIds, at);
  }

  /**
   * Records the matched targets that routing left out because they are
   * disabled. Writes nothing when there are none.
   */
  async markSkipped(
    identity: string,
    disabled: readonly TargetRef[],
  ): Promise<void> {
    if (disabled.length === 0) return;
    const skipped: SkippedTarget[] = disabled.map((target) => ({
      subscriptionId: target.subscriptionId,
      targetId: target.targetId,
      reason: 'target_disabled',
    }));
    await MARK_SKIPPED.run(
      this.redis,
      [this.keys.signal(identity)],
      [JSON.stringify(skipped)],
    );
  }

  /** Links a delivery created later (a fallback or a replay) to its signal. */
  async addDelivery(
    identity: string,
    deliveryId: string,
    at: Date,
  ): Promise<void> {
    await this.linkDeliveries(identity, '', [deliveryId], at);
  }

  private async linkDeliveries(
    identity: string,
    state: SignalState | '',
    deliveryIds: readonly string[],
    at: Date,
  ): Promise<void> {
    await LINK_DELIVERIES.run(
      this.redis,
      [this.keys.signal(identity), this.keys.signalDeliveries(identity)],
      [
        state,
        at.toISOString(),
        this.options.retentionMs,
        at.getTime(),
        ...deliveryIds,
      ],
    );
  }

  /** Reads the router's state of a signal, if it has a record. */
  async state(identity: string): Promise<SignalState | undefined> {
    const state = await this.redis.hget(this.keys.signal(identity), 'state');
    return (state ?? undefined) as SignalState | undefined;
  }

  /** Lists the identities of the stored signals with this id. */
  async identitiesOf(id: string): Promise<string[]> {
    return this.redis.smembers(this.keys.signalsById(id));
  }

  /** Reads a signal's record. */
  async get(identity: string): Promise<SignalRecord | undefined> {
    const [fields, deliveryIds] = await Promise.all([
      this.redis.hgetall(this.keys.signal(identity)),
      this.redis.zrange(this.keys.signalDeliveries(identity), 0, -1),
    ]);
    if (!fields.signal) return undefined;
    return {
      signal: JSON.parse(fields.signal) as Signal,
      state: (fields.state ?? 'routing') as SignalState,
      receivedAt: fields.receivedAt ?? '',
      ...(fields.routedAt ? { routedAt: fields.routedAt } : {}),
      deliveryIds,
      ...(fields.skippedTargets
        ? {
            skippedTargets: JSON.parse(
              fields.skippedTargets,
            ) as SkippedTarget[],
          }
        : {}),
    };
  }
}
