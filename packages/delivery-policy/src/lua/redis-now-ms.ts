/**
 * Lua that sets `nowMs` to the Redis server's clock in whole milliseconds.
 * Scripts read TIME rather than take a time argument, so workers with
 * skewed clocks still share one timeline. Redis 5 and later replicate a
 * script's effects, not the script, so a write after TIME is allowed.
 */
export const REDIS_NOW_MS_LUA = `
local redisTime = redis.call('TIME')
local nowMs = tonumber(redisTime[1]) * 1000 + math.floor(tonumber(redisTime[2]) / 1000)
`;
