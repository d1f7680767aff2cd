import {
  assertCount,
  assertNonEmptyString,
  assertPositiveInteger,
  assertPositiveNumber,
  invalidArgument,
} from './assert-argument';
import { TOKEN_BUCKET_TAKE_LUA } from './lua/token-bucket';
import { LuaScript, type RedisClient } from './lua-script';

const TAKE_SCRIPT = new LuaScript('token bucket take', TOKEN_BUCKET_TAKE_LUA);

/** Options of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /**
   * Time an idle bucket's key outlives the moment it would be full again, in
   * milliseconds, so that rounding to whole milliseconds never expires the
   * key of a bucket that is not yet full.
   * @defaultValue 1000
   */
  readonly ttlMarginMs?: number;
}

/** Defaults of {@link TokenBucketOptions}. */
export const DEFAULT_TOKEN_BUCKET_OPTIONS = Object.freeze({
  ttlMarginMs: 1000,
});

/**
 * Maximum time a bucket may take to refill from empty: 365 days. A slower
 * bucket is most likely a unit mistake, and the bound keeps every expiry and
 * wait far inside the integers that Lua numbers represent exactly.
 */
export const MAX_TOKEN_BUCKET_REFILL_MS = 31_536_000_000;

/** Size and refill rate of one bucket. */
export interface TokenBucketParams {
  /** Maximum number of tokens, which is also the count a new bucket starts with. */
  readonly capacity: number;
  /** Tokens added per millisecond, continuously. */
  readonly refillPerMs: number;
}

/** A target's `rateLimit` option. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  readonly requests: number;
  /** Window length, in milliseconds. */
  readonly windowMs: number;
  /**
   * Requests that may go out at once after an idle period.
   * @defaultValue `requests`
   */
  readonly burst?: number | undefined;
}

/** The result of one {@link TokenBucket.take}. */
export interface TokenBucketResult {
  /** Whether the tokens were taken. */
  readonly granted: boolean;
  /** Time until enough tokens will have accrued, 0 when granted, in ms. */
  readonly retryAfterMs: number;
  /** Whole tokens left in the bucket after this call. */
  readonly remaining: number;
  /**
   * Time until this call's slot in the schedule that every caller of the
   * key shares, in ms. Set only when the take was denied with a
   * `scheduleHorizonMs` and the slot is within it.
   */
  readonly slotDelayMs?: number;
}

/** Options of one {@link TokenBucket.take}. */
export interface TakeOptions {
  /**
   * When the take is denied, give it a slot: the moment its tokens will
   * have accrued after those of every slot given out before, if that is at
   * most this many ms ahead. Callers that come back at their slots find
   * their tokens there, unless other takes spent them first.
   * NOTE: a take without a slot may so spend a slot's token, and its
   * caller then gets a later slot. A slot whose caller never comes back
   * is not given back, so the slots after it wait one token longer.
   * @defaultValue 0, no slot
   */
  readonly scheduleHorizonMs?: number;
}

/**
 * Converts a `rateLimit` option to bucket parameters: capacity `burst`
 * (default `requests`), refilled at `requests / windowMs` per millisecond.
 */
export function tokenBucketParams(
  rateLimit: RateLimitOptions,
): TokenBucketParams {
  const { requests, windowMs, burst = requests } = rateLimit;
  assertPositiveInteger('rateLimit.requests', requests);
  assertPositiveInteger('rateLimit.windowMs', windowMs);
  assertPositiveInteger('rateLimit.burst', burst);
  return { capacity: burst, refillPerMs: requests / windowMs };
}

/**
 * A token bucket in Redis, shared by every worker that uses the same key.
 * Each take is one atomic Lua script on Redis server time, and the bucket's
 * state is a single hash key, so on Redis Cluster it lives in one hash slot.
 */
export class TokenBucket {
  private readonly ttlMarginMs: number;

  constructor(
    private readonly redis: RedisClient,
    options: TokenBucketOptions = {},
  ) {
    const { ttlMarginMs } = { ...DEFAULT_TOKEN_BUCKET_OPTIONS, ...options };
    assertPositiveInteger('ttlMarginMs', ttlMarginMs);
    this.ttlMarginMs = ttlMarginMs;
  }

  /**
   * Takes `tokens` from the bucket at `key` if it has that many, refilling it
   * first for the time since the last call.
   *
   * @param tokens - tokens to take, at most the capacity. @defaultValue 1
   * @throws DeliveryPolicyError `SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT` for
   *   an empty key, a non-integer or zero capacity or token count, a
   *   refill rate that is not positive, a refill from empty slower than
   *   {@link MAX_TOKEN_BUCKET_REFILL_MS}, or a negative or fractional
   *   `scheduleHorizonMs`
   */
  async take(
    key: string,
    params: TokenBucketParams,
    tokens = 1,
    options: TakeOptions = {},
  ): Promise<TokenBucketResult> {
    const { scheduleHorizonMs = 0 } = options;
    validateTake(key, params, tokens);
    assertCount('scheduleHorizonMs', scheduleHorizonMs);
    const { capacity, refillPerMs } = params;
    const args = [
      capacity,
      refillPerMs,
      tokens,
      this.ttlMarginMs,
      scheduleHorizonMs,
    ];
    const [granted, retryAfterMs, remaining, slotDelayMs] =
      await TAKE_SCRIPT.runForIntegers(this.redis, [key], args, 4);
    const result = { granted: granted === 1, retryAfterMs, remaining };
    return slotDelayMs >= 0 ? { ...result, slotDelayMs } : result;
  }
}

function validateTake(
  key: string,
  params: TokenBucketParams,
  tokens: number,
): void {
  assertNonEmptyString('key', key);
  assertPositiveInteger('capacity', params.capacity);
  assertPositiveNumber('refillPerMs', params.refillPerMs);
  assertPositiveInteger('tokens', tokens);
  if (tokens > params.capacity) {
    throw invalidArgument(
      'tokens',
      `at most the capacity ${params.capacity}`,
      tokens,
    );
  }
  if (params.capacity / params.refillPerMs > MAX_TOKEN_BUCKET_REFILL_MS) {
    const expected = `fast enough to refill in ${MAX_TOKEN_BUCKET_REFILL_MS} ms`;
    throw invalidArgument('refillPerMs', expected, params.refillPerMs);
  }
}
