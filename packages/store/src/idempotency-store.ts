import { LuaScript } from '@signalpost/delivery-policy';
import type { RedisClient, RedisKeys } from '@signalpost/queues';

/** The state of an Idempotency-Key when a request arrives with it. */
export type IdempotencyClaim =
  | { readonly state: 'claimed' }
  | { readonly state: 'in_flight'; readonly bodyHash: string }
  | {
      readonly state: 'done';
      readonly bodyHash: string;
      readonly status: number;
      readonly response: unknown;
    };

// Claims a key atomically, so concurrent requests with one key never both
// go ahead. KEYS: the key's hash. ARGV: bodyHash, inFlightTtlMs.
const CLAIM = new LuaScript(
  'claim idempotency key',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'in_flight', 'bodyHash', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return {'claimed', '', '', ''}
end
local fields = redis.call('HMGET', KEYS[1], 'state', 'bodyHash', 'status', 'response')
return {fields[1] or '', fields[2] or '', fields[3] or '', fields[4] or ''}
`,
);

/** Idempotency-Key state, scoped to the API key that sent it. */
export class IdempotencyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: {
      readonly ttlMs: number;
      readonly inFlightTtlMs: number;
    },
  ) {}

  /** Claims a key for a request, or reports who holds it. */
  async claim(
    apiKeyHash: string,
    keyHash: string,
    bodyHash: string,
  ): Promise<IdempotencyClaim> {
    const key = this.keys.idempotency(apiKeyHash, keyHash);
    const [state, storedHash, status, response] = (await CLAIM.run(
      this.redis,
      [key],
      [bodyHash, this.options.inFlightTtlMs],
    )) as [string, string, string, string];
    if (state === 'claimed') return { state: 'claimed' };
    if (state === 'done') {
      return {
        state: 'done',
        bodyHash: storedHash,
        status: Number(status),
        response: JSON.parse(response) as unknown,
      };
    }
    return { state: 'in_flight', bodyHash: storedHash };
  }

  /** Stores the response of the request that claimed the key. */
  async complete(
    apiKeyHash: string,
    keyHash: string,
    status: number,
    response: unknown,
  ): Promise<void> {
    const key = this.keys.idempotency(apiKeyHash, keyHash);
    await this.redis
      .multi()
      .hset(key, {
        state: 'done',
        status: String(status),
        response: JSON.stringify(response),
      })
      .pexpire(key, this.options.ttlMs)
      .exec();
  }

  /** Frees a key whose request failed, so a retry may claim it. */
  async release(apiKeyHash: string, keyHash: string): Promise<void> {
    await this.redis.del(this.keys.idempotency(apiKeyHash, keyHash));
  }
}
