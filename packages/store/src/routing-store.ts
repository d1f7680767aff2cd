import { LuaScript } from '@signalpost/delivery-policy';
import type { Signal } from '@signalpost/signal';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type { DeliveryInfo, SignalState } from './records';

// Routes a signal in one round trip. It claims the (source, id) for the job
// as the claim script does, creates the missing delivery records, counts
// them in the ledger, links them to the signal and records the router's
// result. A job that had finished routing (a re-run after a crash) changes
// nothing, but still learns which deliveries are pending so it can enqueue
// them again.
//
// KEYS: dedup key, signal record, id index, ledger, the signal's deliveries
// set, then one record key per delivery. ARGV: job id, dedup TTL ms,
// retention ms, signal JSON, receivedAt, identity, result state, routedAt,
// score of the first link (ms), then one info JSON per delivery, then the
// delivery ids in the same order.
//
// Returns {'duplicate', first job id}, or {kind, pending...} where kind is
// 'new', 'own' or 'routed' and pending has, per delivery, 1 when it is
// still pending and must be enqueued, else 0.
const ROUTE_SIGNAL = new LuaScript(
  'route signal',
  `
local existing = redis.call('GET', KEYS[1])
if existing and existing ~= ARGV[1] then return { 'duplicate', existing } end
local retention = tonumber(ARGV[3])
if not existing then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
end
local kind = 'new'
if existing then kind = 'own' end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 'signal', ARGV[4], 'state', 'routing', 'receivedAt', ARGV[5], 'jobId', ARGV[1])
  redis.call('PEXPIRE', KEYS[2], retention)
  redis.call('SADD', KEYS[3], ARGV[6])
  redis.call('PEXPIRE', KEYS[3], retention)
elseif existing and redis.call('HGET', KEYS[2], 'state') ~= 'routing' then
  kind = 'routed'
end

local reply = { kind }
local created = 0
for i = 6, #KEYS do
  local key = KEYS[i]
  if kind ~= 'routed' and redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'info', ARGV[i + 4], 'state', 'pending')
    redis.call('PEXPIRE', key, retention)
    created = created + 1
    reply[#reply + 1] = 1
  elseif redis.call('HGET', key, 'state') == 'pending' then
    reply[#reply + 1] = 1
  else
    reply[#reply + 1] = 0
  end
end
if kind == 'routed' then return reply end

if created > 0 then redis.call('HINCRBY', KEYS[4], 'created', created) end
redis.call('HSET', KEYS[2], 'state', ARGV[7], 'routedAt', ARGV[8])
if #KEYS >= 6 then
  local firstScore = tonumber(ARGV[9])
  local members = {}
  local count = #KEYS - 5
  for i = 6, #KEYS do
    members[#members + 1] = firstScore + i - 6
    members[#members + 1] = ARGV[i + 4 + count]
    if #members >= 1000 or i == #KEYS then
      redis.call('ZADD', KEYS[5], 'NX', unpack(members))
      members = {}
    end
  end
  redis.call('PEXPIRE', KEYS[5], retention)
end
return reply
`,
);

/** A signal job to route, as the router received it. */
export interface SignalToRoute {
  readonly signal: Signal;
  readonly identity: string;
  readonly jobId: string;
  readonly receivedAt: Date;
}

/** Result of {@link RoutingStore.route}. */
export type RouteOutcome =
  /** Another job claimed the signal's `(source, id)` first. */
  | { readonly kind: 'duplicate'; readonly duplicateOf: string }
  | {
      /**
       * `new` or `own` (this job claimed it before) when this call routed
       * the signal, `routed` when this job had finished routing it.
       */
      readonly kind: 'new' | 'own' | 'routed';
      /** Ids of the deliveries still pending, which the caller enqueues. */
      readonly pending: string[];
    };

/**
 * The router's records of a signal and its deliveries, written in one
 * script so a signal is claimed, its deliveries created and its result
 * recorded together.
 */
export class RoutingStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: {
      readonly dedupTtlMs: number;
      readonly retentionMs: number;
    },
  ) {}

  /**
   * Claims the signal for its job and, unless another job claimed it
   * first, creates its deliveries and records `state` as its result.
   * The caller enqueues the pending deliveries. Job ids are delivery ids,
   * so enqueueing one again is harmless.
   */
  async route(
    item: SignalToRoute,
    state: SignalState,
    deliveries: readonly DeliveryInfo[],
    routedAt: Date,
  ): Promise<RouteOutcome> {
    const keys = [
      this.keys.dedup(item.identity),
      this.keys.signal(item.identity),
      this.keys.signalsById(item.signal.id),
      this.keys.ledger,
      this.keys.signalDeliveries(item.identity),
      ...deliveries.map((delivery) => this.keys.delivery(delivery.id)),
    ];
    const args = [
      item.jobId,
      this.options.dedupTtlMs,
      this.options.retentionMs,
      JSON.stringify(item.signal),
      item.receivedAt.toISOString(),
      item.identity,
      state,
      routedAt.toISOString(),
      routedAt.getTime(),
      ...deliveries.map((delivery) => JSON.stringify(delivery)),
      ...deliveries.map((delivery) => delivery.id),
    ];
    const reply = (await ROUTE_SIGNAL.run(this.redis, keys, args)) as [
      string,
      ...(string | number)[],
    ];
    const [kind, ...rest] = reply;
    if (kind === 'duplicate')
      return { kind, duplicateOf: String(rest[0] ?? '') };
    const pending = deliveries
      .filter((_, index) => rest[index] === 1)
      .map((delivery) => delivery.id);
    return { kind: kind as 'new' | 'own' | 'routed', pending };
  }
}
