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
 * TTL margin in milliseconds.
 *
 * Returns `{granted (0 or 1), retryAfterMs, remaining}`. `retryAfterMs` is
 * the time until enough tokens have accrued, 0 when granted, and
 * `remaining` is the whole tokens left.
 */
export const TOKEN_BUCKET_TAKE_LUA = `${REDIS_NOW_MS_LUA}
local capacity = tonumber(ARGV[1])
local refillPerMs = tonumber(ARGV[2])
local requested = tonumber(ARGV[3])
local ttlMarginMs = tonumber(ARGV[4])

local state = redis.call('HMGET', KEYS[1], 'tokens', 'updatedAtMs')
local tokens = tonumber(state[1]) or capacity
local updatedAtMs = tonumber(state[2]) or nowMs
-- A failover to a server with a slower clock must not drain the bucket.
local elapsedMs = math.max(0, nowMs - updatedAtMs)
tokens = math.min(capacity, tokens + elapsedMs * refillPerMs)

local granted = 0
local retryAfterMs = 0
if tokens >= requested then
  tokens = tokens - requested
  granted = 1
else
  retryAfterMs = math.ceil((requested - tokens) / refillPerMs)
end

redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'updatedAtMs', string.format('%d', nowMs))
local refillMs = math.ceil((capacity - tokens) / refillPerMs)
redis.call('PEXPIRE', KEYS[1], refillMs + ttlMarginMs)
return { granted, retryAfterMs, math.floor(tokens) }
`;
