import {
  assertValidPattern,
  parsePattern,
  PATTERN_INVALID_CODE,
  PATTERN_LIMITS,
  PatternError,
} from '@signalpost/patterns';

const VALID_PATTERNS: [pattern: string, segments: string[]][] = [
  ['order', ['order']],
  ['order.created', ['order', 'created']],
  ['order.*', ['order', '*']],
  ['order.**', ['order', '**']],
  ['**', ['**']],
  ['*', ['*']],
  ['**.paid', ['**', 'paid']],
  ['a.**.z', ['a', '**', 'z']],
  ['**.b.**', ['**', 'b', '**']],
  ['*.**', ['*', '**']],
  ['**.*', ['**', '*']],
  ['Order_v2-EU.created', ['Order_v2-EU', 'created']],
  ['a'.repeat(PATTERN_LIMITS.maxCharacters), ['a'.repeat(255)]],
  [Array(PATTERN_LIMITS.maxSegments).fill('a').join('.'), Array(64).fill('a')],
];

const INVALID_PATTERNS: [pattern: string, messageFragment: string][] = [
  ['', 'the pattern is empty'],
  ['a..b', 'segment 1 is empty'],
  ['.a', 'segment 0 is empty'],
  ['a.', 'segment 1 is empty'],
  ['.', 'segment 0 is empty'],
  ['***', 'segment 0 is "***", which is not a wildcard'],
  ['order.****', 'segment 1 is "****", which is not a wildcard'],
  ['**.**', 'segments 0 and 1 are both "**"'],
  ['a.**.**.b', 'segments 1 and 2 are both "**"'],
  ['ord*', 'segment 0 is "ord*", a partial wildcard'],
  ['order.*x', 'segment 1 is "*x", a partial wildcard'],
  ['a*b', 'segment 0 is "a*b", a partial wildcard'],
  ['order.cre**', 'segment 1 is "cre**", a partial wildcard'],
  ['order created', 'segment 0 contains the invalid character " "'],
  ['order.created/v2', 'segment 1 contains the invalid character "/"'],
  ['order.#', 'segment 1 contains the invalid character "#"'],
  ['order.>', 'segment 1 contains the invalid character ">"'],
  ['a.b.c\n', 'segment 2 contains the invalid character "\\n"'],
  ['order.créé', 'segment 1 contains the invalid character "é"'],
  ['a.b*#', 'segment 1 contains the invalid character "#"'],
  ['a'.repeat(256), 'it is 256 characters long, more than the maximum of 255'],
  [
    Array(65).fill('a').join('.'),
    'it has 65 segments, more than the maximum of 64',
  ],
];

describe('parsePattern', () => {
  describe('when the pattern is valid', () => {
    it.each(VALID_PATTERNS)('splits %j into segments', (pattern, segments) => {
      expect(parsePattern(pattern)).toEqual({ ok: true, segments });
    });
  });

  describe('when the pattern is invalid', () => {
    it.each(INVALID_PATTERNS)(
      'rejects %j naming the fault',
      (pattern, fragment) => {
        const result = parsePattern(pattern);

        expect(result.ok).toBe(false);
        expect(result.ok ? '' : result.message).toContain(fragment);
      },
    );

    it.each(INVALID_PATTERNS)('quotes %j in the message', (pattern) => {
      const result = parsePattern(pattern);
      const quoted = JSON.stringify(pattern.slice(0, 60));

      expect(result.ok ? '' : result.message).toContain(quoted);
    });
  });

  it('truncates a long pattern in the message', () => {
    const result = parsePattern('a'.repeat(300));
    const message = result.ok ? '' : result.message;

    expect(message).toContain(`"${'a'.repeat(60)}"...`);
    expect(message).not.toContain('a'.repeat(61));
  });

  it('rejects a non-string pattern', () => {
    const result = parsePattern(42 as unknown as string);

    expect(result).toEqual({
      ok: false,
      message: 'Invalid pattern: expected a string, got number.',
    });
  });
});

describe('assertValidPattern', () => {
  it('accepts a valid pattern', () => {
    expect(() => assertValidPattern('order.**')).not.toThrow();
  });

  it.each(INVALID_PATTERNS)(
    'throws PatternError for %j',
    (pattern, fragment) => {
      let caught: unknown;
      try {
        assertValidPattern(pattern);
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(PatternError);
      const error = caught as PatternError;
      expect(error.code).toBe('SIGNALPOST_ERR_PATTERN_INVALID');
      expect(error.code).toBe(PATTERN_INVALID_CODE);
      expect(error.name).toBe('PatternError');
      expect(error.pattern).toBe(pattern);
      expect(error.message).toContain(fragment);
    },
  );
});
