/** How long a schedule's key outlives its last return time, in ms. */
const KEY_MARGIN_MS = 1_000;

// Lua that defines reserveReturnTime(key, spacingMs, horizonMs), which
// needs nowMs (Redis time). It gives out return times one after another
// per schedule key: `spacingMs` after the last one given out, and at least
// `spacingMs` from now. A spacing of 0 takes the one stored with the last
// return time, so a worker that has not measured it yet follows the
// others. The key keeps the last return time and its spacing, in Redis ms,
// and expires shortly after that time. Returns the delay until the return
// time, -1 when there is no spacing, or -2 when the time would be more
// than `horizonMs` ahead. Those two reserve nothing.
export const RETURN_TIMES_LUA = `
local schedules = {}
local function readSchedule(key)
  local schedule = schedules[key]
  if schedule == nil then
    schedule = false
    local stored = redis.call('GET', key)
    if stored then
      local atMs, spacingMs = string.match(stored, '^(%S+) (%S+)$')
      if atMs then schedule = { tonumber(atMs), tonumber(spacingMs) } end
    end
    schedules[key] = schedule
  end
  return schedule
end
local function reserveReturnTime(key, spacingMs, horizonMs)
  local schedule = readSchedule(key)
  if spacingMs <= 0 then
    if not schedule then return -1 end
    spacingMs = schedule[2]
  end
  local atMs = nowMs + spacingMs
  if schedule then atMs = math.max(atMs, schedule[1] + spacingMs) end
  if atMs - nowMs > horizonMs then return -2 end
  schedules[key] = { atMs, spacingMs }
  redis.call('SET', key, string.format('%.17g %.17g', atMs, spacingMs), 'PX',
    math.ceil(atMs - nowMs) + ${KEY_MARGIN_MS})
  return math.ceil(atMs - nowMs)
end
`;
