import { REDIS_NOW_MS_LUA } from './redis-now-ms';

/**
 * Lua shared by the lease scripts. KEYS[1] is a sorted set of lease ids, each
 * scored by its expiry in Redis time (milliseconds). Leases that have
 * expired are dropped first, so a worker that died frees its slots. The key
 * expires with its last lease.
 */
const LEASE_PRELUDE_LUA = `${REDIS_NOW_MS_LUA}
local leaseKey = KEYS[1]
local leaseId = ARGV[1]
redis.call('ZREMRANGEBYSCORE', leaseKey, '-inf', nowMs)

local function expireWithLastLease()
  local last = redis.call('ZRANGE', leaseKey, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', leaseKey, math.max(1, tonumber(last[2]) - nowMs))
end
`;

/**
 * Lua that defines `acquireLease(leaseKey, leaseId, limit, leaseMs, nowMs)`,
 * the acquire step of {@link IN_FLIGHT_ACQUIRE_LUA} as a function, for
 * scripts that take leases of several sets or among other steps. Returns
 * `{acquired (0 or 1), inFlight, retryAfterMs}`.
 */
export const ACQUIRE_LEASE_FUNCTION_LUA = `
local function acquireLease(leaseKey, leaseId, limit, leaseMs, nowMs)
  redis.call('ZREMRANGEBYSCORE', leaseKey, '-inf', nowMs)
  local existingExpiry = redis.call('ZSCORE', leaseKey, leaseId)
  local inFlight = redis.call('ZCARD', leaseKey)
  if not existingExpiry and inFlight >= limit then
    local earliest = redis.call('ZRANGE', leaseKey, 0, 0, 'WITHSCORES')
    return { 0, inFlight, math.max(1, tonumber(earliest[2]) - nowMs) }
  end
  redis.call('ZADD', leaseKey, nowMs + leaseMs, leaseId)
  local last = redis.call('ZRANGE', leaseKey, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', leaseKey, math.max(1, tonumber(last[2]) - nowMs))
  return { 1, redis.call('ZCARD', leaseKey), 0 }
end
`;

/**
 * Acquires a lease if fewer than the limit are held. Acquiring a lease id that
 * is already held succeeds again and extends its expiry, without taking a
 * second slot.
 *
 * KEYS[1]: the lease set (see the lease prelude). ARGV: lease id, limit,
 * lease duration in milliseconds.
 *
 * Returns `{acquired (0 or 1), inFlight, retryAfterMs}`. When rejected,
 * `retryAfterMs` is the time until the earliest lease expires.
 */
export const IN_FLIGHT_ACQUIRE_LUA = `${REDIS_NOW_MS_LUA}
${ACQUIRE_LEASE_FUNCTION_LUA}
return acquireLease(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), nowMs)
`;

/**
 * Extends a lease that is still held. A lease that has expired is not
 * revived, because its slot may have gone to another worker.
 *
 * KEYS[1]: the lease set (see the lease prelude). ARGV: lease id, new lease
 * duration in milliseconds from now.
 *
 * Returns `{1}` when the lease was extended, `{0}` when it is not held.
 */
export const IN_FLIGHT_RENEW_LUA = `${LEASE_PRELUDE_LUA}
local leaseMs = tonumber(ARGV[2])

if not redis.call('ZSCORE', leaseKey, leaseId) then
  return { 0 }
end
redis.call('ZADD', leaseKey, 'XX', nowMs + leaseMs, leaseId)
expireWithLastLease()
return { 1 }
`;
