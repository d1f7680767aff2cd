import {
  cumulativeDistribution,
  median,
  quantile,
  ratePerSec,
  summarizeLatencies,
} from '../../bench/stats';

describe('quantile', () => {
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it.each([
    [0, 1],
    [0.1, 1],
    [0.11, 2],
    [0.5, 5],
    [0.9, 9],
    [0.99, 10],
    [1, 10],
  ])('returns rank value at %d', (fraction, expected) => {
    expect(quantile(values, fraction)).toBe(expected);
  });

  it('rejects an empty list', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });

  it.each([-0.1, 1.5, Number.NaN])('rejects fraction %d', (fraction) => {
    expect(() => quantile(values, fraction)).toThrow('fraction must be');
  });
});

describe('summarizeLatencies', () => {
  it('summarizes values in any order', () => {
    const summary = summarizeLatencies([30, 10, 20, 40]);
    expect(summary).toEqual({
      count: 4,
      minMs: 10,
      p50Ms: 20,
      p90Ms: 40,
      p99Ms: 40,
      maxMs: 40,
      meanMs: 25,
    });
  });

  it('returns undefined for no values', () => {
    expect(summarizeLatencies([])).toBeUndefined();
  });

  it('leaves its input unsorted', () => {
    const input = [3, 1, 2];
    summarizeLatencies(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('ratePerSec', () => {
  it('divides by seconds', () => {
    expect(ratePerSec(500, 250)).toBe(2000);
  });

  it('returns 0 when no time passed', () => {
    expect(ratePerSec(10, 0)).toBe(0);
  });
});

describe('median', () => {
  it('takes the lower middle of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2);
  });

  it('returns NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('cumulativeDistribution', () => {
  it('ends at fraction 1 on the largest value', () => {
    const points = cumulativeDistribution([5, 1, 3, 2, 4]);
    expect(points[points.length - 1]).toEqual({ valueMs: 5, fraction: 1 });
    expect(points[0]).toEqual({ valueMs: 1, fraction: 0.2 });
  });

  it('keeps at most maxPoints points', () => {
    const values = Array.from({ length: 1000 }, (_, index) => index);
    const points = cumulativeDistribution(values, 100);
    expect(points.length).toBeLessThanOrEqual(100);
    expect(points[points.length - 1]?.fraction).toBe(1);
  });

  it('rises monotonically', () => {
    const values = Array.from({ length: 333 }, (_, index) => (index * 7) % 50);
    const points = cumulativeDistribution(values, 40);
    for (let index = 1; index < points.length; index += 1) {
      const previous = points[index - 1];
      const point = points[index];
      expect(point?.fraction).toBeGreaterThan(previous?.fraction ?? 0);
      expect(point?.valueMs).toBeGreaterThanOrEqual(previous?.valueMs ?? 0);
    }
  });
});
