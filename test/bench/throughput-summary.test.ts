import type { ThroughputResult } from '../../bench/scenario-result';
import {
  roundRatios,
  summarizeThroughput,
} from '../../bench/throughput-summary';

function result(
  name: string,
  round: number,
  ratePerSec: number,
  complete = true,
): ThroughputResult {
  return {
    kind: 'throughput',
    name,
    title: name,
    unit: 'deliveries/s',
    expected: 10,
    completed: 10,
    elapsedMs: 1000,
    ratePerSec,
    complete,
    workers: 1,
    concurrency: 50,
    round,
    notes: [],
    memory: {},
  };
}

describe('summarizeThroughput', () => {
  it('summarizes each scenario over its rounds', () => {
    const [summary] = summarizeThroughput([
      result('e2e', 1, 300),
      result('e2e', 2, 100, false),
      result('e2e', 3, 200),
    ]);
    expect(summary?.rounds).toBe(3);
    expect(summary?.completeRounds).toBe(2);
    expect(summary?.medianRatePerSec).toBe(200);
    expect(summary?.minRatePerSec).toBe(100);
    expect(summary?.maxRatePerSec).toBe(300);
  });

  it('takes the median later-half rate', () => {
    const [summary] = summarizeThroughput([
      { ...result('e2e', 1, 300), laterHalfRatePerSec: 500 },
      result('e2e', 2, 100, false),
      { ...result('e2e', 3, 200), laterHalfRatePerSec: 400 },
      { ...result('e2e', 4, 200), laterHalfRatePerSec: 450 },
    ]);
    expect(summary?.medianLaterHalfRatePerSec).toBe(450);
  });

  it('has no later-half rate without one', () => {
    const [summary] = summarizeThroughput([result('e2e', 1, 300)]);
    expect(summary?.medianLaterHalfRatePerSec).toBeNaN();
  });

  it('keeps the order scenarios first ran in', () => {
    const names = summarizeThroughput([
      result('b', 1, 1),
      result('a', 1, 1),
      result('b', 2, 1),
    ]).map((summary) => summary.name);
    expect(names).toEqual(['b', 'a']);
  });
});

describe('roundRatios', () => {
  it('pairs rates within each round', () => {
    const ratios = roundRatios(
      [
        result('e2e', 1, 100),
        result('baseline', 1, 400),
        result('e2e', 2, 300),
        result('baseline', 2, 600),
      ],
      'e2e',
      'baseline',
    );
    expect(ratios.perRound).toEqual([0.25, 0.5]);
    expect(ratios.median).toBe(0.25);
  });

  it('pairs later-half rates where both have one', () => {
    const ratios = roundRatios(
      [
        { ...result('e2e', 1, 100), laterHalfRatePerSec: 150 },
        { ...result('baseline', 1, 400), laterHalfRatePerSec: 600 },
        { ...result('e2e', 2, 300), laterHalfRatePerSec: 300 },
        result('baseline', 2, 600),
      ],
      'e2e',
      'baseline',
    );
    expect(ratios.laterHalfPerRound).toEqual([0.25]);
    expect(ratios.laterHalfMedian).toBe(0.25);
  });

  it('skips a round without the denominator', () => {
    const ratios = roundRatios(
      [result('e2e', 1, 100), result('baseline', 2, 400)],
      'e2e',
      'baseline',
    );
    expect(ratios.perRound).toEqual([]);
    expect(ratios.median).toBeNaN();
  });
});
