import { REDIS_NOW_MS_LUA } from './redis-now-ms';

/**
 * Takes tokens from a token bucket that refills continuously.
 *
 * KEYS[1] is a hash with the fields `tokens` (a decimal number, fractions
 * kept) and `updatedAtMs` (Redis time of the last refill, in milliseconds).
 * A missing key is a full bucket. The key expires once the bucket would be
 * full again, plus a margin, because a full bucket needs no stored state.
 *
 * ARGV: capacity, refill rate in tokens per millisecond, tokens requested,
 * TTL margin in milliseconds, schedule horizon in milliseconds (0: none).
 *
 * With a horizon, a denied take also gets a slot: the moment its tokens
 * will have accrued, after the tokens of every slot given out before it.
 * The last slot is kept in the field `slotAtMs`, so every caller of the
 * key shares one schedule. A slot further ahead than the horizon is not
 * given out.
 *
 * Returns `{granted (0 or 1), retryAfterMs, remaining, slotDelayMs}`.
 * `retryAfterMs` is the time until enough tokens have accrued, 0 when
 * granted, `remaining` is the whole tokens left, and `slotDelayMs` is the
 * time until the slot, or -1 when no slot was given out.
 */
export const TOKEN_BUCKET_TAKE_LUA = `${REDIS_NOW_MS_LUA}
local capacity = tonumber(ARGV[1])
local refillPerMs = tonumber(ARGV[2])
local requested = tonumber(ARGV[3])
local ttlMarginMs = tonumber(ARGV[4])
local horizonMs = tonumber(ARGV[5]) or 0

local state = redis.call('HMGET', KEYS[1], 'tokens', 'updatedAtMs', 'slotAtMs')
local tokens = tonumber(state[1]) or capacity
local updatedAtMs = tonumber(state[2]) or nowMs
local lastSlotAtMs = tonumber(state[3])
-- A failover to a server with a slower clock must not drain the bucket.
local elapsedMs = math.max(0, nowMs - updatedAtMs)
tokens = math.min(capacity, tokens + elapsedMs * refillPerMs)

local granted = 0
local retryAfterMs = 0
local slotDelayMs = -1
local keepMs = 0
if tokens >= requested then
  tokens = tokens - requested
  granted = 1
else
  retryAfterMs = math.ceil((requested - tokens) / refillPerMs)
  if horizonMs > 0 then
    local slotAtMs = nowMs + retryAfterMs
    if lastSlotAtMs then
      slotAtMs = math.max(slotAtMs, lastSlotAtMs + requested / refillPerMs)
    end
    if slotAtMs - nowMs <= horizonMs then
      redis.call('HSET', KEYS[1], 'slotAtMs', string.format('%.17g', slotAtMs))
      slotDelayMs = math.ceil(slotAtMs - nowMs)
      lastSlotAtMs = slotAtMs
    end
  end
end
if lastSlotAtMs then keepMs = math.ceil(lastSlotAtMs - nowMs) end

redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'updatedAtMs', string.format('%d', nowMs))
local refillMs = math.ceil((capacity - tokens) / refillPerMs)
redis.call('PEXPIRE', KEYS[1], math.max(refillMs, keepMs) + ttlMarginMs)
return { granted, retryAfterMs, math.floor(tokens), slotDelayMs }
`;
