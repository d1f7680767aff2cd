/** How long a schedule's key outlives its last return time, in ms. */
const KEY_MARGIN_MS = 1_000;

/**
 * Smallest spacing of a schedule, in ms. Smaller ones would vanish when
 * added to Redis time in ms since the epoch, a number near 2e12.
 */
const MIN_SPACING_MS = 0.01;

// Lua that defines reserveReturnTime(key, spacingMs, horizonMs), which
// needs nowMs (Redis time). It gives out return times one after another
// per schedule key, one spacing apart and at least one spacing from now.
// The schedule keeps one spacing for every worker: each spacing a caller
// passes moves it a quarter of the way there, by at most a factor 2, so
// that one worker's passing view barely moves the return times of all. A
// spacing of 0 leaves it as it is, for a worker that has not measured the
// target yet. The key keeps the last return time and the spacing, in ms,
// and expires shortly after that time. Returns the delay until the return
// time, -1 when there is no spacing, or -2 when the time would be more
// than horizonMs ahead. Those two reserve nothing.
export const RETURN_TIMES_LUA = `
local schedules = {}
local function readSchedule(key)
  local schedule = schedules[key]
  if schedule == nil then
    schedule = false
    local stored = redis.call('GET', key)
    if stored then
      local atText, spacingText = string.match(stored, '^(%S+) (%S+)$')
      local atMs, spacingMs = tonumber(atText), tonumber(spacingText)
      if atMs and spacingMs then schedule = { atMs, spacingMs } end
    end
    schedules[key] = schedule
  end
  return schedule
end
local function reserveReturnTime(key, spacingMs, horizonMs)
  local schedule = readSchedule(key)
  local sharedMs = spacingMs
  if schedule then
    sharedMs = schedule[2]
    if spacingMs > 0 then
      local moved = sharedMs + (spacingMs - sharedMs) / 4
      sharedMs = math.min(sharedMs * 2, math.max(sharedMs / 2, moved))
    end
  end
  if sharedMs <= 0 then return -1 end
  sharedMs = math.max(sharedMs, ${MIN_SPACING_MS})
  local atMs = nowMs + sharedMs
  if schedule then atMs = math.max(atMs, schedule[1] + sharedMs) end
  if atMs - nowMs > horizonMs then return -2 end
  schedules[key] = { atMs, sharedMs }
  redis.call('SET', key, string.format('%.17g %.17g', atMs, sharedMs), 'PX',
    math.ceil(atMs - nowMs) + ${KEY_MARGIN_MS})
  return math.ceil(atMs - nowMs)
end
`;
