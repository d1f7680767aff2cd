import os from 'node:os';
import type { BenchOptions } from './bench-options';
import type { CostReport } from './costs/cost-report';
import type {
  FailedScenario,
  LatencyResult,
  MatchTimeResult,
  MemoryByProcess,
  ScalingStep,
  ThroughputResult,
} from './scenario-result';
import type { RuntimeMemory } from './scenarios/runtime-memory';
import { roundRatios, type RoundRatios } from './throughput-summary';

/** The machine a run took place on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryMiB: number;
  /**
   * 1, 5 and 15 minute load averages when the run started: other users' load.
   */
  readonly loadAverageAtStart: readonly number[];
  readonly redisVersion: string;
}

/** Everything one run measured; written as JSON by `--json`. */
export interface BenchReport {
  readonly startedAt: string;
  readonly durationSec: number;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly throughput: readonly ThroughputResult[];
  readonly latency: readonly LatencyResult[];
  readonly matchTimes: readonly MatchTimeResult[];
  readonly scaling: readonly ScalingStep[];
  readonly costs?: CostReport;
  readonly failures: readonly FailedScenario[];
  /** Peak RSS of an idle node, with and without tsx. */
  readonly runtimeMemory?: RuntimeMemory;
  /** The signal that cut the run short; later scenarios did not run. */
  readonly interruptedBy?: NodeJS.Signals;
}

/** One target the product is held to, and whether this run met it. */
export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  /** `undefined` when the run did not measure it. */
  readonly pass?: boolean;
}

/** Describes this machine; `redisVersion` comes from the private Redis. */
export function describeMachine(redisVersion: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverageAtStart: os.loadavg().map((load) => round(load, 2)),
    redisVersion,
  };
}

/**
 * Largest peak RSS of the processes whose name starts with `prefix`, in MiB.
 */
export function peakRssMiB(
  memory: MemoryByProcess,
  prefix: string,
): number | undefined {
  const peaks = Object.entries(memory)
    .filter(([name]) => name.startsWith(prefix))
    .map(([, figures]) => figures.peakRssKiB / 1024);
  return peaks.length > 0 ? Math.max(...peaks) : undefined;
}

/** Returns the ratios the targets compare, one per round. */
export function baselineRatios(report: Pick<BenchReport, 'throughput'>) {
  return {
    endToEnd: roundRatios(report.throughput, 'end-to-end', 'baseline'),
    workerOnly: roundRatios(report.throughput, 'worker-only', 'baseline'),
  };
}

/**
 * Checks the run against the product's performance targets. A ratio is
 * the median of the per-round ratios.
 */
export function evaluateTargets(report: BenchReport): TargetCheck[] {
  const ratios = baselineRatios(report);
  return [
    ratioTarget('end-to-end / baseline', ratios.endToEnd, 0.5),
    ratioTarget('worker-only / baseline', ratios.workerOnly, 0.8),
    latencyTarget(report),
    matchTarget(report),
    rssTarget(report),
  ];
}

function ratioTarget(
  name: string,
  ratios: RoundRatios,
  minimum: number,
): TargetCheck {
  const target = `≥ ${minimum}×`;
  if (ratios.perRound.length === 0) {
    return { name, target, measured: 'not measured' };
  }
  const rounds = ratios.perRound
    .map((ratio) => formatRatio(ratio, minimum))
    .join(', ');
  // The later half is shown but not judged, because the target is for the
  // whole run.
  const laterHalf = Number.isNaN(ratios.laterHalfMedian)
    ? ''
    : `; later half ${ratios.laterHalfMedian.toFixed(2)}×`;
  const pass = ratios.median >= minimum;
  return {
    name,
    target,
    measured: `${formatRatio(ratios.median, minimum)}× (rounds: ${rounds})${laterHalf}`,
    pass,
  };
}

/** The publish rate that the latency target is defined at. */
const LATENCY_TARGET_RATE_PER_SEC = 200;

function latencyTarget(report: BenchReport): TargetCheck {
  const name = `p99 latency at ${LATENCY_TARGET_RATE_PER_SEC}/s`;
  const target = '< 50 ms';
  const result = report.latency.find((entry) => entry.name === 'latency');
  const p99 = result?.latency?.p99Ms;
  if (!result || p99 === undefined) {
    return { name, target, measured: 'not measured' };
  }
  const measured = `${p99.toFixed(1)} ms`;
  if (result.ratePerSec !== LATENCY_TARGET_RATE_PER_SEC) {
    return {
      name,
      target,
      measured: `not measured (${measured} at ${result.ratePerSec}/s)`,
    };
  }
  return { name, target, measured, pass: p99 < 50 && result.complete };
}

function matchTarget(report: BenchReport): TargetCheck {
  const at = (count: number) =>
    report.matchTimes.find((entry) => entry.subscriptions === count);
  const small = at(10);
  const large = at(100_000);
  const name = 'match time, 100 000 vs 10 subscriptions';
  if (!small || !large) {
    return { name, target: '≤ 2×', measured: 'not measured' };
  }
  const ratio = large.nsPerMatch / small.nsPerMatch;
  const pass = ratio <= 2;
  return {
    name,
    target: '≤ 2×',
    measured: `${formatRatio(ratio, 2)}× (${Math.round(large.nsPerMatch)} vs ${Math.round(small.nsPerMatch)} ns)`,
    pass,
  };
}

function rssTarget(report: BenchReport): TargetCheck {
  const name = `worker peak RSS at concurrency ${report.options.concurrency}`;
  // Latency runs use the default concurrency too; scaling steps do not.
  const memories = [
    ...report.throughput
      .filter((result) => result.concurrency === report.options.concurrency)
      .map((result) => result.memory),
    ...report.latency.map((result) => result.memory),
  ];
  const peaks = memories
    .map((memory) => peakRssMiB(memory, 'worker-'))
    .filter((peak): peak is number => peak !== undefined);
  if (peaks.length === 0) {
    return { name, target: '< 150 MiB', measured: 'not measured' };
  }
  const peak = Math.max(...peaks);
  return {
    name,
    target: '< 150 MiB',
    measured: `${peak.toFixed(0)} MiB`,
    pass: peak < 150,
  };
}

/**
 * Formats a ratio with 2 decimals, or with 4 when 2 would round it onto
 * `limit`, so that 0.7996 against a minimum of 0.8 does not read 0.80.
 */
export function formatRatio(ratio: number, limit: number): string {
  const short = ratio.toFixed(2);
  return Number(short) === limit && ratio !== limit ? ratio.toFixed(4) : short;
}

/** Rounds to `digits` decimal places. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
