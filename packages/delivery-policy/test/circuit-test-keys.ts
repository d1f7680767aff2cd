import type { Redis } from 'ioredis';
import type { CircuitKeys } from '../src';

/** Returns the keys of the circuit of `https://<name>.example` under `prefix`. */
export function circuitKeysFor(prefix: string, name: string): CircuitKeys {
  const origin = `https://${name}.example`;
  return {
    breaker: `${prefix}:breaker:${origin}`,
    registry: `${prefix}:breakers`,
    origin,
  };
}

/** Returns the requests counted in a circuit's window hash. */
export async function windowRequestCount(
  redis: Redis,
  windowKey: string,
): Promise<number> {
  const fields = await redis.hgetall(windowKey);
  return Object.entries(fields)
    .filter(([field]) => field.startsWith('r:'))
    .reduce((sum, [, count]) => sum + Number(count), 0);
}
