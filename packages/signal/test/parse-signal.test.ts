import { validate as isUuid, version as uuidVersion } from 'uuid';
import { parseSignal, type ParseResult, type Signal } from '../src';

const FIXED_NOW = new Date('2024-05-01T12:00:00.000Z');
const fixedOptions = { now: () => FIXED_NOW, newId: () => 'generated-id' };

const minimal = { type: 'user.created', source: '/my/app' };

function expectSignal(result: ParseResult): Signal {
  if (!result.ok)
    throw new Error(`expected a signal, got ${JSON.stringify(result.issues)}`);
  return result.signal;
}

function issuesOf(
  result: ParseResult,
): { path: string; code: string; message: string }[] {
  if (result.ok)
    throw new Error(`expected issues, got ${JSON.stringify(result.signal)}`);
  return result.issues;
}

function issuePaths(input: unknown): string[] {
  return issuesOf(parseSignal(input, fixedOptions)).map((issue) => issue.path);
}

describe('parseSignal', () => {
  describe('when the input is not a JSON object', () => {
    it.each([
      ['an array', [minimal]],
      ['null', null],
      ['a string', 'user.created'],
      ['a number', 42],
      ['a boolean', true],
      ['undefined', undefined],
      ['a Date instance', new Date()],
    ])('rejects %s with path ""', (_label, input) => {
      const issues = issuesOf(parseSignal(input));

      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('');
      expect(issues[0]?.code).toBe('validation_failed');
      expect(issues[0]?.message).toMatch(/must be a JSON object/);
    });
  });

  describe('when optional attributes are absent', () => {
    it('fills in specversion, id, time and datacontenttype', () => {
      const signal = expectSignal(parseSignal(minimal, fixedOptions));

      expect(signal).toEqual({
        specversion: '1.0',
        id: 'generated-id',
        type: 'user.created',
        source: '/my/app',
        time: '2024-05-01T12:00:00.000Z',
        datacontenttype: 'application/json',
      });
    });

    it('generates a UUIDv7 id by default', () => {
      const first = expectSignal(parseSignal(minimal));
      const second = expectSignal(parseSignal(minimal));

      expect(isUuid(first.id)).toBe(true);
      expect(uuidVersion(first.id)).toBe(7);
      expect(second.id).not.toBe(first.id);
    });

    it('uses the current time by default', () => {
      const before = Date.now();
      const signal = expectSignal(parseSignal(minimal));
      const after = Date.now();

      const time = Date.parse(signal.time);
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(after);
    });

    it('leaves out subject, dataschema, data and data_base64', () => {
      const signal = expectSignal(parseSignal(minimal, fixedOptions));

      for (const name of ['subject', 'dataschema', 'data', 'data_base64']) {
        expect(Object.hasOwn(signal, name)).toBe(false);
      }
    });
  });

  describe('when an optional attribute is null', () => {
    it.each([
      ['specversion', 'specversion', '1.0'],
      ['id', 'id', 'generated-id'],
      ['time', 'time', '2024-05-01T12:00:00.000Z'],
      ['datacontenttype', 'datacontenttype', 'application/json'],
    ])('treats null %s as absent', (_label, name, expected) => {
      const signal = expectSignal(
        parseSignal({ ...minimal, [name]: null }, fixedOptions),
      );

      expect(signal[name]).toBe(expected);
    });

    it.each(['subject', 'dataschema', 'data', 'data_base64', 'traceid'])(
      'leaves out null %s',
      (name) => {
        const signal = expectSignal(
          parseSignal({ ...minimal, [name]: null }, fixedOptions),
        );

        expect(Object.hasOwn(signal, name)).toBe(false);
      },
    );

    it('still requires type and source', () => {
      const paths = issuePaths({ type: null, source: null });

      expect(paths).toEqual(['type', 'source']);
    });
  });

  describe('specversion', () => {
    it.each(['1.0', '1.0.0', '1.0.2', '1.0.15'])(
      'accepts %j as "1.0"',
      (value) => {
        const signal = expectSignal(
          parseSignal({ ...minimal, specversion: value }, fixedOptions),
        );

        expect(signal.specversion).toBe('1.0');
      },
    );

    it.each([
      ['"0.3"', '0.3'],
      ['"2.0"', '2.0'],
      ['"1.1"', '1.1'],
      ['"1.0."', '1.0.'],
      ['"1.0.x"', '1.0.x'],
      ['"1"', '1'],
      ['the number 1.0', 1.0],
      ['an empty string', ''],
    ])('rejects %s', (_label, value) => {
      expect(issuePaths({ ...minimal, specversion: value })).toEqual([
        'specversion',
      ]);
    });
  });

  describe('id', () => {
    it.each([
      ['a short id', '1'],
      ['256 characters', 'x'.repeat(256)],
      ['256 emoji, counted as characters', '🙂'.repeat(256)],
    ])('accepts %s', (_label, id) => {
      expect(expectSignal(parseSignal({ ...minimal, id })).id).toBe(id);
    });

    it.each([
      ['an empty string', ''],
      ['257 characters', 'x'.repeat(257)],
      ['a number', 7],
      ['an object', { id: 'x' }],
    ])('rejects %s', (_label, id) => {
      expect(issuePaths({ ...minimal, id })).toEqual(['id']);
    });
  });

  describe('type', () => {
    it.each([
      'user',
      'user.created',
      'order.line_item.updated-v2',
      'A.b.C9',
      Array.from({ length: 64 }, () => 'a').join('.'),
      'a'.repeat(255),
    ])('accepts %j', (type) => {
      expect(expectSignal(parseSignal({ ...minimal, type })).type).toBe(type);
    });

    it.each([
      ['a..b', 'a..b'],
      ['.a', '.a'],
      ['a.', 'a.'],
      ['a b', 'a b'],
      ['a*', 'a*'],
      ['**', '**'],
      ['an empty string', ''],
      ['a non-ASCII letter', 'usér.created'],
      ['256 characters', 'a'.repeat(256)],
      ['65 segments', Array.from({ length: 65 }, () => 'a').join('.')],
      ['a number', 3],
    ])('rejects %s', (_label, type) => {
      expect(issuePaths({ ...minimal, type })).toEqual(['type']);
    });

    it('is required', () => {
      const issues = issuesOf(parseSignal({ source: '/my/app' }));

      expect(issues).toEqual([
        {
          path: 'type',
          code: 'validation_failed',
          message: 'type is required but missing.',
        },
      ]);
    });

    it('names the segment rule and the value', () => {
      const issues = issuesOf(parseSignal({ ...minimal, type: 'a..b' }));

      expect(issues[0]?.message).toBe(
        'type must be dot-separated segments of [A-Za-z0-9_-]+, got "a..b".',
      );
    });
  });

  describe('source', () => {
    it.each([
      ['a path', '/my/app'],
      ['a URN', 'urn:example:orders'],
      ['text that is not a URI', 'my app'],
      ['1024 characters', 's'.repeat(1024)],
    ])('accepts %s', (_label, source) => {
      expect(expectSignal(parseSignal({ ...minimal, source })).source).toBe(
        source,
      );
    });

    it.each([
      ['an empty string', ''],
      ['1025 characters', 's'.repeat(1025)],
      ['a number', 1],
    ])('rejects %s', (_label, source) => {
      expect(issuePaths({ ...minimal, source })).toEqual(['source']);
    });

    it('is required', () => {
      expect(issuePaths({ type: 'user.created' })).toEqual(['source']);
    });
  });

  describe('time', () => {
    it.each([
      '2024-05-01T12:00:00Z',
      '2024-05-01T12:00:00.123+02:00',
      '2024-05-01t12:00:00z',
      '2024-02-29T23:59:59.999999-05:30',
    ])('keeps %j as given', (time) => {
      expect(expectSignal(parseSignal({ ...minimal, time })).time).toBe(time);
    });

    it.each([
      ['a date only', '2024-05-01'],
      ['a word', 'yesterday'],
      ['month 13', '2024-13-01T00:00:00Z'],
      ['a missing offset', '2024-05-01T12:00:00'],
      ['a number', 1714564800],
    ])('rejects %s', (_label, time) => {
      expect(issuePaths({ ...minimal, time })).toEqual(['time']);
    });
  });

  describe('subject, dataschema and datacontenttype', () => {
    it('keeps the given strings', () => {
      const signal = expectSignal(
        parseSignal({
          ...minimal,
          subject: 'user/42',
          dataschema: 'https://example.com/schemas/user.json',
          datacontenttype: 'text/plain',
        }),
      );

      expect(signal.subject).toBe('user/42');
      expect(signal.dataschema).toBe('https://example.com/schemas/user.json');
      expect(signal.datacontenttype).toBe('text/plain');
    });

    it.each([
      ['subject', 42],
      ['subject', ''],
      ['dataschema', { url: 'x' }],
      ['datacontenttype', ['application/json']],
      ['datacontenttype', ''],
    ])('rejects %s %j', (name, value) => {
      expect(issuePaths({ ...minimal, [name]: value })).toEqual([name]);
    });
  });

  describe('data and data_base64', () => {
    it.each([
      ['an object', { user: { id: 42 } }],
      ['an array', [1, 'two', false]],
      ['a string', 'hello'],
      ['a number', 0],
      ['false', false],
    ])('keeps data that is %s', (_label, data) => {
      expect(expectSignal(parseSignal({ ...minimal, data })).data).toEqual(
        data,
      );
    });

    it('accepts data nested 128 levels deep', () => {
      const data = JSON.parse('['.repeat(128) + ']'.repeat(128)) as unknown;

      expect(expectSignal(parseSignal({ ...minimal, data })).data).toEqual(
        data,
      );
    });

    it('rejects data nested 129 levels deep', () => {
      const data = JSON.parse('['.repeat(129) + ']'.repeat(129)) as unknown;

      expect(issuePaths({ ...minimal, data })).toEqual(['data']);
    });

    it('rejects deep data without overflowing the stack', () => {
      const depth = 100_000;
      const data = JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;

      expect(issuePaths({ ...minimal, data })).toEqual(['data']);
    });

    it.each([
      ['a function', { run: () => 1 }],
      ['a non-finite number', { ratio: Number.POSITIVE_INFINITY }],
      ['undefined in an array', [1, undefined]],
      ['a Map', new Map([['a', 1]])],
    ])('rejects data holding %s', (_label, data) => {
      expect(issuePaths({ ...minimal, data })).toEqual(['data']);
    });

    it.each(['', 'aGk=', 'aGVsbG8=', 'AAECAwQ=', '+/+/'])(
      'accepts data_base64 %j',
      (value) => {
        const signal = expectSignal(
          parseSignal({ ...minimal, data_base64: value }),
        );

        expect(signal.data_base64).toBe(value);
      },
    );

    it.each([
      ['missing padding', 'aGk'],
      ['non-zero padding bits', 'aGl='],
      ['the base64url alphabet', '-_-_'],
      ['whitespace', 'aGVs bG8='],
      ['a character outside the alphabet', 'aGk!'],
      ['a number', 12],
    ])('rejects data_base64 with %s', (_label, value) => {
      expect(issuePaths({ ...minimal, data_base64: value })).toEqual([
        'data_base64',
      ]);
    });

    it('rejects data and data_base64 together', () => {
      const issues = issuesOf(
        parseSignal({ ...minimal, data: { a: 1 }, data_base64: 'aGk=' }),
      );

      expect(issues.map((issue) => issue.path)).toEqual(['data_base64']);
      expect(issues[0]?.message).toMatch(/at most one of them/);
    });
  });

  describe('when several attributes are invalid', () => {
    it('reports every issue, not only the first', () => {
      const paths = issuePaths({
        specversion: '0.3',
        id: '',
        type: 'a..b',
        time: 'yesterday',
        data_base64: 'not base64',
        Bad: 'x',
      });

      expect(paths).toEqual([
        'specversion',
        'id',
        'type',
        'source',
        'time',
        'data_base64',
        'Bad',
      ]);
    });

    it('gives every issue the code validation_failed', () => {
      const issues = issuesOf(parseSignal({ type: 1, source: 2 }));

      expect(issues.map((issue) => issue.code)).toEqual([
        'validation_failed',
        'validation_failed',
      ]);
    });
  });

  describe('messages', () => {
    it('truncate a long value and give its length', () => {
      const issues = issuesOf(parseSignal({ ...minimal, id: 'x'.repeat(300) }));

      expect(issues[0]?.message).toBe(
        `id must be a non-empty string of at most 256 characters, got "${'x'.repeat(40)}…" (300 characters).`,
      );
    });

    it('describe an object without echoing it', () => {
      const issues = issuesOf(
        parseSignal({ ...minimal, subject: { secret: 'hunter2' } }),
      );

      expect(issues[0]?.message).toBe(
        'subject must be a non-empty string, got an object.',
      );
    });

    it('escape control characters in the value', () => {
      const issues = issuesOf(parseSignal({ ...minimal, type: 'a\nb' }));

      expect(issues[0]?.message).toContain('got "a\\nb"');
    });
  });

  describe('when Jido.Signal sends a signal', () => {
    const jidoSignal = JSON.parse(`{
      "specversion": "1.0.2",
      "id": "0190e4f2-8d5a-7c3e-9b1a-3f2d4c5b6a7e",
      "source": "/my/app",
      "type": "user.created",
      "subject": null,
      "time": "2024-07-18T09:41:27.318Z",
      "datacontenttype": "application/json",
      "dataschema": null,
      "data": { "user_id": 42, "email": "ada@example.com" },
      "extensions": { "traceid": "abc" }
    }`) as unknown;

    it('accepts it with its extensions flattened', () => {
      const signal = expectSignal(parseSignal(jidoSignal));

      expect(signal).toEqual({
        specversion: '1.0',
        id: '0190e4f2-8d5a-7c3e-9b1a-3f2d4c5b6a7e',
        type: 'user.created',
        source: '/my/app',
        time: '2024-07-18T09:41:27.318Z',
        datacontenttype: 'application/json',
        data: { user_id: 42, email: 'ada@example.com' },
        traceid: 'abc',
      });
    });

    it('drops the null subject and dataschema', () => {
      const signal = expectSignal(parseSignal(jidoSignal));

      expect(Object.hasOwn(signal, 'subject')).toBe(false);
      expect(Object.hasOwn(signal, 'dataschema')).toBe(false);
      expect(Object.hasOwn(signal, 'extensions')).toBe(false);
    });
  });

  it('keeps attributes in CloudEvents order', () => {
    const signal = expectSignal(
      parseSignal({
        traceid: 't',
        data: 1,
        datacontenttype: 'application/json',
        subject: 's',
        time: '2024-05-01T12:00:00Z',
        source: '/s',
        type: 't',
        id: '1',
        specversion: '1.0',
      }),
    );

    expect(Object.keys(signal)).toEqual([
      'specversion',
      'id',
      'type',
      'source',
      'time',
      'subject',
      'datacontenttype',
      'data',
      'traceid',
    ]);
  });
});
