/**
 * Variables of the benchmark's own environment that would change what the
 * children measure, so children never inherit them: Signalpost and Redis
 * settings, ports, and NODE_OPTIONS.
 */
const DROPPED_VARIABLE =
  /^(SIGNALPOST_|REDIS_|NODE_OPTIONS$|PORT$|METRICS_PORT$|HOST$|WORKER_CONCURRENCY$|LOG_LEVEL$|SHUTDOWN_GRACE_MS$)/;

/**
 * Returns the environment of a child: the benchmark's own without the
 * variables that would change the measurement, plus `overrides`.
 */
export function childEnv(
  base: NodeJS.ProcessEnv,
  overrides: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (!DROPPED_VARIABLE.test(name)) env[name] = value;
  }
  return { ...env, ...overrides };
}
