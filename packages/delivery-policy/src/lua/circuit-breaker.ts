import { REDIS_NOW_MS_LUA } from './redis-now-ms';

/**
 * Lua shared by the circuit scripts. KEYS[1] is the breaker hash with the
 * fields `state` (`closed`, `half_open` or `open`) and `openUntil`, the
 * Redis time in ms at which an open circuit half-opens. A missing key is a
 * closed circuit. Replies give the state as 0 closed, 1 half-open, 2 open.
 */
const CIRCUIT_PRELUDE_LUA = `${REDIS_NOW_MS_LUA}
local breakerKey = KEYS[1]
local stored = redis.call('HMGET', breakerKey, 'state', 'openUntil')
local state = stored[1] or 'closed'
local openUntil = tonumber(stored[2]) or 0
`;

/**
 * Decides whether a request may go out. A closed circuit admits it without
 * writing anything. An open circuit rejects it until `openUntil`. The first
 * call after that turns the circuit half-open, and a half-open circuit hands
 * out trial permits while fewer than the maximum are held.
 *
 * KEYS: the breaker hash (see the prelude), then the trial-permit sorted
 * set, whose members are permit ids scored by their lease expiry in Redis
 * time (ms). An expired permit is dropped, so a worker that died while
 * holding one frees it.
 *
 * ARGV: permit id, maximum trial permits, permit lease in milliseconds,
 * wait to report when every permit is taken, in milliseconds.
 *
 * Returns `{admitted (0 or 1), trial (0 or 1), retryAfterMs, stateCode}`.
 */
export const CIRCUIT_ADMIT_LUA = `${CIRCUIT_PRELUDE_LUA}
local trialsKey = KEYS[2]
local permitId = ARGV[1]
local maxTrials = tonumber(ARGV[2])
local trialLeaseMs = tonumber(ARGV[3])
local busyRetryAfterMs = tonumber(ARGV[4])

if state ~= 'open' and state ~= 'half_open' then
  return { 1, 0, 0, 0 }
end
if state == 'open' then
  if nowMs < openUntil then
    return { 0, 0, openUntil - nowMs, 2 }
  end
  -- A new half-open period starts with no permits from an earlier one.
  redis.call('HSET', breakerKey, 'state', 'half_open')
  redis.call('DEL', trialsKey)
end

redis.call('ZREMRANGEBYSCORE', trialsKey, '-inf', nowMs)
if redis.call('ZCARD', trialsKey) >= maxTrials then
  return { 0, 0, busyRetryAfterMs, 1 }
end
redis.call('ZADD', trialsKey, nowMs + trialLeaseMs, permitId)
-- Every permit has the same lease, so the newest one expires last.
redis.call('PEXPIRE', trialsKey, trialLeaseMs)
return { 1, 1, 0, 1 }
`;

/**
 * Records the outcome of one request and opens or closes the circuit.
 *
 * A trial (a permit id that is still held while half-open) decides the
 * circuit: a success closes it and clears the window, a failure reopens it
 * for the recovery time, and an ignored outcome only frees the permit.
 * Other outcomes count only while the circuit is closed, because requests
 * admitted before the circuit opened must not extend or end the open period.
 *
 * While closed, KEYS[2] is a hash of counts per time bucket: `r:<start>`
 * requests and `f:<start>` failures, where `<start>` is the bucket's start
 * in Redis time (ms). Only buckets that start within the window count, so
 * no outcome older than the window ever counts, and outcomes in the oldest
 * partial bucket drop out up to one bucket early. The circuit opens when a
 * failure brings the counted requests to at least the threshold with at
 * least the given percentage failed. It is checked on failures only,
 * because a success never makes an origin look less healthy.
 *
 * KEYS: breaker hash, window hash, trial-permit set, registry set. ARGV:
 * origin, outcome (`success`, `failure` or `ignored`), permit id (empty for
 * no trial), failure threshold, error threshold percentage, window length,
 * bucket length and recovery time, all durations in milliseconds, then
 * optionally a count of earlier successes, sent late in one call, that
 * count in the window before this outcome while the circuit is closed, and
 * optionally a horizon in milliseconds for the request count in the reply.
 *
 * Returns `{stateCode, retryAfterMs, lastingRequests}`: the state after
 * this call, and, when open, the time until it half-opens. With a horizon
 * above 0, `lastingRequests` counts the requests in the window whose bucket
 * stays in it for at least the horizon. It is 0 without a horizon, and
 * while the circuit is not closed, because the window is empty then.
 */
export const CIRCUIT_RECORD_LUA = `${CIRCUIT_PRELUDE_LUA}
local windowKey = KEYS[2]
local trialsKey = KEYS[3]
local origin = ARGV[1]
local outcome = ARGV[2]
local permitId = ARGV[3]
local failureThreshold = tonumber(ARGV[4])
local errorThresholdPercentage = tonumber(ARGV[5])
local windowMs = tonumber(ARGV[6])
local bucketMs = tonumber(ARGV[7])
local recoveryTimeoutMs = tonumber(ARGV[8])
local earlierSuccesses = tonumber(ARGV[9]) or 0
local horizonMs = tonumber(ARGV[10]) or 0

redis.call('SADD', KEYS[4], origin)

local function openCircuit()
  redis.call('HSET', breakerKey, 'state', 'open',
    'openUntil', string.format('%d', nowMs + recoveryTimeoutMs))
  redis.call('DEL', windowKey, trialsKey)
  return { 2, recoveryTimeoutMs, 0 }
end

local function closeCircuit()
  redis.call('HSET', breakerKey, 'state', 'closed')
  redis.call('HDEL', breakerKey, 'openUntil')
  redis.call('DEL', windowKey, trialsKey)
  return { 0, 0, 0 }
end

-- Adds the counted outcomes to the current bucket and returns whether they
-- started it.
local function addToBucket(counted)
  local bucket = string.format('%d', nowMs - nowMs % bucketMs)
  local inBucket = redis.call('HINCRBY', windowKey, 'r:' .. bucket, counted)
  if outcome == 'failure' then
    redis.call('HINCRBY', windowKey, 'f:' .. bucket, 1)
  end
  redis.call('PEXPIRE', windowKey, windowMs + bucketMs)
  return inBucket == counted
end

-- Drops buckets that started before the window and sums the rest. The
-- third sum counts the requests of buckets that stay in the window until
-- at least nowMs + horizonMs.
local function countWindow()
  local oldestStart = nowMs - windowMs
  local lastingStart = oldestStart + horizonMs
  local fields = redis.call('HGETALL', windowKey)
  local requests, failures, lasting = 0, 0, 0
  for i = 1, #fields, 2 do
    local kind, start = string.match(fields[i], '^(%a):(%d+)$')
    local count = tonumber(fields[i + 1])
    if not start or tonumber(start) < oldestStart then
      redis.call('HDEL', windowKey, fields[i])
    elseif kind == 'r' then
      requests = requests + count
      if tonumber(start) >= lastingStart then lasting = lasting + count end
    else
      failures = failures + count
    end
  end
  return requests, failures, lasting
end

local isTrial = state == 'half_open' and permitId ~= ''
  and redis.call('ZSCORE', trialsKey, permitId)
if isTrial then
  if outcome == 'success' then return closeCircuit() end
  if outcome == 'failure' then return openCircuit() end
  redis.call('ZREM', trialsKey, permitId)
  return { 1, 0, 0 }
end

if state == 'open' and nowMs < openUntil then
  return { 2, openUntil - nowMs, 0 }
end
if state == 'open' or state == 'half_open' then
  return { 1, 0, 0 }
end

-- The metrics list only origins whose hash has a state.
if stored[1] ~= 'closed' then
  redis.call('HSET', breakerKey, 'state', 'closed')
end
local counted = earlierSuccesses
if outcome ~= 'ignored' then counted = counted + 1 end
local startedBucket = counted > 0 and addToBucket(counted)
-- Pruning on every new bucket keeps the hash to about two fields a bucket.
if outcome ~= 'failure' and not startedBucket and horizonMs == 0 then
  return { 0, 0, 0 }
end

local requests, failures, lasting = countWindow()
local tripped = outcome == 'failure' and requests >= failureThreshold
  and failures * 100 >= errorThresholdPercentage * requests
if tripped then
  return openCircuit()
end
if horizonMs == 0 then lasting = 0 end
return { 0, 0, lasting }
`;

/**
 * Reads the state of a circuit without changing it. An open circuit whose
 * `openUntil` has passed counts as half-open, because the next admit turns
 * it so.
 *
 * KEYS: the breaker hash (see the prelude).
 *
 * Returns `{stateCode, retryAfterMs}`, where `retryAfterMs` is the time
 * until an open circuit half-opens and 0 otherwise.
 */
export const CIRCUIT_STATE_LUA = `${CIRCUIT_PRELUDE_LUA}
if state == 'open' and nowMs < openUntil then
  return { 2, openUntil - nowMs }
end
if state == 'open' or state == 'half_open' then
  return { 1, 0 }
end
return { 0, 0 }
`;
