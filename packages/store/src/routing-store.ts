import { LuaScript } from '@signalpost/delivery-policy';
import type { Signal } from '@signalpost/signal';
import type { RedisClient, RedisKeys } from '@signalpost/queues';
import type { DeliveryInfo, SignalState } from './records';
import { TurnBatch } from './turn-batch';

// Routes signals in one round trip. For each it claims the (source, id)
// for the job as the claim script does, creates the missing delivery
// records, counts them in the ledger, links them to the signal and records
// the router's result. A job that had finished routing (a re-run after a
// crash) changes nothing, but still learns which deliveries are pending so
// it can enqueue them again.
//
// KEYS: the ledger, then per signal its dedup key, record, id index and
// deliveries set, and one record key per delivery. ARGV: dedup TTL ms,
// retention ms, routedAt, score of the first link (ms), then per signal
// its delivery count n, job id, signal JSON, receivedAt, identity, result
// state, n info JSONs and the n delivery ids.
//
// Returns per signal {'duplicate', first job id}, or {kind, pending...}
// where kind is 'new', 'own' or 'routed' and pending has, per delivery, 1
// when it is still pending and must be enqueued, else 0.
const ROUTE_SIGNALS = new LuaScript(
  'route signals',
  `
local dedupTtl, retention = tonumber(ARGV[1]), tonumber(ARGV[2])
local routedAt, firstScore = ARGV[3], tonumber(ARGV[4])

local function routeOne(k, a, n)
  local jobId = ARGV[a + 1]
  local existing = redis.call('GET', KEYS[k])
  if existing and existing ~= jobId then return { 'duplicate', existing } end
  if not existing then
    redis.call('SET', KEYS[k], jobId, 'PX', dedupTtl)
  end
  local kind = 'new'
  if existing then kind = 'own' end
  if redis.call('EXISTS', KEYS[k + 1]) == 0 then
    redis.call('HSET', KEYS[k + 1], 'signal', ARGV[a + 2], 'state', 'routing', 'receivedAt', ARGV[a + 3], 'jobId', jobId)
    redis.call('PEXPIRE', KEYS[k + 1], retention)
    redis.call('SADD', KEYS[k + 2], ARGV[a + 4])
    redis.call('PEXPIRE', KEYS[k + 2], retention)
  elseif existing and redis.call('HGET', KEYS[k + 1], 'state') ~= 'routing' then
    kind = 'routed'
  end

  local reply = { kind }
  local created = 0
  for d = 0, n - 1 do
    local key = KEYS[k + 4 + d]
    if kind ~= 'routed' and redis.call('EXISTS', key) == 0 then
      redis.call('HSET', key, 'info', ARGV[a + 6 + d], 'state', 'pending')
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

  if created > 0 then redis.call('HINCRBY', KEYS[1], 'created', created) end
  redis.call('HSET', KEYS[k + 1], 'state', ARGV[a + 5], 'routedAt', routedAt)
  if n > 0 then
    local members = {}
    for d = 0, n - 1 do
      members[#members + 1] = firstScore + d
      members[#members + 1] = ARGV[a + 6 + n + d]
      if #members >= 1000 or d == n - 1 then
        redis.call('ZADD', KEYS[k + 3], 'NX', unpack(members))
        members = {}
      end
    end
    redis.call('PEXPIRE', KEYS[k + 3], retention)
  end
  return reply
end

local results = {}
local k, a = 2, 5
while k <= #KEYS do
  local n = tonumber(ARGV[a])
  results[#results + 1] = routeOne(k, a, n)
  k = k + 4 + n
  a = a + 6 + 2 * n
end
return results
`,
);

/**
 * Signals routed by one script call at most. Redis runs nothing else while
 * a script runs, and the router routes up to 20 batch jobs of 1000 signals
 * at once, so a busy turn is split into calls of this size.
 */
const MAX_SIGNALS_PER_CALL = 200;

/** A signal for the next routing call to Redis. */
interface RouteItem {
  readonly item: SignalToRoute;
  readonly state: SignalState;
  readonly deliveries: readonly DeliveryInfo[];
  readonly routedAt: Date;
}

/** One signal's reply of the routing script. */
type RouteReply = [string, ...(string | number)[]];

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
 * recorded together. The signals routed in one turn of the event loop
 * share one script call.
 */
export class RoutingStore {
  // The signals routed in one turn of the event loop go to Redis in one
  // script call, so concurrent routings share one write.
  private readonly batch = new TurnBatch<RouteItem, RouteReply>(
    (items) => this.send(items),
    { maxItems: MAX_SIGNALS_PER_CALL },
  );

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
    const [kind, ...rest] = await this.batch.add({
      item,
      state,
      deliveries,
      routedAt,
    });
    if (kind === 'duplicate')
      return { kind, duplicateOf: String(rest[0] ?? '') };
    const pending = deliveries
      .filter((_, position) => rest[position] === 1)
      .map((delivery) => delivery.id);
    return { kind: kind as 'new' | 'own' | 'routed', pending };
  }

  private async send(batch: readonly RouteItem[]): Promise<RouteReply[]> {
    const routedAt = batch[0]?.routedAt ?? new Date();
    const keys: string[] = [this.keys.ledger];
    const args: (string | number)[] = [
      this.options.dedupTtlMs,
      this.options.retentionMs,
      routedAt.toISOString(),
      routedAt.getTime(),
    ];
    for (const { item, state, deliveries } of batch) {
      keys.push(
        this.keys.dedup(item.identity),
        this.keys.signal(item.identity),
        this.keys.signalsById(item.signal.id),
        this.keys.signalDeliveries(item.identity),
        ...deliveries.map((delivery) => this.keys.delivery(delivery.id)),
      );
      args.push(
        deliveries.length,
        item.jobId,
        JSON.stringify(item.signal),
        item.receivedAt.toISOString(),
        item.identity,
        state,
        ...deliveries.map((delivery) => JSON.stringify(delivery)),
        ...deliveries.map((delivery) => delivery.id),
      );
    }
    return (await ROUTE_SIGNALS.run(this.redis, keys, args)) as RouteReply[];
  }
}
