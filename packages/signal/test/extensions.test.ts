import { parseSignal, type ParseResult, type Signal } from '../src';

const minimal = { type: 'user.created', source: '/my/app' };

function expectSignal(result: ParseResult): Signal {
  if (!result.ok)
    throw new Error(`expected a signal, got ${JSON.stringify(result.issues)}`);
  return result.signal;
}

function issuePaths(input: unknown): string[] {
  const result = parseSignal(input);
  if (result.ok)
    throw new Error(`expected issues, got ${JSON.stringify(result.signal)}`);
  return result.issues.map((issue) => issue.path);
}

describe('extension attributes', () => {
  describe('at the top level', () => {
    it.each([
      ['a string', 'traceid', 'abc'],
      ['a number', 'attempt', 3],
      ['a float', 'ratio', 0.5],
      ['a boolean', 'replayed', false],
      ['an empty string', 'note', ''],
      ['a 20-character name', 'a'.repeat(20), 'x'],
      ['a name of digits', '2024', 'x'],
    ])('keeps %s', (_label, name, value) => {
      const signal = expectSignal(parseSignal({ ...minimal, [name]: value }));

      expect(signal[name]).toBe(value);
    });

    it.each([
      ['an upper-case name', 'traceId', 'x'],
      ['a 21-character name', 'a'.repeat(21), 'x'],
      ['a leading underscore', '_x', 'x'],
      ['a hyphen', 'trace-id', 'x'],
      ['an empty name', '', 'x'],
    ])('rejects %s', (_label, name, value) => {
      expect(issuePaths({ ...minimal, [name]: value })).toEqual([name]);
    });

    it.each([
      ['an object', { a: 1 }],
      ['an array', ['a']],
      ['a non-finite number', Number.NaN],
    ])('rejects a value that is %s', (_label, value) => {
      expect(issuePaths({ ...minimal, traceid: value })).toEqual(['traceid']);
    });

    it('names the rule in the message', () => {
      const result = parseSignal({ ...minimal, traceId: 'x' });

      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues[0]?.message).toBe(
        'traceId is not a valid extension attribute name, because extension names must match [a-z0-9]{1,20}.',
      );
    });

    it('rejects a __proto__ key without touching the prototype', () => {
      const input = JSON.parse(
        '{"type": "a", "source": "/s", "__proto__": {"polluted": "yes"}}',
      ) as unknown;

      expect(issuePaths(input)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('shortens a very long name in the path', () => {
      const paths = issuePaths({ ...minimal, ['A'.repeat(1000)]: 'x' });

      expect(paths[0]).toBe(`${'A'.repeat(64)}…`);
    });
  });

  describe('in a nested extensions object', () => {
    it('flattens them into top-level extensions', () => {
      const signal = expectSignal(
        parseSignal({
          ...minimal,
          extensions: { traceid: 'abc', attempt: 2, replayed: true },
        }),
      );

      expect(signal.traceid).toBe('abc');
      expect(signal.attempt).toBe(2);
      expect(signal.replayed).toBe(true);
      expect(Object.hasOwn(signal, 'extensions')).toBe(false);
    });

    it('keeps top-level and nested extensions side by side', () => {
      const signal = expectSignal(
        parseSignal({ ...minimal, tenant: 't1', extensions: { traceid: 'a' } }),
      );

      expect(signal.tenant).toBe('t1');
      expect(signal.traceid).toBe('a');
    });

    it('treats a null extensions object as absent', () => {
      const signal = expectSignal(
        parseSignal({ ...minimal, extensions: null }),
      );

      expect(Object.hasOwn(signal, 'extensions')).toBe(false);
    });

    it('skips null entries', () => {
      const signal = expectSignal(
        parseSignal({ ...minimal, extensions: { traceid: null } }),
      );

      expect(Object.hasOwn(signal, 'traceid')).toBe(false);
    });

    it.each([
      ['an array', ['traceid']],
      ['a string', 'traceid=abc'],
      ['a number', 1],
    ])('rejects extensions that is %s', (_label, extensions) => {
      expect(issuePaths({ ...minimal, extensions })).toEqual(['extensions']);
    });

    it.each([
      ['an invalid name', { Trace: 'x' }, 'extensions.Trace'],
      ['an object value', { traceid: { a: 1 } }, 'extensions.traceid'],
      ['a nested extensions key', { extensions: 'x' }, 'extensions.extensions'],
    ])('rejects %s, naming the nested path', (_label, extensions, path) => {
      expect(issuePaths({ ...minimal, extensions })).toEqual([path]);
    });

    it('rejects a clash with a top-level extension', () => {
      const paths = issuePaths({
        ...minimal,
        traceid: 'top',
        extensions: { traceid: 'nested' },
      });

      expect(paths).toEqual(['extensions.traceid']);
    });

    it.each(['type', 'source', 'id', 'time', 'subject', 'data'])(
      'rejects a clash with the core attribute %s',
      (name) => {
        const paths = issuePaths({ ...minimal, extensions: { [name]: 'x' } });

        expect(paths).toEqual([`extensions.${name}`]);
      },
    );

    it('allows a nested name whose top-level attribute is null', () => {
      const signal = expectSignal(
        parseSignal({
          ...minimal,
          traceid: null,
          extensions: { traceid: 'a' },
        }),
      );

      expect(signal.traceid).toBe('a');
    });
  });
});
