import fc from 'fast-check';
import { parsePattern, PatternMatcher } from '@signalpost/patterns';
import { referenceMatch } from './reference-matcher';

interface Subscription {
  readonly pattern: string;
  readonly value: number;
}

// Two `**` in a row are invalid, so the generator merges such runs.
function mergeRepeatedMultiWildcards(segments: string[]): string[] {
  return segments.filter((segment, index) => {
    return !(segment === '**' && segments[index - 1] === '**');
  });
}

const patternArbitrary = fc
  .array(fc.constantFrom('a', 'b', '*', '**'), { minLength: 1, maxLength: 6 })
  .map((segments) => mergeRepeatedMultiWildcards(segments).join('.'));

const typeArbitrary = fc
  .array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 8 })
  .map((segments) => segments.join('.'));

// A small value pool makes one value appear under several patterns.
const subscriptionArbitrary = fc.record({
  pattern: patternArbitrary,
  value: fc.integer({ min: 0, max: 5 }),
});

function buildMatcher(subscriptions: Subscription[]): PatternMatcher<number> {
  const matcher = new PatternMatcher<number>();
  for (const { pattern, value } of subscriptions) matcher.add(pattern, value);
  return matcher;
}

describe('PatternMatcher against a reference matcher', () => {
  it('accepts every generated pattern', () => {
    fc.assert(
      fc.property(patternArbitrary, (pattern) => {
        expect(parsePattern(pattern)).toEqual({
          ok: true,
          segments: pattern.split('.'),
        });
      }),
    );
  });

  it('returns the same values', () => {
    fc.assert(
      fc.property(
        fc.array(subscriptionArbitrary, { maxLength: 12 }),
        fc.array(typeArbitrary, { minLength: 1, maxLength: 5 }),
        (subscriptions, types) => {
          const matcher = buildMatcher(subscriptions);
          for (const type of types) {
            const matched = matcher.match(type);
            expect(new Set(matched)).toEqual(
              referenceMatch(subscriptions, type),
            );
            expect(matched).toHaveLength(new Set(matched).size);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('returns the same values after removals', () => {
    fc.assert(
      fc.property(
        fc.array(subscriptionArbitrary, { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        typeArbitrary,
        (subscriptions, removals, type) => {
          const matcher = buildMatcher(subscriptions);
          const removed = subscriptions.filter((_, index) => removals[index]);
          for (const { pattern, value } of removed)
            matcher.remove(pattern, value);

          const remaining = subscriptions.filter(
            (subscription) =>
              !removed.some(
                (r) =>
                  r.pattern === subscription.pattern &&
                  r.value === subscription.value,
              ),
          );
          expect(new Set(matcher.match(type))).toEqual(
            referenceMatch(remaining, type),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
