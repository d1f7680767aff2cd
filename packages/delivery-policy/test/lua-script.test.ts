import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  DELIVERY_POLICY_ERROR_CODES,
  FIXED_WINDOW_HIT_LUA,
  IN_FLIGHT_ACQUIRE_LUA,
  IN_FLIGHT_RENEW_LUA,
  LuaScript,
  TOKEN_BUCKET_TAKE_LUA,
} from '../src';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { closeConnections, openConnections } from './redis-connections';

const prefix = testPrefix('lua-script');
let connections: Redis[];
let redis: Redis;

beforeAll(() => {
  connections = openConnections(1);
  redis = connections[0] as Redis;
});

afterAll(async () => {
  await deletePrefix(prefix);
  await closeConnections(connections);
});

describe('LuaScript', () => {
  it('falls back to EVAL for an uncached script', async () => {
    // A unique comment makes a script that this server has never cached.
    const source = `-- ${randomUUID()}\nreturn { tonumber(ARGV[1]) + 1 }`;
    const script = new LuaScript('increment', source);
    const [cachedBefore] = (await redis.script(
      'EXISTS',
      script.sha1,
    )) as number[];

    const reply = await script.runForIntegers(redis, [], [41], 1);
    const [cachedAfter] = (await redis.script(
      'EXISTS',
      script.sha1,
    )) as number[];

    expect(cachedBefore).toBe(0);
    expect(reply).toEqual([42]);
    expect(cachedAfter).toBe(1);
  });

  it('rejects a reply of another shape', async () => {
    const script = new LuaScript('shape', `return { 1, 'two' }`);
    await expect(script.runForIntegers(redis, [], [], 2)).rejects.toMatchObject(
      {
        code: DELIVERY_POLICY_ERROR_CODES.unexpectedScriptReply,
      },
    );
  });

  it('passes other Redis errors through', async () => {
    const key = `${prefix}:string`;
    await redis.set(key, 'text');
    const script = new LuaScript(
      'zcard',
      `return redis.call('ZCARD', KEYS[1])`,
    );

    await expect(script.run(redis, [key], [])).rejects.toThrow(/WRONGTYPE/);
  });
});

describe('Lua sources', () => {
  it.each([
    ['token bucket take', TOKEN_BUCKET_TAKE_LUA],
    ['in-flight acquire', IN_FLIGHT_ACQUIRE_LUA],
    ['in-flight renew', IN_FLIGHT_RENEW_LUA],
    ['fixed window hit', FIXED_WINDOW_HIT_LUA],
  ])('%s uses the single key KEYS[1]', (_name, source) => {
    const keyReferences = source.match(/KEYS\[\d+\]/g) ?? [];
    expect(keyReferences.length).toBeGreaterThan(0);
    expect(new Set(keyReferences)).toEqual(new Set(['KEYS[1]']));
  });
});
