import {
  ACQUIRE_LEASE_FUNCTION_LUA,
  LuaScript,
  REDIS_NOW_MS_LUA,
} from '@signalpost/delivery-policy';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type { Subscription } from '@signalpost/subscriptions';
import type { AttemptRecord, DeliveryState } from './records';
import { MAX_ATTEMPTS_KEPT, SUCCESSFUL_ATTEMPT_FIELD } from './delivery-store';
import { IS_ENDED_LUA } from './ended-state-lua';
import { RETURN_TIMES_LUA } from './return-times-lua';
import { TurnBatch } from './turn-batch';
import { applyMarks } from './subscription-store';

// The worker's scripts. Each replaces two or three separate calls with one
// round trip. They touch only keys of one prefix, which share the prefix's
// hash tag, so they also run on Redis Cluster.

// Reads what an attempt needs first: the delivery's state and, unless the
// caller's copy is current, its subscription. KEYS: delivery record,
// subscriptions version, subscriptions hash, the subscription's disabled
// marks. ARGV: subscription id, the version of the caller's copy ('' for
// none). Returns {state} for an ended delivery, {state, version} when the
// caller's copy is current, else {state, version, json ('' when deleted),
// marks as a flat field/value list}.
const BEGIN_ATTEMPT = new LuaScript(
  'begin attempt',
  `${IS_ENDED_LUA}
local state = redis.call('HGET', KEYS[1], 'state') or ''
if isEnded(state) then
  return { state }
end
local version = redis.call('GET', KEYS[2]) or '0'
if version == ARGV[2] then
  return { state, version }
end
local json = redis.call('HGET', KEYS[3], ARGV[1])
if not json then
  return { state, version, '' }
end
return { state, version, json, redis.call('HGETALL', KEYS[4]) }
`,
);

// Lua that defines takeLease(leaseKey, deliveryKey, breakerKey, leaseId,
// limit, leaseMs, updatedAt, scheduleKey, spacingMs, horizonMs): takes an
// in-flight lease as the limiter does, and when it is granted marks the
// delivery in flight and reads whether the target's circuit is closed.
// When it is not, and horizonMs is above 0, it reserves a return time of
// the schedule at scheduleKey (see RETURN_TIMES_LUA). Returns {acquired,
// inFlight, retryAfterMs, circuitClosed, returnDelayMs}, the last as
// reserveReturnTime returns it, or -1.
const TAKE_LEASE_LUA = `${REDIS_NOW_MS_LUA}
${IS_ENDED_LUA}
${ACQUIRE_LEASE_FUNCTION_LUA}
${RETURN_TIMES_LUA}
local function takeLease(leaseKey, deliveryKey, breakerKey, leaseId, limit, leaseMs, updatedAt, scheduleKey, spacingMs, horizonMs)
  local lease = acquireLease(leaseKey, leaseId, limit, leaseMs, nowMs)
  if lease[1] ~= 1 then
    local returnDelayMs = -1
    if horizonMs > 0 then
      returnDelayMs = reserveReturnTime(scheduleKey, spacingMs, horizonMs)
    end
    return { lease[1], lease[2], lease[3], 0, returnDelayMs }
  end
  -- An ended delivery (its job re-run after a stall) or a missing record
  -- keeps its state, and the attempt's recording then changes nothing.
  local current = redis.call('HGET', deliveryKey, 'state')
  if current and not isEnded(current) then
    redis.call('HSET', deliveryKey, 'state', 'in_flight', 'updatedAt', updatedAt)
    clearNextAttempt(deliveryKey, current)
  end
  local circuit = redis.call('HGET', breakerKey, 'state')
  local closed = 0
  if not circuit or circuit == 'closed' then closed = 1 end
  return { 1, lease[2], 0, closed, -1 }
end
`;

// Takes the lease of an attempt (see TAKE_LEASE_LUA). KEYS: lease set,
// delivery record, breaker hash, schedule of return times. ARGV: lease id,
// limit, lease ms, updatedAt, spacing ms (0: the schedule's), horizon ms
// (0: no return time).
// Returns {acquired, inFlight, retryAfterMs, circuitClosed, returnDelayMs}.
const START_ATTEMPT = new LuaScript(
  'start attempt',
  `${TAKE_LEASE_LUA}
return takeLease(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]),
  tonumber(ARGV[3]), ARGV[4], KEYS[4], tonumber(ARGV[5]), tonumber(ARGV[6]))
`,
);

// Lua that takes the leases of several attempts in one script, with the
// results of acquireLease for each. An expired lease is dropped, a lease id
// already held is extended without a second slot, and the set expires with
// its last lease. Each lease set is pruned and counted once per script, and
// its expiry set once at the end, instead of once per attempt.
// takeLeaseOfBatch(leaseKey, leaseId, limit, leaseMs) returns {acquired,
// retryAfterMs}, and expireLeaseSets() sets the expiries. A change to
// acquireLease in @signalpost/delivery-policy belongs here too.
const BATCH_LEASES_LUA = `
local leaseSets = {}
local function takeLeaseOfBatch(leaseKey, leaseId, limit, leaseMs)
  local set = leaseSets[leaseKey]
  if not set then
    redis.call('ZREMRANGEBYSCORE', leaseKey, '-inf', nowMs)
    set = { inFlight = redis.call('ZCARD', leaseKey), taken = false }
    leaseSets[leaseKey] = set
  end
  -- Below the limit, ZADD's reply tells whether the lease was new, which
  -- saves a ZSCORE on the usual path.
  if set.inFlight < limit then
    set.inFlight = set.inFlight + redis.call('ZADD', leaseKey, nowMs + leaseMs, leaseId)
    set.taken = true
    return { 1, 0 }
  end
  if not redis.call('ZSCORE', leaseKey, leaseId) then
    local earliest = redis.call('ZRANGE', leaseKey, 0, 0, 'WITHSCORES')
    return { 0, math.max(1, tonumber(earliest[2]) - nowMs) }
  end
  redis.call('ZADD', leaseKey, nowMs + leaseMs, leaseId)
  set.taken = true
  return { 1, 0 }
end
local function expireLeaseSets()
  for leaseKey, set in pairs(leaseSets) do
    if set.taken then
      local last = redis.call('ZRANGE', leaseKey, -1, -1, 'WITHSCORES')
      redis.call('PEXPIRE', leaseKey, math.max(1, tonumber(last[2]) - nowMs))
    end
  end
end
`;

// BEGIN_ATTEMPT and START_ATTEMPT in one round trip, several attempts per
// call, for attempts whose worker has a copy of the subscription that shows
// nothing else is due first. The lease is taken only when the copy is
// current, as takeLease does, but with each lease set and circuit read
// once per call. Attempts that share a target and a subscription copy form
// a group, passed once, which keeps the call short when a busy target
// fills the batch.
// KEYS: subscriptions version, subscriptions hash, then per group its lease
// set, breaker hash, disabled marks and schedule of return times, then per
// attempt its delivery record.
// ARGV: updatedAt, the number of groups, then per group the limit, lease
// ms, subscription id and the copy's version. Then per attempt the lease
// id, its group's number (from 1), and the spacing (0: the schedule's) and
// horizon (0: no return time) of its return time in ms.
// Returns per attempt {state} for an ended delivery, {state, version,
// json, marks} as BEGIN_ATTEMPT does when the copy is stale, else {state,
// version, acquired, retryAfterMs, circuitClosed, returnDelayMs} as
// takeLease does.
const BEGIN_AND_START_ATTEMPTS = new LuaScript(
  'begin and start attempts',
  `${REDIS_NOW_MS_LUA}
${IS_ENDED_LUA}
${BATCH_LEASES_LUA}
${RETURN_TIMES_LUA}
local circuits = {}
local function circuitClosed(breakerKey)
  local closed = circuits[breakerKey]
  if closed == nil then
    local circuit = redis.call('HGET', breakerKey, 'state')
    closed = 0
    if not circuit or circuit == 'closed' then closed = 1 end
    circuits[breakerKey] = closed
  end
  return closed
end

local version = redis.call('GET', KEYS[1]) or '0'
local groups = tonumber(ARGV[2])
local firstKey, firstArg = 3 + groups * 4, 3 + groups * 4
local results = {}
for i = 0, #KEYS - firstKey do
  local b = firstArg + i * 4
  local deliveryKey, leaseId = KEYS[firstKey + i], ARGV[b]
  local g = tonumber(ARGV[b + 1]) - 1
  local spacingMs, horizonMs = tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local leaseKey, breakerKey = KEYS[3 + g * 4], KEYS[4 + g * 4]
  local marksKey, scheduleKey = KEYS[5 + g * 4], KEYS[6 + g * 4]
  local a = 3 + g * 4
  local state = redis.call('HGET', deliveryKey, 'state') or ''
  if isEnded(state) then
    results[i + 1] = { state }
  elseif version ~= ARGV[a + 3] then
    local json = redis.call('HGET', KEYS[2], ARGV[a + 2])
    if not json then
      results[i + 1] = { state, version, '' }
    else
      results[i + 1] = { state, version, json, redis.call('HGETALL', marksKey) }
    end
  else
    local lease = takeLeaseOfBatch(leaseKey, leaseId, tonumber(ARGV[a]),
      tonumber(ARGV[a + 1]))
    if lease[1] ~= 1 then
      local returnDelayMs = -1
      if horizonMs > 0 then
        returnDelayMs = reserveReturnTime(scheduleKey, spacingMs, horizonMs)
      end
      results[i + 1] = { state, version, 0, lease[2], 0, returnDelayMs }
    else
      -- A missing record stays missing, as in takeLease.
      if state ~= '' then
        redis.call('HSET', deliveryKey, 'state', 'in_flight', 'updatedAt', ARGV[1])
        clearNextAttempt(deliveryKey, state)
      end
      results[i + 1] = { state, version, 1, 0, circuitClosed(breakerKey) }
    end
  end
end
expireLeaseSets()
return results
`,
);

/** An attempt for the next begin-and-start call to Redis. */
interface StartItem {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly knownVersion: string;
  readonly lease: LeaseRequest;
}

// Records successful attempts. For each delivery: releases its lease, ends
// it `delivered` once and stores the attempt in the record's
// `successfulAttempt` field, which saves the attempts list's key and two
// commands. A success after the delivery ended (a job re-run after a
// stall) is appended to the attempts list instead. A record that has
// expired gets its final state without its info, and the retention as
// its expiry, as FINALIZE_DELIVERY does. KEYS: the ledger, then
// per delivery its attempts list, record and lease set. ARGV: attempts
// kept, retention ms, updatedAt, then per delivery the attempt JSON and
// the lease id. Returns per delivery 1 when it ended it, else 0. The
// ledger is counted once per call.
const SUCCEED_ATTEMPTS = new LuaScript(
  'succeed attempts',
  `${IS_ENDED_LUA}
local results = {}
local delivered = 0
for i = 0, (#KEYS - 1) / 3 - 1 do
  local attempts, record, leases = KEYS[2 + i * 3], KEYS[3 + i * 3], KEYS[4 + i * 3]
  local attempt = ARGV[4 + i * 2]
  redis.call('ZREM', leases, ARGV[5 + i * 2])
  local state = redis.call('HGET', record, 'state')
  if isEnded(state) then
    if redis.call('RPUSH', attempts, attempt) > tonumber(ARGV[1]) then
      redis.call('LTRIM', attempts, -tonumber(ARGV[1]), -1)
    end
    redis.call('PEXPIRE', attempts, ARGV[2])
    results[i + 1] = 0
  else
    redis.call('HSET', record, 'state', 'delivered', 'reason', '',
      'updatedAt', ARGV[3], '${SUCCESSFUL_ATTEMPT_FIELD}', attempt)
    if state then
      clearNextAttempt(record, state)
    else
      redis.call('PEXPIRE', record, ARGV[2])
    end
    delivered = delivered + 1
    results[i + 1] = 1
  end
end
if delivered > 0 then
  redis.call('HINCRBY', KEYS[1], 'delivered', delivered)
end
return results
`,
);

/** A success for the next succeed call to Redis. */
interface SuccessItem {
  readonly deliveryId: string;
  readonly attemptJson: string;
  readonly leaseKey: string;
}

/** One attempt's reply of the begin-and-start script. */
type StartReply = [
  string,
  string?,
  (string | number)?,
  (string[] | number)?,
  number?,
  number?,
];

/** Result of {@link AttemptStore.begin}. */
export type AttemptStart =
  /** The delivery has ended, so there is nothing more to do. */
  | { readonly ended: true; readonly state: DeliveryState }
  | {
      readonly ended: false;
      readonly state: DeliveryState | undefined;
      /** The subscriptions version the reply is current for. */
      readonly version: string;
      /**
       * The subscription as stored now, `null` when it no longer exists, or
       * `undefined` when the caller's copy of `version` is current.
       */
      readonly subscription: Subscription | null | undefined;
    };

/** A lease to take with {@link AttemptStore.beginAndStart}. */
export interface LeaseRequest {
  /** The target's lease set. */
  readonly leaseKey: string;
  /** Max leases held at once. */
  readonly limit: number;
  /** How long the lease lasts unless released, in milliseconds. */
  readonly leaseMs: number;
  /** The hash of the target's circuit, whose state is read. */
  readonly breakerKey: string;
  /** The return time to reserve when no lease is free. */
  readonly returnTime?: ReturnTimeRequest;
}

/**
 * A return time to reserve for an attempt that gets no lease: the next of
 * the schedule at `scheduleKey`, one spacing after the last one given out
 * and at least one spacing from now. Every worker shares the schedule and
 * its spacing.
 */
export interface ReturnTimeRequest {
  readonly scheduleKey: string;
  /**
   * This worker's view of the spacing, which moves the schedule's own a
   * quarter of the way; 0 takes the schedule's as it is, if it has one.
   */
  readonly spacingMs: number;
  /** Furthest ahead a return time is given out, in ms. */
  readonly horizonMs: number;
}

/** The result of {@link AttemptStore.start}. */
export interface AttemptLease {
  readonly acquired: boolean;
  /** When not acquired, the time until the earliest lease expires. */
  readonly retryAfterMs: number;
  /** Whether the target's circuit was closed when the lease was taken. */
  readonly circuitClosed: boolean;
  /**
   * When not acquired and a return time was requested: the delay until
   * the one reserved, or `Infinity` when the schedule is full up to the
   * horizon. Undefined when none was requested, or when neither the
   * request nor the schedule had a spacing.
   */
  readonly returnDelayMs?: number;
}

/**
 * The steps of one delivery attempt that the worker runs on every
 * delivery, each one script and one round trip: read the state and the
 * subscription, take the lease, record a success.
 */
export class AttemptStore {
  // The attempts and successes of one event-loop turn go to Redis in one
  // script call each, so concurrent deliveries share one write. While a
  // call is in flight, the next turns' items wait for it and then go
  // together, which under load makes calls fewer and larger.
  private readonly starts = new TurnBatch<StartItem, StartReply>(
    (items) => this.sendStarts(items),
    { oneCallAtATime: true },
  );
  private readonly successes = new TurnBatch<SuccessItem, number>(
    (items) => this.sendSuccesses(items),
    { oneCallAtATime: true },
  );

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: { readonly retentionMs: number },
  ) {}

  /**
   * Reads the delivery's state, and its subscription unless `knownVersion`
   * (the subscriptions version of the caller's copy) is still current.
   */
  async begin(
    deliveryId: string,
    subscriptionId: string,
    knownVersion: string | undefined,
  ): Promise<AttemptStart> {
    const reply = (await BEGIN_ATTEMPT.run(
      this.redis,
      [
        this.keys.delivery(deliveryId),
        this.keys.subscriptionsVersion,
        this.keys.subscriptions,
        this.keys.subscriptionDisabled(subscriptionId),
      ],
      [subscriptionId, knownVersion ?? ''],
    )) as [string, string?, string?, string[]?];
    return this.readStart(reply);
  }

  private readStart(
    reply: readonly [string, string?, unknown?, unknown?, unknown?, unknown?],
  ): AttemptStart {
    const [state, version, json, marks] = reply as unknown as [
      string,
      string?,
      string?,
      string[]?,
    ];
    if (version === undefined)
      return { ended: true, state: state as DeliveryState };
    const current = (state || undefined) as DeliveryState | undefined;
    if (json === undefined)
      return { ended: false, state: current, version, subscription: undefined };
    const subscription =
      json === ''
        ? null
        : applyMarks(JSON.parse(json) as Subscription, pairs(marks ?? []));
    return { ended: false, state: current, version, subscription };
  }

  /**
   * Takes an in-flight lease for the delivery at `leaseKey` if fewer than
   * `limit` are held, and if so marks the delivery `in_flight` and reads whether the
   * circuit at `breakerKey` is closed.
   */
  async start(
    deliveryId: string,
    leaseKey: string,
    limit: number,
    leaseMs: number,
    breakerKey: string,
    returnTime?: ReturnTimeRequest,
  ): Promise<AttemptLease> {
    const reply = (await START_ATTEMPT.run(
      this.redis,
      [
        leaseKey,
        this.keys.delivery(deliveryId),
        breakerKey,
        scheduleKeyOf(leaseKey, returnTime),
      ],
      [
        deliveryId,
        limit,
        leaseMs,
        new Date().toISOString(),
        returnTime?.spacingMs ?? 0,
        returnTime?.horizonMs ?? 0,
      ],
    )) as number[];
    return leaseOf(reply[0], reply[2], reply[3], reply[4]);
  }

  /**
   * {@link AttemptStore.begin} and {@link AttemptStore.start} in one round
   * trip: takes the lease only when `knownVersion` is current. Returns the
   * lease with the start, or, when the copy is stale, the start alone.
   */
  async beginAndStart(
    deliveryId: string,
    subscriptionId: string,
    knownVersion: string,
    lease: LeaseRequest,
  ): Promise<AttemptStart & { readonly lease?: AttemptLease }> {
    const reply = await this.starts.add({
      deliveryId,
      subscriptionId,
      knownVersion,
      lease,
    });
    return this.readStartWithLease(reply);
  }

  private async sendStarts(batch: readonly StartItem[]): Promise<StartReply[]> {
    const groups: StartItem[] = [];
    const groupNumbers: number[] = [];
    for (const start of batch) {
      let index = groups.findIndex((first) => isSameGroup(first, start));
      if (index === -1) index = groups.push(start) - 1;
      groupNumbers.push(index + 1);
    }

    const keys: string[] = [
      this.keys.subscriptionsVersion,
      this.keys.subscriptions,
    ];
    const args: (string | number)[] = [new Date().toISOString(), groups.length];
    for (const first of groups) {
      const { leaseKey, returnTime } = first.lease;
      keys.push(
        leaseKey,
        first.lease.breakerKey,
        this.keys.subscriptionDisabled(first.subscriptionId),
        scheduleKeyOf(leaseKey, returnTime),
      );
      args.push(
        first.lease.limit,
        first.lease.leaseMs,
        first.subscriptionId,
        first.knownVersion,
      );
    }
    batch.forEach((start, index) => {
      keys.push(this.keys.delivery(start.deliveryId));
      args.push(
        start.deliveryId,
        groupNumbers[index] as number,
        start.lease.returnTime?.spacingMs ?? 0,
        start.lease.returnTime?.horizonMs ?? 0,
      );
    });
    return (await BEGIN_AND_START_ATTEMPTS.run(
      this.redis,
      keys,
      args,
    )) as StartReply[];
  }

  private readStartWithLease(
    reply: StartReply,
  ): AttemptStart & { readonly lease?: AttemptLease } {
    const [state, version, third] = reply;
    if (typeof third !== 'number') return this.readStart(reply);
    return {
      ended: false,
      state: (state || undefined) as DeliveryState | undefined,
      version: version as string,
      subscription: undefined,
      lease: leaseOf(third, Number(reply[3] ?? 0), reply[4], reply[5]),
    };
  }

  /**
   * Records a successful attempt, ends the delivery `delivered` and
   * releases its lease at `leaseKey`. Returns false when the delivery had
   * ended already, so the caller counts it once. Successes of one turn of
   * the event loop share one script call.
   */
  async succeed(
    deliveryId: string,
    attempt: AttemptRecord,
    leaseKey: string,
  ): Promise<boolean> {
    const changed = await this.successes.add({
      deliveryId,
      attemptJson: JSON.stringify(attempt),
      leaseKey,
    });
    return changed === 1;
  }

  private async sendSuccesses(
    batch: readonly SuccessItem[],
  ): Promise<number[]> {
    const keys: string[] = [this.keys.ledger];
    const args: (string | number)[] = [
      MAX_ATTEMPTS_KEPT,
      this.options.retentionMs,
      new Date().toISOString(),
    ];
    for (const success of batch) {
      keys.push(
        this.keys.deliveryAttempts(success.deliveryId),
        this.keys.delivery(success.deliveryId),
        success.leaseKey,
      );
      args.push(success.attemptJson, success.deliveryId);
    }
    return (await SUCCEED_ATTEMPTS.run(this.redis, keys, args)) as number[];
  }
}

/** Checks whether two attempts belong in one group of a start call. */
function isSameGroup(first: StartItem, other: StartItem): boolean {
  return (
    first.subscriptionId === other.subscriptionId &&
    first.knownVersion === other.knownVersion &&
    first.lease.leaseKey === other.lease.leaseKey &&
    first.lease.breakerKey === other.lease.breakerKey &&
    first.lease.limit === other.lease.limit &&
    first.lease.leaseMs === other.lease.leaseMs &&
    isSameReturnTime(first.lease.returnTime, other.lease.returnTime)
  );
}

/** Compares the schedules of two return times; the rest is per attempt. */
function isSameReturnTime(
  first: ReturnTimeRequest | undefined,
  other: ReturnTimeRequest | undefined,
): boolean {
  return first?.scheduleKey === other?.scheduleKey;
}

/**
 * Returns the schedule key passed to a start script. Without a return time
 * the script never reads it, so the lease set is passed instead, which keeps every
 * key of the call in one cluster slot.
 */
function scheduleKeyOf(
  leaseKey: string,
  returnTime: ReturnTimeRequest | undefined,
): string {
  return returnTime?.scheduleKey ?? leaseKey;
}

/** The reply of reserveReturnTime for a schedule full up to the horizon. */
const PAST_HORIZON = -2;

/** Reads a lease from a start script's reply fields. */
function leaseOf(
  acquired: unknown,
  retryAfterMs: number | undefined,
  circuitClosed: unknown,
  returnDelayMs: unknown,
): AttemptLease {
  const lease = {
    acquired: acquired === 1,
    retryAfterMs: retryAfterMs ?? 0,
    circuitClosed: circuitClosed === 1,
  };
  if (returnDelayMs === PAST_HORIZON)
    return { ...lease, returnDelayMs: Number.POSITIVE_INFINITY };
  return typeof returnDelayMs === 'number' && returnDelayMs >= 0
    ? { ...lease, returnDelayMs }
    : lease;
}

function pairs(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2)
    record[flat[i] as string] = flat[i + 1] as string;
  return record;
}
