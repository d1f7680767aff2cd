import { tmpdir } from 'node:os';
import path from 'node:path';

/** Sizes and bounds of the fault suite, read from `FAULTS_*` variables. */
export interface FaultSettings {
  /** Signals each delivery scenario publishes. @defaultValue 10000 */
  readonly signals: number;
  /** Publish requests in flight at once. @defaultValue 16 */
  readonly publishConcurrency: number;
  /** Share of webhook requests the receiver fails with 500. @defaultValue 0.1 */
  readonly failureRatio: number;
  /** Requests of the API flood. @defaultValue 20000 */
  readonly floodRequests: number;
  /** Flood requests in flight at once. @defaultValue 64 */
  readonly floodConcurrency: number;
  /** Time cap of the API flood. @defaultValue 60000 */
  readonly floodTimeoutMs: number;
  /** `SIGNALPOST_MAX_QUEUE_DEPTH` of the overload scenario. @defaultValue 200 */
  readonly maxQueueDepth: number;
  /** How long Redis stays down in the Redis restart scenario. @defaultValue 10000 */
  readonly redisOutageMs: number;
  /** Rolling updates of every worker in the rolling restart scenario. @defaultValue 2 */
  readonly rollingUpdates: number;
  /** Signals of the retry soak. @defaultValue 1000 */
  readonly soakSignals: number;
  /**
   * Upper bound on the wait for the queues to drain after publishing.
   * @defaultValue 120 s plus 40 ms per signal
   */
  readonly drainTimeoutMs: number;
  /** `LOG_LEVEL` of the stack's apps. @defaultValue warn */
  readonly logLevel: string;
  /** Folder of the JSON figures and the stack's logs. @defaultValue `<tmpdir>/signalpost-faults` */
  readonly reportDir: string;
}

const DEFAULTS = Object.freeze({
  signals: 10_000,
  publishConcurrency: 16,
  failureRatio: 0.1,
  floodRequests: 20_000,
  floodConcurrency: 64,
  floodTimeoutMs: 60_000,
  maxQueueDepth: 200,
  redisOutageMs: 10_000,
  rollingUpdates: 2,
  soakSignals: 1_000,
  logLevel: 'warn',
});

/** Base of the drain bound, to which each signal adds its share. */
const DRAIN_BASE_MS = 120_000;
const DRAIN_PER_SIGNAL_MS = 40;

/**
 * Reads the suite's settings from the environment.
 * @throws Error naming the variable when a value is not a positive number
 */
export function readFaultSettings(
  env: NodeJS.ProcessEnv = process.env,
): FaultSettings {
  const signals = readNumber(env, 'FAULTS_SIGNALS', DEFAULTS.signals);
  return Object.freeze({
    signals,
    publishConcurrency: readNumber(
      env,
      'FAULTS_PUBLISH_CONCURRENCY',
      DEFAULTS.publishConcurrency,
    ),
    failureRatio: readRatio(env, 'FAULTS_FAILURE_RATIO', DEFAULTS.failureRatio),
    floodRequests: readNumber(
      env,
      'FAULTS_FLOOD_REQUESTS',
      DEFAULTS.floodRequests,
    ),
    floodConcurrency: readNumber(
      env,
      'FAULTS_FLOOD_CONCURRENCY',
      DEFAULTS.floodConcurrency,
    ),
    floodTimeoutMs: readNumber(
      env,
      'FAULTS_FLOOD_TIMEOUT_MS',
      DEFAULTS.floodTimeoutMs,
    ),
    maxQueueDepth: readNumber(
      env,
      'FAULTS_MAX_QUEUE_DEPTH',
      DEFAULTS.maxQueueDepth,
    ),
    redisOutageMs: readNumber(
      env,
      'FAULTS_REDIS_OUTAGE_MS',
      DEFAULTS.redisOutageMs,
    ),
    rollingUpdates: readNumber(
      env,
      'FAULTS_ROLLING_UPDATES',
      DEFAULTS.rollingUpdates,
    ),
    soakSignals: readNumber(env, 'FAULTS_SOAK_SIGNALS', DEFAULTS.soakSignals),
    drainTimeoutMs: readNumber(
      env,
      'FAULTS_DRAIN_TIMEOUT_MS',
      DRAIN_BASE_MS + signals * DRAIN_PER_SIGNAL_MS,
    ),
    logLevel: nonEmpty(env.FAULTS_LOG_LEVEL) ?? DEFAULTS.logLevel,
    reportDir:
      nonEmpty(env.FAULTS_REPORT_DIR) ??
      path.join(tmpdir(), 'signalpost-faults'),
  });
}

function readNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${text}"`);
  }
  return value;
}

function readRatio(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new Error(
      `${name} must be a number above 0 and below 1, got "${text}"`,
    );
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
