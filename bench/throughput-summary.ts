import type { ThroughputResult } from './scenario-result';
import { median } from './stats';

/** One scenario's rounds, summarized. */
export interface ThroughputSummary {
  readonly name: string;
  readonly title: string;
  readonly unit: ThroughputResult['unit'];
  readonly workers: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly completeRounds: number;
  readonly medianRatePerSec: number;
  readonly minRatePerSec: number;
  readonly maxRatePerSec: number;
  /** Median of the rounds' later-half rates, or NaN when no round has one. */
  readonly medianLaterHalfRatePerSec: number;
}

/** Ratios of one scenario's rate to another's, one per round both ran. */
export interface RoundRatios {
  readonly numerator: string;
  readonly denominator: string;
  readonly perRound: readonly number[];
  /** Median of {@link RoundRatios.perRound}; NaN when no round had both. */
  readonly median: number;
  /** Ratios of the later-half rates, per round where both have one. */
  readonly laterHalfPerRound: readonly number[];
  /** Median of {@link RoundRatios.laterHalfPerRound}, or NaN. */
  readonly laterHalfMedian: number;
}

/** Groups results by scenario name, in the order the names first appear. */
export function summarizeThroughput(
  results: readonly ThroughputResult[],
): ThroughputSummary[] {
  const groups = new Map<string, ThroughputResult[]>();
  for (const result of results) {
    const group = groups.get(result.name) ?? [];
    group.push(result);
    groups.set(result.name, group);
  }
  return [...groups.values()].map((group) => summarizeGroup(group));
}

/**
 * Divides `numerator`'s rate by `denominator`'s within each round, so both
 * sides of a ratio ran under the same load from other programs.
 */
export function roundRatios(
  results: readonly ThroughputResult[],
  numerator: string,
  denominator: string,
): RoundRatios {
  const perRound: number[] = [];
  const laterHalfPerRound: number[] = [];
  for (const top of results.filter((result) => result.name === numerator)) {
    const bottom = results.find(
      (result) => result.name === denominator && result.round === top.round,
    );
    if (bottom && bottom.ratePerSec > 0) {
      perRound.push(top.ratePerSec / bottom.ratePerSec);
    }
    if (top.laterHalfRatePerSec && bottom?.laterHalfRatePerSec) {
      laterHalfPerRound.push(
        top.laterHalfRatePerSec / bottom.laterHalfRatePerSec,
      );
    }
  }
  return {
    numerator,
    denominator,
    perRound,
    median: median(perRound),
    laterHalfPerRound,
    laterHalfMedian: median(laterHalfPerRound),
  };
}

function summarizeGroup(group: readonly ThroughputResult[]): ThroughputSummary {
  const first = group[0] as ThroughputResult;
  const rates = group.map((result) => result.ratePerSec);
  return {
    name: first.name,
    title: first.title,
    unit: first.unit,
    workers: first.workers,
    concurrency: first.concurrency,
    rounds: group.length,
    completeRounds: group.filter((result) => result.complete).length,
    medianRatePerSec: median(rates),
    minRatePerSec: Math.min(...rates),
    maxRatePerSec: Math.max(...rates),
    medianLaterHalfRatePerSec: median(
      group.flatMap((result) => result.laterHalfRatePerSec ?? []),
    ),
  };
}
