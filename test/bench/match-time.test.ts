import { PatternMatcher } from '@signalpost/patterns';
import {
  PATTERN_MIX,
  generatePatterns,
  generateTypes,
} from '../../bench/scenarios/match-time';
import { seededRandom } from '../../bench/seeded-random';

describe('generatePatterns', () => {
  const patterns = generatePatterns(10_000);

  it('makes only valid patterns', () => {
    const matcher = new PatternMatcher<number>();
    expect(() =>
      patterns.forEach((pattern, index) => matcher.add(pattern, index)),
    ).not.toThrow();
  });

  it('follows the stated mix', () => {
    const share = (test: (pattern: string) => boolean) =>
      patterns.filter(test).length / patterns.length;
    const literal = share((pattern) => !pattern.includes('*'));
    const single = share((pattern) => /(^|\.)\*($|\.)/.test(pattern));
    const multi = share((pattern) => pattern.includes('**'));
    expect(literal).toBeCloseTo(PATTERN_MIX.literal, 1);
    expect(single).toBeCloseTo(PATTERN_MIX.singleWildcard, 1);
    expect(multi).toBeCloseTo(PATTERN_MIX.multiWildcard, 1);
  });

  it('is the same on every call', () => {
    expect(generatePatterns(50)).toEqual(generatePatterns(50));
  });
});

describe('generateTypes', () => {
  it('draws types over the services of the count', () => {
    const types = generateTypes(100, 1000);
    expect(types).toHaveLength(1000);
    for (const type of types) {
      expect(type).toMatch(/^svc\d\.event\d$/);
    }
  });

  it('matches about as many subscriptions at every count', () => {
    const matchesPerType = (count: number): number => {
      const matcher = new PatternMatcher<number>();
      generatePatterns(count).forEach((pattern, index) =>
        matcher.add(pattern, index),
      );
      const types = generateTypes(count, 2000);
      const total = types.reduce(
        (sum, type) => sum + matcher.match(type).length,
        0,
      );
      return total / types.length;
    };
    const small = matchesPerType(1000);
    const large = matchesPerType(20_000);
    expect(large / small).toBeGreaterThan(0.7);
    expect(large / small).toBeLessThan(1.3);
  });
});

describe('seededRandom', () => {
  it('repeats a sequence for one seed', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    for (let index = 0; index < 100; index += 1) {
      expect(first()).toBe(second());
    }
  });

  it('stays within [0, 1)', () => {
    const random = seededRandom(1);
    for (let index = 0; index < 10_000; index += 1) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('differs between seeds', () => {
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });
});
