/**
 * Counts a call in a fixed window that starts at the window's first call.
 *
 * KEYS[1] is an integer counter. It gets its expiry, the window length, when
 * the first call creates it, so Redis's clock ends the window and later calls
 * do not extend it.
 *
 * ARGV: window length in milliseconds.
 *
 * Returns `{count, resetInMs}`: the calls in the window including this one,
 * and the time until the window ends.
 */
export const FIXED_WINDOW_HIT_LUA = `
local windowMs = tonumber(ARGV[1])

local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], windowMs)
end

local resetInMs = redis.call('PTTL', KEYS[1])
-- A counter written without a TTL by another client would never reset.
if resetInMs < 0 then
  redis.call('PEXPIRE', KEYS[1], windowMs)
  resetInMs = windowMs
end
return { count, resetInMs }
`;
