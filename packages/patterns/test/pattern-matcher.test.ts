import { PatternError, PatternMatcher } from '@signalpost/patterns';

interface MatchCase {
  readonly pattern: string;
  readonly matches: string[];
  readonly misses: string[];
}

const MATCH_CASES: MatchCase[] = [
  {
    pattern: 'order.**',
    matches: ['order', 'order.created', 'order.eu.paid'],
    misses: ['orders.created', 'invoice.created', 'orders', 'ord'],
  },
  {
    pattern: 'order.*',
    matches: ['order.created', 'order.paid'],
    misses: ['order', 'order.created.v2', 'invoice.created'],
  },
  {
    pattern: 'a.**.z',
    matches: ['a.z', 'a.b.z', 'a.b.c.z', 'a.z.z'],
    misses: ['a.b.c', 'a', 'z', 'b.a.z', 'a.z.b'],
  },
  {
    pattern: '*.created',
    matches: ['order.created', 'invoice.created'],
    misses: ['created', 'order.eu.created', 'order.created.v2'],
  },
  {
    pattern: '**',
    matches: ['a', 'order', 'order.created', 'a.b.c.d.e'],
    misses: [],
  },
  {
    pattern: '**.paid',
    matches: ['paid', 'x.paid', 'x.y.paid', 'paid.paid'],
    misses: ['paid.x', 'unpaid', 'x.y'],
  },
  {
    pattern: '**.b.**',
    matches: ['b', 'a.b', 'b.c', 'a.b.c', 'b.b.b'],
    misses: ['a', 'a.c', 'bb'],
  },
  {
    pattern: '*',
    matches: ['a', 'order'],
    misses: ['a.b'],
  },
  {
    pattern: '*.**',
    matches: ['a', 'a.b', 'a.b.c'],
    misses: [],
  },
  {
    pattern: 'order.created',
    matches: ['order.created'],
    misses: ['order', 'order.created.v2', 'order.create', 'Order.created'],
  },
  {
    pattern: 'Order.*',
    matches: ['Order.created'],
    misses: ['order.created', 'ORDER.created'],
  },
];

function matcherWith(pattern: string): PatternMatcher<string> {
  const matcher = new PatternMatcher<string>();
  matcher.add(pattern, 'subscription');
  return matcher;
}

describe('PatternMatcher', () => {
  describe.each(MATCH_CASES)(
    'with pattern $pattern',
    ({ pattern, matches, misses }) => {
      it.each(matches)('matches %j', (type) => {
        expect(matcherWith(pattern).match(type)).toEqual(['subscription']);
      });

      if (misses.length > 0) {
        it.each(misses)('does not match %j', (type) => {
          expect(matcherWith(pattern).match(type)).toEqual([]);
        });
      }
    },
  );

  describe('when patterns overlap for one value', () => {
    it('returns the value once', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('a.**', 'subscription');
      matcher.add('a.*', 'subscription');
      matcher.add('a.b', 'subscription');

      expect(matcher.match('a.b')).toEqual(['subscription']);
    });

    it('returns a value once when ** matches several ways', () => {
      const matcher = matcherWith('**.b.**');

      expect(matcher.match('b.b.b')).toEqual(['subscription']);
    });

    it('returns NaN once', () => {
      const matcher = new PatternMatcher<number>();
      matcher.add('a.*', NaN);
      matcher.add('a.**', NaN);

      expect(matcher.match('a.b')).toEqual([NaN]);
    });

    it('returns values after sharing ends', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('a.*', 'shared');
      matcher.add('a.**', 'shared');
      matcher.add('a.b', 'other');

      matcher.remove('a.**', 'shared');

      expect(matcher.match('a.b').sort()).toEqual(['other', 'shared']);
    });

    it('returns a value once after re-adding', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('a.*', 'shared');
      matcher.add('a.**', 'shared');
      matcher.remove('a.**', 'shared');

      matcher.add('a.**', 'shared');

      expect(matcher.match('a.b')).toEqual(['shared']);
    });

    it('returns each distinct value once', () => {
      const first = { id: 'first' };
      const second = { id: 'second' };
      const matcher = new PatternMatcher<{ id: string }>();
      matcher.add('order.**', first);
      matcher.add('**.created', first);
      matcher.add('order.*', second);
      matcher.add('**', second);

      const matched = matcher.match('order.created');

      expect(matched).toHaveLength(2);
      expect(matched).toContain(first);
      expect(matched).toContain(second);
    });
  });

  describe('when many nodes are active in one step', () => {
    // Each `**` stays active once reached, so these two chains keep more
    // than a hundred nodes active, more than the walk first makes room for.
    function chainsMatcher(): PatternMatcher<string> {
      const matcher = new PatternMatcher<string>();
      matcher.add(Array(32).fill('**.a').join('.'), 'a-chain');
      matcher.add(Array(32).fill('**.b').join('.'), 'b-chain');
      return matcher;
    }

    it('matches the chain that ends the type', () => {
      const matcher = chainsMatcher();
      const pairs = Array(40).fill('a.b').join('.');

      expect(matcher.match(pairs)).toEqual(['b-chain']);
      expect(matcher.match(`${pairs}.a`)).toEqual(['a-chain']);
    });

    it('needs every segment of the chain', () => {
      const matcher = chainsMatcher();

      expect(matcher.match(Array(31).fill('a.b').join('.'))).toEqual([]);
    });
  });

  describe('when values are objects', () => {
    it('compares them by identity', () => {
      const matcher = new PatternMatcher<{ id: string }>();
      const added = { id: 'same' };
      matcher.add('order.*', added);

      expect(matcher.remove('order.*', { id: 'same' })).toBe(false);
      expect(matcher.match('order.created')).toEqual([added]);
      expect(matcher.match('order.created')[0]).toBe(added);
    });
  });

  describe('size', () => {
    it('counts distinct pattern and value pairs', () => {
      const matcher = new PatternMatcher<string>();
      expect(matcher.size).toBe(0);

      matcher.add('order.*', 'first');
      matcher.add('order.*', 'second');
      matcher.add('order.**', 'first');
      expect(matcher.size).toBe(3);

      matcher.add('order.*', 'first');
      expect(matcher.size).toBe(3);
    });
  });

  describe('remove', () => {
    it('stops the removed pair matching', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('order.*', 'first');
      matcher.add('order.*', 'second');

      expect(matcher.remove('order.*', 'first')).toBe(true);
      expect(matcher.match('order.created')).toEqual(['second']);
      expect(matcher.size).toBe(1);
    });

    it('keeps the value matching through other patterns', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('order.*', 'subscription');
      matcher.add('order.**', 'subscription');

      expect(matcher.remove('order.*', 'subscription')).toBe(true);
      expect(matcher.match('order.created')).toEqual(['subscription']);
      expect(matcher.match('order')).toEqual(['subscription']);
    });

    it('keeps longer patterns below the removed one', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('order', 'short');
      matcher.add('order.created', 'long');

      expect(matcher.remove('order', 'short')).toBe(true);
      expect(matcher.match('order')).toEqual([]);
      expect(matcher.match('order.created')).toEqual(['long']);
    });

    it('prunes branches left empty', () => {
      const matcher = new PatternMatcher<string>();
      const emptyTrieVisits = matcher.countVisitedNodes('order.eu.created');
      matcher.add('order.*.created', 'subscription');

      matcher.remove('order.*.created', 'subscription');

      expect(matcher.countVisitedNodes('order.eu.created')).toBe(
        emptyTrieVisits,
      );
    });

    it.each([
      ['an unknown pattern', 'invoice.*', 'subscription'],
      ['an unknown value', 'order.*', 'other'],
      ['a prefix of a pattern', 'order', 'subscription'],
      ['an invalid pattern', 'order..*', 'subscription'],
    ])('returns false for %s', (_case, pattern, value) => {
      const matcher = matcherWith('order.*');

      expect(matcher.remove(pattern, value)).toBe(false);
      expect(matcher.size).toBe(1);
      expect(matcher.match('order.created')).toEqual(['subscription']);
    });

    it('returns false when removing twice', () => {
      const matcher = matcherWith('order.*');

      expect(matcher.remove('order.*', 'subscription')).toBe(true);
      expect(matcher.remove('order.*', 'subscription')).toBe(false);
      expect(matcher.size).toBe(0);
    });
  });

  describe('clear', () => {
    it('removes every pair', () => {
      const matcher = new PatternMatcher<string>();
      matcher.add('order.*', 'first');
      matcher.add('**', 'second');

      matcher.clear();

      expect(matcher.size).toBe(0);
      expect(matcher.match('order.created')).toEqual([]);
    });

    it('leaves the matcher usable', () => {
      const matcher = matcherWith('order.*');
      matcher.clear();
      matcher.add('invoice.*', 'subscription');

      expect(matcher.match('invoice.paid')).toEqual(['subscription']);
      expect(matcher.size).toBe(1);
    });
  });

  describe('add', () => {
    it.each(['', 'a..b', '***', '**.**', 'ord*', 'a b'])(
      'throws PatternError for %j',
      (pattern) => {
        const matcher = new PatternMatcher<string>();

        expect(() => matcher.add(pattern, 'subscription')).toThrow(
          PatternError,
        );
        expect(matcher.size).toBe(0);
      },
    );

    it('throws with the stable code', () => {
      const matcher = new PatternMatcher<string>();

      expect(() => matcher.add('ord*', 'subscription')).toThrow(
        expect.objectContaining({
          code: 'SIGNALPOST_ERR_PATTERN_INVALID',
          pattern: 'ord*',
        }),
      );
    });
  });
});
