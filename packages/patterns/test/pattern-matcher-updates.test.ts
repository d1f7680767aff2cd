import fc from 'fast-check';
import { PatternMatcher } from '@signalpost/patterns';
import { referenceMatch } from './reference-matcher';

interface Pair {
  readonly pattern: string;
  readonly value: number;
}

type Operation =
  | { readonly kind: 'add'; readonly pattern: string; readonly value: number }
  | { readonly kind: 'remove'; readonly index: number }
  | { readonly kind: 'match'; readonly type: string };

// The first match compiles the trie, so every later add and remove is
// patched into the compiled copy. These tests replay operations against a
// list of pairs and a reference matcher that backtracks over segments.
function freshMatcher(pairs: readonly Pair[]): PatternMatcher<number> {
  const matcher = new PatternMatcher<number>();
  for (const { pattern, value } of pairs) matcher.add(pattern, value);
  return matcher;
}

// Sixteen letters give nodes enough literal children to grow their tables
// and to collide in them.
const LETTERS = 'abcdefghijklmnop'.split('');

function patternArbitrary(): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...LETTERS, '*', '**'), {
      minLength: 1,
      maxLength: 4,
    })
    .map((segments) =>
      segments
        .filter((segment, index) => {
          return !(segment === '**' && segments[index - 1] === '**');
        })
        .join('.'),
    );
}

const typeArbitrary = fc
  .array(fc.constantFrom(...LETTERS, 'q'), { minLength: 1, maxLength: 5 })
  .map((segments) => segments.join('.'));

function operationArbitrary(maxValue: number): fc.Arbitrary<Operation> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('add' as const),
      pattern: patternArbitrary(),
      value: fc.integer({ min: 0, max: maxValue }),
    }),
    fc.record({
      kind: fc.constant('remove' as const),
      index: fc.nat(),
    }),
    fc.record({ kind: fc.constant('match' as const), type: typeArbitrary }),
  );
}

// Applies `operations` to `matcher` and to `pairs`, and checks every match
// against the reference and against a matcher built from scratch.
function replay(
  matcher: PatternMatcher<number>,
  operations: readonly Operation[],
): void {
  const pairs: Pair[] = [];
  for (const operation of operations) {
    if (operation.kind === 'add') {
      const { pattern, value } = operation;
      matcher.add(pattern, value);
      const present = pairs.some(
        (pair) => pair.pattern === pattern && pair.value === value,
      );
      if (!present) pairs.push({ pattern, value });
    } else if (operation.kind === 'remove') {
      const [removed] = pairs.splice(operation.index % (pairs.length || 1), 1);
      if (removed !== undefined) {
        expect(matcher.remove(removed.pattern, removed.value)).toBe(true);
      }
    } else {
      const matched = matcher.match(operation.type);
      expect(new Set(matched)).toEqual(referenceMatch(pairs, operation.type));
      expect(matched).toHaveLength(new Set(matched).size);
      expect(matcher.countVisitedNodes(operation.type)).toBe(
        freshMatcher(pairs).countVisitedNodes(operation.type),
      );
    }
    expect(matcher.size).toBe(pairs.length);
  }
}

describe('PatternMatcher after the first match', () => {
  it('matches like the reference with shared values', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary(5), { maxLength: 60 }), (ops) => {
        const matcher = new PatternMatcher<number>();
        matcher.match('a');
        replay(matcher, ops);
      }),
      { numRuns: 300 },
    );
  });

  it('matches like the reference with unique values', () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary(1_000_000), { maxLength: 60 }),
        (ops) => {
          const matcher = new PatternMatcher<number>();
          matcher.match('a');
          replay(matcher, ops);
        },
      ),
      { numRuns: 300 },
    );
  });

  describe('when a node gains many literal children', () => {
    it('finds every child', () => {
      const matcher = new PatternMatcher<number>();
      matcher.add('seed', -1);
      expect(matcher.match('seed')).toEqual([-1]);

      for (let index = 0; index < 2000; index += 1) {
        matcher.add(`svc${index}.created`, index);
      }

      for (let index = 0; index < 2000; index += 1) {
        expect(matcher.match(`svc${index}.created`)).toEqual([index]);
      }
      expect(matcher.match('seed')).toEqual([-1]);
      expect(matcher.match('svc2000.created')).toEqual([]);
    });

    it('finds the rest after removals', () => {
      const matcher = new PatternMatcher<number>();
      for (let index = 0; index < 2000; index += 1) {
        matcher.add(`svc${index}`, index);
      }
      expect(matcher.match('svc0')).toEqual([0]);

      for (let index = 0; index < 2000; index += 2) {
        expect(matcher.remove(`svc${index}`, index)).toBe(true);
      }

      for (let index = 0; index < 2000; index += 1) {
        const expected = index % 2 === 0 ? [] : [index];
        expect(matcher.match(`svc${index}`)).toEqual(expected);
      }
      expect(matcher.size).toBe(1000);
    });
  });

  describe('when changes leave much of the compiled trie unused', () => {
    it('keeps matching through rebuilds', () => {
      const matcher = new PatternMatcher<number>();
      matcher.match('a');

      // Each round adds and removes 500 patterns, which leaves their blocks
      // and values behind until the compiled trie is rebuilt.
      for (let round = 0; round < 20; round += 1) {
        for (let index = 0; index < 500; index += 1) {
          matcher.add(`r${round}.e${index}`, index);
        }
        expect(matcher.match(`r${round}.e499`)).toEqual([499]);
        for (let index = 0; index < 500; index += 1) {
          matcher.remove(`r${round}.e${index}`, index);
        }
        expect(matcher.match(`r${round}.e499`)).toEqual([]);
      }
      matcher.add('r0.*', 1);

      expect(matcher.match('r0.e1')).toEqual([1]);
      expect(matcher.size).toBe(1);
    });
  });

  describe('when a value list moves', () => {
    it('keeps the values of other nodes', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('a', 'first');
      matcher.add('b', 'second');
      expect(matcher.match('a')).toEqual(['first']);

      // `a` gets a second value, so its list moves past the list of `b`.
      matcher.add('a', 'third');
      matcher.add('b', 'fourth');
      matcher.remove('a', 'first');

      expect(matcher.match('a')).toEqual(['third']);
      expect(matcher.match('b')).toEqual(['second', 'fourth']);
    });
  });

  describe('when a leaf gains a wildcard child', () => {
    it.each([
      ['a.*', 'a.x'],
      ['a.**', 'a.x.y'],
    ])('matches through %s', (pattern, type) => {
      const matcher = new PatternMatcher<string>();
      matcher.add('a', 'leaf');
      expect(matcher.match('a')).toEqual(['leaf']);

      matcher.add(pattern, 'wildcard');

      expect(matcher.match(type)).toEqual(['wildcard']);
      expect(matcher.match('a').sort()).toEqual(
        pattern === 'a.**' ? ['leaf', 'wildcard'] : ['leaf'],
      );
    });
  });
});
