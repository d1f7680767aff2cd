import { BENCH_DEFAULTS, QUICK_OVERRIDES } from '../../bench/bench-options';
import { smallRunNote } from '../../bench/report-tables';
import {
  evaluateTargets,
  peakRssMiB,
  type BenchReport,
} from '../../bench/bench-report';
import type {
  LatencyResult,
  MatchTimeResult,
  ThroughputResult,
} from '../../bench/scenario-result';

function throughput(
  name: string,
  ratePerSec: number,
  workerPeakKiB = 100 * 1024,
): ThroughputResult {
  return {
    kind: 'throughput',
    name,
    title: name,
    unit: 'deliveries/s',
    expected: 1,
    completed: 1,
    elapsedMs: 1,
    ratePerSec,
    complete: true,
    workers: 1,
    concurrency: BENCH_DEFAULTS.concurrency,
    round: 1,
    notes: [],
    memory: { 'worker-1': { rssKiB: 1, peakRssKiB: workerPeakKiB } },
  };
}

function matchTime(subscriptions: number, nsPerMatch: number): MatchTimeResult {
  return {
    subscriptions,
    nsPerMatch,
    runsNsPerMatch: [nsPerMatch],
    hotNsPerMatch: nsPerMatch,
    matchesPerType: 4,
    visitedNodesPerType: 8,
    buildMs: 1,
  };
}

const latency: LatencyResult = {
  kind: 'latency',
  name: 'latency',
  title: 'latency at 200/s',
  ratePerSec: 200,
  expected: 10,
  completed: 10,
  complete: true,
  latency: {
    count: 10,
    minMs: 1,
    p50Ms: 5,
    p90Ms: 9,
    p99Ms: 12,
    maxMs: 20,
    meanMs: 6,
  },
  latenciesMs: [],
  notes: [],
  memory: {},
};

function report(overrides: Partial<BenchReport>): BenchReport {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    durationSec: 1,
    machine: {
      cpus: 2,
      cpuModel: 'test',
      node: 'v20',
      platform: 'linux',
      totalMemoryMiB: 1,
      loadAverageAtStart: [0, 0, 0],
      redisVersion: '7',
    },
    options: BENCH_DEFAULTS,
    throughput: [],
    latency: [],
    matchTimes: [],
    scaling: [],
    failures: [],
    ...overrides,
  };
}

/** Evaluates the targets of a run with `results` and returns worker-only's. */
function workerOnlyCheck(results: ThroughputResult[]) {
  return evaluateTargets(report({ throughput: results }))[1];
}

describe('evaluateTargets', () => {
  it('passes a run that meets every target', () => {
    const checks = evaluateTargets(
      report({
        throughput: [
          throughput('end-to-end', 600),
          throughput('worker-only', 900),
          throughput('baseline', 1000),
        ],
        latency: [latency],
        matchTimes: [matchTime(10, 500), matchTime(100_000, 900)],
      }),
    );
    expect(checks.map((check) => check.pass)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('fails ratios below their targets', () => {
    const [endToEnd, workerOnly] = evaluateTargets(
      report({
        throughput: [
          throughput('end-to-end', 400),
          throughput('worker-only', 700),
          throughput('baseline', 1000),
        ],
      }),
    );
    expect(endToEnd?.pass).toBe(false);
    expect(endToEnd?.measured).toBe('0.40× (rounds: 0.40)');
    expect(workerOnly?.pass).toBe(false);
  });

  it('shows the later-half ratio without judging it', () => {
    const workerOnly = workerOnlyCheck([
      { ...throughput('worker-only', 900), laterHalfRatePerSec: 600 },
      { ...throughput('baseline', 1000), laterHalfRatePerSec: 1000 },
    ]);
    expect(workerOnly?.measured).toBe('0.90× (rounds: 0.90); later half 0.60×');
    expect(workerOnly?.pass).toBe(true);
  });

  it('shows more digits next to the limit', () => {
    const workerOnly = workerOnlyCheck([
      throughput('worker-only', 799.6),
      throughput('baseline', 1000),
    ]);
    expect(workerOnly?.pass).toBe(false);
    expect(workerOnly?.measured).toBe('0.7996× (rounds: 0.7996)');
  });

  it('fails a worker above 150 MiB', () => {
    const checks = evaluateTargets(
      report({ throughput: [throughput('end-to-end', 1, 151 * 1024)] }),
    );
    const rss = checks.find((check) => check.name.startsWith('worker peak'));
    expect(rss?.pass).toBe(false);
    expect(rss?.measured).toBe('151 MiB');
  });

  it('fails match time above twice the small count', () => {
    const checks = evaluateTargets(
      report({ matchTimes: [matchTime(10, 500), matchTime(100_000, 1001)] }),
    );
    expect(checks[3]?.pass).toBe(false);
  });

  it('judges latency only at 200/s', () => {
    const checks = evaluateTargets(
      report({ latency: [{ ...latency, ratePerSec: 50 }] }),
    );
    expect(checks[2]?.pass).toBeUndefined();
    expect(checks[2]?.measured).toBe('not measured (12.0 ms at 50/s)');
  });

  it('reports what was not measured', () => {
    const checks = evaluateTargets(report({}));
    expect(checks.every((check) => check.pass === undefined)).toBe(true);
    expect(checks.every((check) => check.measured === 'not measured')).toBe(
      true,
    );
  });
});

describe('smallRunNote', () => {
  it('warns about a quick run', () => {
    const note = smallRunNote({ ...BENCH_DEFAULTS, ...QUICK_OVERRIDES });

    expect(note).toContain(
      '1000 signals, 1 round(s), latency over 1 + 3 s, 20000 match lookups',
    );
    expect(note).toContain('npm run bench');
  });

  it('stays silent for a default run', () => {
    expect(smallRunNote(BENCH_DEFAULTS)).toBeUndefined();
  });

  it('stays silent for a larger run', () => {
    expect(
      smallRunNote({ ...BENCH_DEFAULTS, signals: 40_000, rounds: 5 }),
    ).toBeUndefined();
  });
});

describe('peakRssMiB', () => {
  it('takes the largest of the matching processes', () => {
    const memory = {
      'worker-1': { rssKiB: 1, peakRssKiB: 2048 },
      'worker-2': { rssKiB: 1, peakRssKiB: 4096 },
      api: { rssKiB: 1, peakRssKiB: 8192 },
    };
    expect(peakRssMiB(memory, 'worker-')).toBe(4);
  });

  it('returns undefined when none matches', () => {
    expect(peakRssMiB({}, 'worker-')).toBeUndefined();
  });
});
