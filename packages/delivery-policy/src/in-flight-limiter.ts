import { assertNonEmptyString, assertPositiveInteger } from './assert-argument';
import { IN_FLIGHT_ACQUIRE_LUA, IN_FLIGHT_RENEW_LUA } from './lua/in-flight';
import { LuaScript, type RedisClient } from './lua-script';

/** The result of one {@link InFlightLimiter.acquire}. */
export interface LeaseAcquisition {
  /** Whether the lease is held now. */
  readonly acquired: boolean;
  /** Leases held at `key` after this call, this one included if acquired. */
  readonly inFlight: number;
  /**
   * Time until the earliest lease expires when rejected, 0 when acquired, in
   * milliseconds. A release can free a slot sooner.
   */
  readonly retryAfterMs: number;
}

const ACQUIRE_SCRIPT = new LuaScript(
  'in-flight acquire',
  IN_FLIGHT_ACQUIRE_LUA,
);
const RENEW_SCRIPT = new LuaScript('in-flight renew', IN_FLIGHT_RENEW_LUA);

/**
 * Caps the requests in flight to one target across all workers with leases
 * in a Redis sorted set at `key`: members are lease ids, scores their expiry
 * on Redis server time. A worker that dies without releasing loses its lease
 * when it expires, so the slot comes back. Each operation touches only
 * `key`, so on Redis Cluster each lease set lives in one hash slot.
 */
export class InFlightLimiter {
  constructor(private readonly redis: RedisClient) {}

  /**
   * Acquires a lease for `leaseMs` if fewer than `limit` unexpired leases
   * are held at `key`. Acquiring a lease id that is already held succeeds,
   * extends it to `leaseMs` from now and takes no second slot.
   *
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
   *   an empty key or lease id, or a limit or lease time that is not a
   *   positive integer
   */
  async acquire(
    key: string,
    leaseId: string,
    limit: number,
    leaseMs: number,
  ): Promise<LeaseAcquisition> {
    validateLease(key, leaseId, leaseMs);
    assertPositiveInteger('limit', limit);
    const args = [leaseId, limit, leaseMs];
    const [acquired, inFlight, retryAfterMs] =
      await ACQUIRE_SCRIPT.runForIntegers(this.redis, [key], args, 3);
    return { acquired: acquired === 1, inFlight, retryAfterMs };
  }

  /** Releases a lease. Releasing a lease that is not held does nothing. */
  async release(key: string, leaseId: string): Promise<void> {
    assertNonEmptyString('key', key);
    assertNonEmptyString('leaseId', leaseId);
    await this.redis.zrem(key, leaseId);
  }

  /**
   * Extends a held lease to `leaseMs` from now.
   *
   * @returns false when the lease has expired or was released, because its
   *   slot may belong to another worker by now
   */
  async renew(key: string, leaseId: string, leaseMs: number): Promise<boolean> {
    validateLease(key, leaseId, leaseMs);
    const args = [leaseId, leaseMs];
    const [renewed] = await RENEW_SCRIPT.runForIntegers(
      this.redis,
      [key],
      args,
      1,
    );
    return renewed === 1;
  }
}

function validateLease(key: string, leaseId: string, leaseMs: number): void {
  assertNonEmptyString('key', key);
  assertNonEmptyString('leaseId', leaseId);
  assertPositiveInteger('leaseMs', leaseMs);
}
