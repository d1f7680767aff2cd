import { assertNonEmptyString, assertPositiveInteger } from './assert-argument';
import { FIXED_WINDOW_HIT_LUA } from './lua/fixed-window';
import { LuaScript, type RedisClient } from './lua-script';

/** The result of one {@link FixedWindowCounter.hit}. */
export interface WindowHit {
  /** Whether this call is within `maxCalls` for the window. */
  readonly allowed: boolean;
  /** Calls counted in the window so far, this one and rejected ones included. */
  readonly count: number;
  /** Time until the window ends and the count starts again, in ms. */
  readonly resetInMs: number;
}

const HIT_SCRIPT = new LuaScript('fixed window hit', FIXED_WINDOW_HIT_LUA);

/**
 * Counts calls per key in fixed windows, for throttling. A window starts at
 * its first call and lasts `windowMs` on the Redis server's clock, and every
 * call in it, allowed or not, adds to the count. The count is one integer key
 * updated by an atomic Lua script, so on Redis Cluster each counter lives in
 * one hash slot.
 */
export class FixedWindowCounter {
  constructor(private readonly redis: RedisClient) {}

  /**
   * Counts one call at `key` and returns whether it is within `maxCalls`.
   * `windowMs` applies when this call starts a new window.
   *
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
   *   an empty key, or a `maxCalls` or `windowMs` that is not a positive
   *   integer
   */
  async hit(
    key: string,
    maxCalls: number,
    windowMs: number,
  ): Promise<WindowHit> {
    assertNonEmptyString('key', key);
    assertPositiveInteger('maxCalls', maxCalls);
    assertPositiveInteger('windowMs', windowMs);
    const [count, resetInMs] = await HIT_SCRIPT.runForIntegers(
      this.redis,
      [key],
      [windowMs],
      2,
    );
    return { allowed: count <= maxCalls, count, resetInMs };
  }
}
