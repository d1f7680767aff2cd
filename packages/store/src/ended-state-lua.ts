// Lua that defines isEnded(state), whether a delivery state is final, and
// clearNextAttempt(record, state), which drops the time of the next attempt.
// Only a scheduled delivery has one, since setting any other state clears
// it, so the HDEL is skipped for the others.
export const IS_ENDED_LUA = `
local function isEnded(state)
  return state == 'delivered' or state == 'dead_lettered'
    or state == 'throttled' or state == 'dropped'
end
local function clearNextAttempt(record, state)
  if state == 'scheduled' then redis.call('HDEL', record, 'nextAttemptAt') end
end
`;
