import { childEnv } from '../../bench/child-env';

describe('childEnv', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/root',
    REDIS_URL: 'redis://elsewhere:6379',
    REDIS_CLUSTER_NODES: 'a:1',
    SIGNALPOST_PREFIX: 'theirs',
    SIGNALPOST_CONFIG: '/etc/signalpost.yaml',
    NODE_OPTIONS: '--max-old-space-size=64',
    PORT: '8080',
    METRICS_PORT: '9464',
    HOST: '0.0.0.0',
    WORKER_CONCURRENCY: '1',
    LOG_LEVEL: 'debug',
    SHUTDOWN_GRACE_MS: '1',
    PORTAL: 'kept',
  };

  it('drops settings that change the measurement', () => {
    expect(childEnv(base, {})).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      PORTAL: 'kept',
    });
  });

  it('adds the overrides', () => {
    const env = childEnv(base, { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:1');
    expect(env.PATH).toBe('/usr/bin');
  });
});
