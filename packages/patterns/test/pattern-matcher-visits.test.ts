import { PatternMatcher } from '@signalpost/patterns';

const UNRELATED_PATTERN_COUNT = 100_000;

// Patterns that match `order.created` in different ways, so the walk has
// literal, `*` and `**` nodes to visit.
const MATCHING_PATTERNS = [
  'order.created',
  'order.*',
  'order.**',
  '*.created',
  '**.created',
  '**',
];

// These counts measure no time. They record which trie nodes a match touches,
// so the test gives the same result on any machine.
describe('PatternMatcher visit count', () => {
  describe('when many unrelated patterns are added', () => {
    it('visits the same nodes', () => {
      const matcher = new PatternMatcher<string>();
      for (const pattern of MATCHING_PATTERNS) matcher.add(pattern, pattern);
      const visitsBefore = matcher.countVisitedNodes('order.created');

      for (let i = 0; i < UNRELATED_PATTERN_COUNT; i += 1) {
        matcher.add(`other${i}.created`, `unrelated-${i}`);
      }

      expect(matcher.size).toBe(
        MATCHING_PATTERNS.length + UNRELATED_PATTERN_COUNT,
      );
      expect(matcher.countVisitedNodes('order.created')).toBe(visitsBefore);
      expect(matcher.match('order.created').sort()).toEqual(
        [...MATCHING_PATTERNS].sort(),
      );
    });

    it('visits more nodes when patterns can match', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('order.created', 'literal');
      const visitsBefore = matcher.countVisitedNodes('order.created');

      matcher.add('*.created', 'wildcard');

      expect(matcher.countVisitedNodes('order.created')).toBeGreaterThan(
        visitsBefore,
      );
    });
  });

  describe('when a pattern repeats ** many times', () => {
    it('stays within nodes times segments', () => {
      const matcher = new PatternMatcher<string>();
      const pattern = Array(10).fill('**.a').join('.');
      matcher.add(pattern, 'subscription');
      const type = Array(60).fill('a').join('.');

      // The trie contains the root plus one node per pattern segment, and each
      // step keeps every node at most once.
      const nodeCount = pattern.split('.').length + 1;
      const stepCount = type.split('.').length + 1;

      expect(matcher.match(type)).toEqual(['subscription']);
      expect(matcher.countVisitedNodes(type)).toBeLessThanOrEqual(
        nodeCount * stepCount,
      );
    });
  });
});
