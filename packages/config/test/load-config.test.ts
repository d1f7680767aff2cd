import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  hashApiKey,
  loadConfig,
  normalizePrefix,
  parseDurationMs,
} from '../src';

describe('loadConfig', () => {
  it('fills every default', () => {
    const config = loadConfig({});
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(8080);
    expect(config.metricsPort).toBe(9464);
    expect(config.prefix).toBe('{signalpost}');
    expect(config.workerConcurrency).toBe(50);
    expect(config.maxBodyBytes).toBe(5 * 1024 * 1024);
    expect(config.dedupTtlMs).toBe(24 * 3_600_000);
    expect(config.retentionMs).toBe(7 * 86_400_000);
    expect(config.shutdownGraceMs).toBe(25_000);
    expect(config.ingestRateLimit).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '  ' }).port).toBe(8080);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['WORKER_CONCURRENCY', '0'],
    ['SIGNALPOST_DEDUP_TTL', 'soon'],
    ['SIGNALPOST_MAX_REDIS_MEMORY_RATIO', '1.5'],
    ['SIGNALPOST_DASHBOARD_WRITE', 'yes'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_CLUSTER_NODES', 'host-without-port'],
    ['SIGNALPOST_API_KEYS', 'short=admin'],
    ['SIGNALPOST_API_KEYS', 'long-enough-key=root'],
    ['SIGNALPOST_INGEST_RATE_LIMIT', '10 per second'],
  ])('names %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}`));
  });

  it('keeps only hashes of API keys', () => {
    const config = loadConfig({
      SIGNALPOST_API_KEYS:
        'k1-secret-key=admin,k2-secret-key=signals:publish+signals:read',
    });
    expect(config.apiKeys).toEqual([
      { sha256: hashApiKey('k1-secret-key'), scopes: ['admin'] },
      {
        sha256: hashApiKey('k2-secret-key'),
        scopes: ['signals:publish', 'signals:read'],
      },
    ]);
    expect(JSON.stringify(config)).not.toContain('k1-secret-key');
  });

  it('reads a YAML config file and names its bad keys', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-config-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      'apiKeys:\n  - sha256: ' +
        'a'.repeat(64) +
        '\n    scopes: [admin]\nallowTargets: [10.0.0.0/8]\n',
    );
    const config = loadConfig({ SIGNALPOST_CONFIG: good });
    expect(config.apiKeys).toEqual([
      { sha256: 'a'.repeat(64), scopes: ['admin'] },
    ]);
    expect(config.allowTargets).toEqual(['10.0.0.0/8']);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ monitor: { intervalMs: -1 } }));
    expect(() => loadConfig({ SIGNALPOST_CONFIG: bad })).toThrow(
      /^monitor\.intervalMs/,
    );
    const unknown = path.join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ subscription: [] }));
    expect(() => loadConfig({ SIGNALPOST_CONFIG: unknown })).toThrow(
      /^subscription: unknown config file key/,
    );
  });

  it('parses the ingest rate limit', () => {
    expect(
      loadConfig({ SIGNALPOST_INGEST_RATE_LIMIT: '100/2' }).ingestRateLimit,
    ).toEqual({
      requests: 100,
      windowMs: 2000,
    });
  });
});

describe('normalizePrefix', () => {
  it.each([
    ['{signalpost}', '{signalpost}', false],
    ['signalpost', '{signalpost}', true],
    ['app:{tenant}', 'app:{tenant}', false],
  ])('turns %s into %s', (input, prefix, wrapped) => {
    expect(normalizePrefix(input)).toEqual({ prefix, wrapped });
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['3600', 3_600_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['soon', undefined],
    ['-1s', undefined],
  ])('reads %s', (text, expected) => {
    expect(parseDurationMs(text)).toBe(expected);
  });
});
