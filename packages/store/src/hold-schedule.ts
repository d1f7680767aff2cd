import { LuaScript, REDIS_NOW_MS_LUA } from '@signalpost/delivery-policy';
import type { RedisClient } from '@signalpost/queues';
import { TurnBatch } from './turn-batch';

/** How long a schedule's key outlives its last return time, in ms. */
const KEY_MARGIN_MS = 1_000;

// Gives out return times one after another per schedule key. Each item gets
// `spacingMs` after the last one given out, and at least `spacingMs` from
// now, unless that is more than `horizonMs` ahead. Each key keeps the last
// return time, in Redis ms, and expires shortly after it. KEYS: per item
// its schedule key. ARGV: per item the spacing and the horizon, in ms.
// Returns per item the delay until its return time, or -1 past the horizon.
const RESERVE_RETURN_TIMES = new LuaScript(
  'reserve return times',
  `${REDIS_NOW_MS_LUA}
local last = {}
local results = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local spacingMs = tonumber(ARGV[i * 2 - 1])
  local horizonMs = tonumber(ARGV[i * 2])
  local lastAtMs = last[key]
  if lastAtMs == nil then lastAtMs = tonumber(redis.call('GET', key)) or false end
  local atMs = nowMs + spacingMs
  if lastAtMs then atMs = math.max(atMs, lastAtMs + spacingMs) end
  if atMs - nowMs > horizonMs then
    results[i] = -1
    last[key] = lastAtMs
  else
    results[i] = math.ceil(atMs - nowMs)
    last[key] = atMs
    redis.call('SET', key, string.format('%.17g', atMs), 'PX',
      math.ceil(atMs - nowMs) + ${KEY_MARGIN_MS})
  end
end
return results
`,
);

interface ReserveItem {
  readonly key: string;
  readonly spacingMs: number;
  readonly horizonMs: number;
}

/**
 * Return times of held deliveries, kept in Redis so that every worker
 * takes them from one schedule per key. The reservations of one turn of
 * the event loop share one script call.
 */
export class HoldSchedule {
  private readonly reservations = new TurnBatch<ReserveItem, number>(
    (items) => this.send(items),
    { oneCallAtATime: true },
  );

  constructor(private readonly redis: RedisClient) {}

  /**
   * Reserves the next return time of the schedule at `key`: `spacingMs`
   * after the last one and at least `spacingMs` from now. Returns the delay
   * until it in ms, or undefined when it would be more than `horizonMs`
   * ahead, in which case nothing is reserved.
   */
  async reserve(
    key: string,
    spacingMs: number,
    horizonMs: number,
  ): Promise<number | undefined> {
    const delayMs = await this.reservations.add({ key, spacingMs, horizonMs });
    return delayMs >= 0 ? delayMs : undefined;
  }

  private async send(items: readonly ReserveItem[]): Promise<number[]> {
    const keys = items.map((item) => item.key);
    const args = items.flatMap((item) => [item.spacingMs, item.horizonMs]);
    return (await RESERVE_RETURN_TIMES.run(this.redis, keys, args)) as number[];
  }
}
