/** How long a schedule's key outlives its last return time, in ms. */
const KEY_MARGIN_MS = 1_000;

// Lua that defines reserveReturnTime(key, spacingMs, horizonMs), which
// needs nowMs (Redis time). It gives out return times one after another
// per schedule key: `spacingMs` after the last one given out, and at least
// `spacingMs` from now. The key keeps the last return time, in Redis ms,
// and expires shortly after it. Returns the delay until the return time,
// or -1 when it would be more than `horizonMs` ahead, and then reserves
// nothing.
export const RETURN_TIMES_LUA = `
local returnTimes = {}
local function reserveReturnTime(key, spacingMs, horizonMs)
  local lastAtMs = returnTimes[key]
  if lastAtMs == nil then
    lastAtMs = tonumber(redis.call('GET', key)) or false
  end
  local atMs = nowMs + spacingMs
  if lastAtMs then atMs = math.max(atMs, lastAtMs + spacingMs) end
  if atMs - nowMs > horizonMs then
    returnTimes[key] = lastAtMs
    return -1
  end
  returnTimes[key] = atMs
  redis.call('SET', key, string.format('%.17g', atMs), 'PX',
    math.ceil(atMs - nowMs) + ${KEY_MARGIN_MS})
  return math.ceil(atMs - nowMs)
end
`;
