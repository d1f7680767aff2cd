import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import {
  DELIVERY_POLICY_ERROR_CODES,
  DeliveryPolicyError,
} from './delivery-policy-error';

/** A standalone or cluster ioredis client. */
export type RedisClient = Redis | Cluster;

/** A tuple of `Length` numbers, as {@link LuaScript.runForIntegers} returns. */
export type IntegerTuple<
  Length extends number,
  Items extends number[] = [],
> = Items['length'] extends Length
  ? Items
  : IntegerTuple<Length, [...Items, number]>;

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server does
 * not have it cached yet (after a restart, a SCRIPT FLUSH, or on a cluster
 * node that has not run it). Every key goes through KEYS, so ioredis 5
 * routes the call on a cluster by its keys. test/ops/redis-cluster.test.ts
 * runs every script on a three-node cluster, the fallback after SCRIPT
 * FLUSH included.
 */
export class LuaScript {
  /** SHA-1 of the source, as EVALSHA expects. */
  readonly sha1: string;

  /**
   * @param name - label used in error messages
   * @param source - the Lua source
   */
  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with the given KEYS and ARGV and returns its reply. */
  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Runs the script and checks that it replied with `length` integers.
   *
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_SCRIPT_REPLY` when the
   *   reply has another shape
   */
  async runForIntegers<Length extends number>(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
    length: Length,
  ): Promise<IntegerTuple<Length>> {
    const reply = await this.run(redis, keys, args);
    const valid =
      Array.isArray(reply) &&
      reply.length === length &&
      reply.every((item) => Number.isInteger(item));
    if (valid) return reply as IntegerTuple<Length>;

    throw new DeliveryPolicyError(
      DELIVERY_POLICY_ERROR_CODES.unexpectedScriptReply,
      `${this.name} script replied ${JSON.stringify(reply)}, expected ${length} integers`,
    );
  }
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
