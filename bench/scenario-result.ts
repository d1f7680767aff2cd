import type { ProcessMemory } from './proc-status';
import type { LatencySummary } from './stats';

/** Memory of one process during a scenario step, in KiB. */
export interface StepMemory extends ProcessMemory {
  /** Resident set size once the warm-up was delivered, before the load. */
  readonly rssAfterWarmUpKiB?: number;
}

/** Memory of each process at the end of a scenario, by process name. */
export type MemoryByProcess = Readonly<Record<string, StepMemory>>;

/** A rate measured over a fixed amount of work. */
export interface ThroughputResult {
  readonly kind: 'throughput';
  readonly name: string;
  readonly title: string;
  readonly unit: 'signals/s' | 'deliveries/s';
  /** Work the scenario set out to do. */
  readonly expected: number;
  /** Work done before the end or the deadline. */
  readonly completed: number;
  readonly elapsedMs: number;
  readonly ratePerSec: number;
  /**
   * Rate over the later half of the arrivals, when all arrived. Delivery
   * scenarios enqueue or publish mostly in the first half, so this is
   * closer to the rate of a stack that only delivers.
   */
  readonly laterHalfRatePerSec?: number;
  /** False when the deadline passed or a process failed first. */
  readonly complete: boolean;
  readonly workers: number;
  readonly concurrency: number;
  /** Round of the interleaved throughput scenarios, from 1. */
  readonly round: number;
  readonly notes: readonly string[];
  readonly memory: MemoryByProcess;
}

/** Delivery latency at a steady publish rate. */
export interface LatencyResult {
  readonly kind: 'latency';
  readonly name: string;
  readonly title: string;
  readonly ratePerSec: number;
  readonly expected: number;
  /** Signals whose delivery arrived before the deadline. */
  readonly completed: number;
  readonly complete: boolean;
  /** Publish sent (or job added) to arrival at the receiver. */
  readonly latency?: LatencySummary;
  /** Publish sent to the API's 202, or job added to Redis's reply. */
  readonly acceptLatency?: LatencySummary;
  /** How late the load generator sent against its schedule. */
  readonly scheduleLag?: LatencySummary;
  /** Every latency in milliseconds, in publish order, for the chart. */
  readonly latenciesMs: readonly number[];
  readonly notes: readonly string[];
  readonly memory: MemoryByProcess;
}

/** Time of one pattern match at one subscription count. */
export interface MatchTimeResult {
  readonly subscriptions: number;
  /** Median over the runs. */
  readonly nsPerMatch: number;
  readonly runsNsPerMatch: readonly number[];
  /**
   * Median time per match when the lookups cycle over a few types only: a
   * control that keeps the walked nodes in CPU caches at any trie size.
   */
  readonly hotNsPerMatch: number;
  /** Mean number of subscriptions each looked-up type matched. */
  readonly matchesPerType: number;
  /** Mean trie nodes one match visits: the work that must not grow. */
  readonly visitedNodesPerType: number;
  readonly buildMs: number;
}

/** Delivery rates of Signalpost and the baseline at one worker count. */
export interface ScalingStep {
  readonly workers: number;
  readonly signalpost: ThroughputResult;
  readonly baseline: ThroughputResult;
}

/** A scenario that failed outright, with why. */
export interface FailedScenario {
  readonly kind: 'failed';
  readonly name: string;
  readonly title: string;
  readonly error: string;
}
