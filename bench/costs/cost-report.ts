import type { CommandCounts } from './command-monitor';
import type { ProxyCounters } from './counting-proxy';
import type { ProbeSnapshot } from './probe-protocol';

/** Everything counted for one app; per signal in a {@link CostPhase}. */
export interface ProcessCosts {
  readonly redisRoundTrips: number;
  readonly redisCommands: number;
  readonly redisScriptCommands: number;
  readonly bytesToRedis: number;
  readonly bytesFromRedis: number;
  readonly jsonParseCalls: number;
  readonly jsonParseChars: number;
  readonly jsonStringifyCalls: number;
  readonly jsonStringifyChars: number;
  readonly allocatedBytes: number;
  readonly gcCount: number;
  readonly gcPauseMs: number;
  readonly cpuMs: number;
  readonly commandsByName: Readonly<Record<string, number>>;
  readonly scriptCommandsByName: Readonly<Record<string, number>>;
}

/** Costs per signal of one way of publishing. */
export interface CostPhase {
  readonly name: string;
  readonly signals: number;
  readonly elapsedMs: number;
  /** Per signal, by app name, with the idle rate taken out. */
  readonly perSignal: Readonly<Record<string, ProcessCosts>>;
}

/** Result of the cost measurement. */
export interface CostReport {
  readonly idleMs: number;
  /** Work of each app per second with no load: polls, timers, heartbeats. */
  readonly idlePerSec: Readonly<Record<string, ProcessCosts>>;
  readonly phases: readonly CostPhase[];
}

/** Combines the three sources of counters into one record per app. */
export function combineCounters(
  proxy: ProxyCounters,
  commands: CommandCounts | undefined,
  probe: ProbeSnapshot,
): ProcessCosts {
  const byName = commands?.commands ?? {};
  const scriptByName = commands?.scriptCommands ?? {};
  return {
    redisRoundTrips: proxy.requestFlights,
    redisCommands: sum(byName),
    redisScriptCommands: sum(scriptByName),
    bytesToRedis: proxy.requestBytes,
    bytesFromRedis: proxy.responseBytes,
    ...probe,
    commandsByName: byName,
    scriptCommandsByName: scriptByName,
  };
}

/**
 * Returns the costs of the work between two snapshots per signal:
 * `(after - before - idle rate × elapsed) / signals`, at least 0 each.
 */
export function costsPerSignal(
  before: ProcessCosts,
  after: ProcessCosts,
  idlePerSec: ProcessCosts,
  elapsedMs: number,
  signals: number,
): ProcessCosts {
  const idleShare = elapsedMs / 1000;
  return mapCosts(after, (key, value, record) => {
    const start = record(before, key);
    const idle = record(idlePerSec, key) * idleShare;
    return Math.max(0, (value - start - idle) / signals);
  });
}

/** Returns the rate per second of the costs between two snapshots. */
export function costsPerSecond(
  before: ProcessCosts,
  after: ProcessCosts,
  elapsedMs: number,
): ProcessCosts {
  return mapCosts(after, (key, value, record) =>
    Math.max(0, ((value - record(before, key)) * 1000) / elapsedMs),
  );
}

type Reader = (costs: ProcessCosts, key: string) => number;

// Applies `change` to every number, the command maps' entries included.
function mapCosts(
  costs: ProcessCosts,
  change: (key: string, value: number, record: Reader) => number,
): ProcessCosts {
  const top: Reader = (record, key) =>
    ((record as unknown as Record<string, number>)[key] ?? 0) as number;
  const inMap =
    (map: 'commandsByName' | 'scriptCommandsByName'): Reader =>
    (record, key) =>
      record[map][key] ?? 0;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(costs)) {
    if (typeof value === 'number') result[key] = change(key, value, top);
  }
  for (const map of ['commandsByName', 'scriptCommandsByName'] as const) {
    const entries = Object.entries(costs[map]).map(([name, value]) => [
      name,
      change(name, value, inMap(map)),
    ]);
    result[map] = Object.fromEntries(entries);
  }
  return result as unknown as ProcessCosts;
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}
