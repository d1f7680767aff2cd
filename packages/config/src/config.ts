import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  parseApiKeysFile,
  parseApiKeysVariable,
  type ApiKeyEntry,
} from './api-keys';
import { ConfigError } from './config-error';
import { parseDurationMs } from './parse-duration';

/** A `host:port` seed of a Redis Cluster. */
export interface ClusterNode {
  readonly host: string;
  readonly port: number;
}

/** A service the monitor checks. */
export interface MonitoredService {
  readonly name: string;
  readonly url: string;
}

/** The configuration every app reads at start, validated and frozen. */
export interface SignalpostConfig {
  /** `REDIS_URL`; default `redis://127.0.0.1:6379`. */
  readonly redisUrl: string;
  /** `REDIS_CLUSTER_NODES`; wins over `redisUrl` when set. */
  readonly redisClusterNodes: readonly ClusterNode[];
  /** `PORT` of the API. @defaultValue 8080 */
  readonly port: number;
  /** `HOST` the API binds to. @defaultValue `0.0.0.0` */
  readonly host: string;
  /** `METRICS_PORT` of every app. @defaultValue 9464 */
  readonly metricsPort: number;
  /** Hash-tagged key and queue prefix. @defaultValue `{signalpost}` */
  readonly prefix: string;
  /** True when the configured prefix had no braces and was wrapped. */
  readonly prefixWrapped: boolean;
  readonly apiKeys: readonly ApiKeyEntry[];
  /** CIDRs (optionally `:port`) targets may resolve to; empty by default. */
  readonly allowTargets: readonly string[];
  /** `WORKER_CONCURRENCY`. @defaultValue 50 */
  readonly workerConcurrency: number;
  /** `SIGNALPOST_PLUGINS`: a module path, or undefined. */
  readonly plugins: string | undefined;
  /** `SIGNALPOST_SECRETS_DIR`: where API-given file secrets may live. */
  readonly secretsDir: string | undefined;
  /** `SIGNALPOST_MAX_BODY_BYTES`. @defaultValue 5 MiB */
  readonly maxBodyBytes: number;
  /** `SIGNALPOST_DEDUP_TTL`. @defaultValue 24 h */
  readonly dedupTtlMs: number;
  /** `SIGNALPOST_RETENTION` of signal and delivery records. @defaultValue 7 d */
  readonly retentionMs: number;
  /** `SIGNALPOST_MAX_QUEUE_DEPTH` of waiting deliveries. @defaultValue 1 000 000 */
  readonly maxQueueDepth: number;
  /** `SIGNALPOST_MAX_REDIS_MEMORY_RATIO` of maxmemory. @defaultValue 0.9 */
  readonly maxRedisMemoryRatio: number;
  /** `SIGNALPOST_METRICS_TARGET_LABELS`. @defaultValue false */
  readonly metricsTargetLabels: boolean;
  /** `SIGNALPOST_DASHBOARD_WRITE`. @defaultValue false */
  readonly dashboardWrite: boolean;
  /** `SIGNALPOST_INGEST_RATE_LIMIT` (`<requests>/<seconds>`) per API key; none by default. */
  readonly ingestRateLimit:
    { readonly requests: number; readonly windowMs: number } | undefined;
  /** `SHUTDOWN_GRACE_MS`. @defaultValue 25000 */
  readonly shutdownGraceMs: number;
  /** `LOG_LEVEL`. @defaultValue `info` */
  readonly logLevel: string;
  /** The parsed config file, or an empty object. */
  readonly file: ConfigFile;
}

/** Keys of the optional config file (`SIGNALPOST_CONFIG`, JSON or YAML). */
export interface ConfigFile {
  readonly subscriptions?: readonly unknown[];
  readonly inbound?: Readonly<Record<string, unknown>>;
  readonly pagerduty?: {
    readonly routingKeys?: Readonly<Record<string, string>>;
    readonly defaultRoutingKey?: string;
    readonly clientUrl?: string;
  };
  readonly monitor?: {
    readonly intervalMs?: number;
    readonly timeoutMs?: number;
    readonly services?: readonly MonitoredService[];
  };
}

export type Environment = Readonly<Record<string, string | undefined>>;

const DEFAULT_PREFIX = '{signalpost}';
const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const FILE_KEYS = [
  'apiKeys',
  'allowTargets',
  'subscriptions',
  'inbound',
  'pagerduty',
  'monitor',
];

/**
 * Reads and validates the configuration from the environment and the
 * optional config file. Throws {@link ConfigError} naming the bad key.
 */
export function loadConfig(env: Environment = process.env): SignalpostConfig {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === ''
      ? undefined
      : value.trim();
  };
  const fileRaw = readConfigFile(read('SIGNALPOST_CONFIG'));
  const { prefix, wrapped } = normalizePrefix(
    read('SIGNALPOST_PREFIX') ?? DEFAULT_PREFIX,
  );

  const envKeys = read('SIGNALPOST_API_KEYS');
  const apiKeys = [
    ...(envKeys ? parseApiKeysVariable(envKeys) : []),
    ...(fileRaw.apiKeys === undefined ? [] : parseApiKeysFile(fileRaw.apiKeys)),
  ];
  const allowTargets = [
    ...splitList(read('SIGNALPOST_ALLOW_TARGETS')),
    ...readStringList(fileRaw.allowTargets, 'allowTargets'),
  ];

  const config: SignalpostConfig = {
    redisUrl: read('REDIS_URL') ?? 'redis://127.0.0.1:6379',
    redisClusterNodes: parseClusterNodes(read('REDIS_CLUSTER_NODES')),
    port: readInteger(read, 'PORT', 8080, 0, 65535),
    host: read('HOST') ?? '0.0.0.0',
    metricsPort: readInteger(read, 'METRICS_PORT', 9464, 0, 65535),
    prefix,
    prefixWrapped: wrapped,
    apiKeys,
    allowTargets,
    workerConcurrency: readInteger(read, 'WORKER_CONCURRENCY', 50, 1, 10_000),
    plugins: read('SIGNALPOST_PLUGINS'),
    secretsDir: read('SIGNALPOST_SECRETS_DIR'),
    maxBodyBytes: readInteger(
      read,
      'SIGNALPOST_MAX_BODY_BYTES',
      5 * 1024 * 1024,
      1024,
      1024 ** 3,
    ),
    dedupTtlMs: readDuration(read, 'SIGNALPOST_DEDUP_TTL', 24 * 3_600_000),
    retentionMs: readDuration(read, 'SIGNALPOST_RETENTION', 7 * 86_400_000),
    maxQueueDepth: readInteger(
      read,
      'SIGNALPOST_MAX_QUEUE_DEPTH',
      1_000_000,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    maxRedisMemoryRatio: readRatio(
      read,
      'SIGNALPOST_MAX_REDIS_MEMORY_RATIO',
      0.9,
    ),
    metricsTargetLabels: readBoolean(
      read,
      'SIGNALPOST_METRICS_TARGET_LABELS',
      false,
    ),
    dashboardWrite: readBoolean(read, 'SIGNALPOST_DASHBOARD_WRITE', false),
    ingestRateLimit: readRateLimit(read, 'SIGNALPOST_INGEST_RATE_LIMIT'),
    shutdownGraceMs: readInteger(
      read,
      'SHUTDOWN_GRACE_MS',
      25_000,
      0,
      3_600_000,
    ),
    logLevel: readLogLevel(read),
    file: validateFile(fileRaw),
  };
  return deepFreeze(config);
}

/** Wraps a prefix without a hash tag in braces so all its keys share a slot. */
export function normalizePrefix(prefix: string): {
  prefix: string;
  wrapped: boolean;
} {
  if (/\{[^{}]+\}/.test(prefix)) return { prefix, wrapped: false };
  return { prefix: `{${prefix}}`, wrapped: true };
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'SIGNALPOST_CONFIG',
      `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      'SIGNALPOST_CONFIG',
      `cannot parse ${path}: ${(error as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      'SIGNALPOST_CONFIG',
      `${path} must hold an object at the top level`,
    );
  }
  for (const key of Object.keys(parsed)) {
    if (!FILE_KEYS.includes(key)) {
      throw new ConfigError(
        key,
        `unknown config file key; expected one of ${FILE_KEYS.join(', ')}`,
      );
    }
  }
  return parsed as Record<string, unknown>;
}

function validateFile(raw: Record<string, unknown>): ConfigFile {
  const file: Record<string, unknown> = {};
  if (raw.subscriptions !== undefined) {
    if (!Array.isArray(raw.subscriptions))
      throw new ConfigError('subscriptions', 'expected a list');
    file.subscriptions = raw.subscriptions;
  }
  if (raw.inbound !== undefined)
    file.inbound = readObject(raw.inbound, 'inbound');
  if (raw.pagerduty !== undefined)
    file.pagerduty = readObject(raw.pagerduty, 'pagerduty');
  if (raw.monitor !== undefined)
    file.monitor = validateMonitor(readObject(raw.monitor, 'monitor'));
  return file as ConfigFile;
}

function validateMonitor(raw: Record<string, unknown>): ConfigFile['monitor'] {
  const positive = (key: string): number | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ConfigError(
        `monitor.${key}`,
        `expected a positive integer of milliseconds, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  const services = raw.services === undefined ? [] : raw.services;
  if (!Array.isArray(services))
    throw new ConfigError('monitor.services', 'expected a list');
  const parsed = services.map((service: unknown, index) => {
    const { name, url } = (service ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
      throw new ConfigError(
        `monitor.services[${index}].name`,
        'expected 1 to 64 characters of [A-Za-z0-9_-]',
      );
    }
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new ConfigError(
        `monitor.services[${index}].url`,
        'expected an http or https URL',
      );
    }
    return { name, url };
  });
  return {
    intervalMs: positive('intervalMs'),
    timeoutMs: positive('timeoutMs'),
    services: parsed,
  };
}

function readObject(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(key, 'expected an object');
  }
  return value as Record<string, unknown>;
}

function readStringList(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ConfigError(key, 'expected a list of strings');
  }
  return value as string[];
}

function splitList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function parseClusterNodes(text: string | undefined): ClusterNode[] {
  return splitList(text).map((entry) => {
    const match = /^(.+):(\d{1,5})$/.exec(entry);
    if (!match)
      throw new ConfigError(
        'REDIS_CLUSTER_NODES',
        `expected host:port, got ${JSON.stringify(entry)}`,
      );
    return { host: match[1] as string, port: Number(match[2]) };
  });
}

type Reader = (name: string) => string | undefined;

function readInteger(
  read: Reader,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = read(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(
      name,
      `expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function readDuration(read: Reader, name: string, fallbackMs: number): number {
  const text = read(name);
  if (text === undefined) return fallbackMs;
  const value = parseDurationMs(text);
  if (value === undefined || value <= 0) {
    throw new ConfigError(
      name,
      `expected a duration such as 3600, 30s, 24h or 7d, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function readRatio(read: Reader, name: string, fallback: number): number {
  const text = read(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new ConfigError(
      name,
      `expected a number above 0 and at most 1, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function readRateLimit(
  read: Reader,
  name: string,
): { requests: number; windowMs: number } | undefined {
  const text = read(name);
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const requests = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (!match || requests < 1 || seconds < 1 || seconds > 86_400) {
    throw new ConfigError(
      name,
      `expected <requests>/<seconds> such as 1000/1, got ${JSON.stringify(text)}`,
    );
  }
  return { requests, windowMs: seconds * 1000 };
}

function readBoolean(read: Reader, name: string, fallback: boolean): boolean {
  const text = read(name);
  if (text === undefined) return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new ConfigError(
    name,
    `expected true or false, got ${JSON.stringify(text)}`,
  );
}

function readLogLevel(read: Reader): string {
  const level = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(
      'LOG_LEVEL',
      `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
    );
  }
  return level;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
