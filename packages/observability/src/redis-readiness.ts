import type { Readiness } from './health-server';

/** The subset of a Redis client that the readiness check needs. */
interface ConfigReader {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  /** Present on an ioredis Cluster: every master is checked, not a random node. */
  nodes?: (role: 'master') => ConfigReader[];
}

/**
 * Checks that Redis replies and runs with `maxmemory-policy noeviction`,
 * which BullMQ needs so that no job key is ever evicted.
 */
export async function checkRedisReadiness(
  redis: ConfigReader,
  deadlineMs = 2000,
): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ready: false,
          reason: `Redis did not reply within ${deadlineMs} ms`,
        }),
      deadlineMs,
    );
  });
  const check = (async (): Promise<Readiness> => {
    const servers =
      typeof redis.nodes === 'function' ? redis.nodes('master') : [redis];
    if (servers.length === 0)
      return { ready: false, reason: 'no Redis Cluster master is known yet' };
    for (const server of servers) {
      const reply = (await server.config(
        'GET',
        'maxmemory-policy',
      )) as string[];
      const policy = reply[1];
      if (policy !== 'noeviction') {
        return {
          ready: false,
          reason: `Redis maxmemory-policy is ${policy ?? 'unknown'}; set it to noeviction`,
        };
      }
    }
    return { ready: true };
  })().catch((error: Error) => ({
    ready: false,
    reason: `Redis is unreachable: ${error.message}`,
  }));
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
