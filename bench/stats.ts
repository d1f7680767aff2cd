/** Percentiles of a set of latencies, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/**
 * Returns the `fraction` quantile (0 to 1) of ascending `sorted` values by
 * the nearest-rank method, so the result is always one of the values.
 * @throws RangeError when `sorted` is empty or `fraction` is outside [0, 1].
 */
export function quantile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) throw new RangeError('no values to rank');
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`fraction must be from 0 to 1, got ${fraction}`);
  }
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * Summarizes latencies given in any order. Returns `undefined` for an empty
 * list, because a percentile of nothing would be a made-up number.
 */
export function summarizeLatencies(
  valuesMs: readonly number[],
): LatencySummary | undefined {
  if (valuesMs.length === 0) return undefined;
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    minMs: sorted[0] as number,
    p50Ms: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] as number,
    meanMs: total / sorted.length,
  };
}

/** Returns `count` per second over `elapsedMs`, or 0 when no time passed. */
export function ratePerSec(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/**
 * Returns the median of the values by nearest rank (the lower middle value
 * of an even count), or NaN for an empty list.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/**
 * Returns the points of the empirical distribution function: for each
 * distinct value, the fraction of values at or below it. At most
 * `maxPoints` points are kept, evenly spread over the ranks.
 */
export function cumulativeDistribution(
  valuesMs: readonly number[],
  maxPoints = 200,
): { valueMs: number; fraction: number }[] {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(sorted.length / maxPoints));
  const points: { valueMs: number; fraction: number }[] = [];
  for (let rank = step; rank < sorted.length + step; rank += step) {
    const index = Math.min(rank, sorted.length) - 1;
    points.push({
      valueMs: sorted[index] as number,
      fraction: (index + 1) / sorted.length,
    });
  }
  return points;
}
