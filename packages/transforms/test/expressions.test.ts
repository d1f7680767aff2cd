import {
  DEFAULT_EXPRESSION_LIMITS,
  EXPRESSION_ERROR_CODES,
  ExpressionError,
  compileExpression,
  evaluate,
  evaluateFilter,
  evaluateKey,
  type ExpressionPurpose,
} from '../src';
import { makeSignal } from './fixtures';

// Liveness bound for evaluations that a limit must stop: far above the
// limits used, so that only a hang fails it.
const LIVENESS_BOUND_MS = 10_000;

function catchCompileError(source: string): ExpressionError {
  try {
    compileExpression(source, 'filter');
  } catch (error) {
    if (error instanceof ExpressionError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${source} not to compile`);
}

async function catchEvaluationError(
  run: () => Promise<unknown>,
): Promise<ExpressionError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ExpressionError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the evaluation to fail');
}

const alert = makeSignal({
  service: 'db',
  severity: 'high',
  tags: ['disk', 'primary'],
});

describe('compileExpression', () => {
  describe('when the source does not parse', () => {
    const error = catchCompileError("data.severity in ['critical'");

    it('throws an invalid ExpressionError', () => {
      expect(error.code).toBe(EXPRESSION_ERROR_CODES.invalid);
      expect(error.purpose).toBe('filter');
    });

    it("carries the parser's message and position", () => {
      expect(error.message).toBe(
        'Invalid filter expression at position 28: Expected "]" before end of expression',
      );
      expect(error.position).toBe(28);
      expect(error.jsonataCode).toBe('S0203');
    });
  });

  it.each([
    ['a literal', '/disk/'],
    ['an argument of $match', '$match(data.service, /^d+$/)'],
    ['a pattern of $replace', "$replace(data.service, /b+/, 'x')"],
    ['a nested literal', 'data.tags[$contains($, /prim/i)]'],
  ])('rejects a regular expression as %s', (_case, source) => {
    const error = catchCompileError(source);

    expect(error.code).toBe(EXPRESSION_ERROR_CODES.invalid);
    expect(error.message).toContain(
      'regular expression literals are not supported',
    );
    expect(error.position).toEqual(expect.any(Number));
  });

  it('accepts string patterns', async () => {
    const compiled = compileExpression(
      "$replace($split(data.service, 'b')[0], 'd', 'D')",
      'transform',
    );
    expect(await evaluate(compiled, alert)).toBe('D');
  });

  it.each([[''], ['   ']])('rejects the empty source %p', (source) => {
    expect(catchCompileError(source).code).toBe(EXPRESSION_ERROR_CODES.invalid);
  });

  it('rejects an unknown purpose', () => {
    expect(() =>
      compileExpression('1', 'routing' as ExpressionPurpose),
    ).toThrow(TypeError);
  });

  it('keeps source and purpose on the result', () => {
    const compiled = compileExpression('data.service', 'throttleKey');
    expect(compiled.source).toBe('data.service');
    expect(compiled.purpose).toBe('throttleKey');
  });
});

describe('evaluateFilter', () => {
  const filter = compileExpression(
    "data.severity in ['critical', 'high']",
    'filter',
  );

  it.each([
    ['critical', true],
    ['high', true],
    ['low', false],
    [undefined, false],
  ])('severity %p gives %p', async (severity, expected) => {
    const signal = makeSignal({ severity });
    expect(await evaluateFilter(filter, signal)).toBe(expected);
  });

  it.each([
    ['a number', '1'],
    ['a string', "'true'"],
    ['an object', '{"ok": true}'],
    ['no result', 'data.missing'],
  ])('returns false for %s', async (_case, source) => {
    const compiled = compileExpression(source, 'filter');
    expect(await evaluateFilter(compiled, alert)).toBe(false);
  });

  it('throws on a runtime error', async () => {
    const compiled = compileExpression('data.severity + 1', 'filter');
    const error = await catchEvaluationError(() =>
      evaluateFilter(compiled, alert),
    );
    expect(error.code).toBe(EXPRESSION_ERROR_CODES.failed);
  });
});

describe('evaluate', () => {
  it('builds an object from the signal', async () => {
    const compiled = compileExpression(
      '{"text": type & " on " & data.service, "tags": data.tags, "n": $count(data.tags)}',
      'transform',
    );
    expect(await evaluate(compiled, alert)).toStrictEqual({
      text: 'alert.critical.db on db',
      tags: ['disk', 'primary'],
      n: 2,
    });
  });

  it('returns plain arrays, not JSONata sequences', async () => {
    const compiled = compileExpression('data.tags.$uppercase($)', 'transform');
    const result = await evaluate(compiled, alert);

    expect(result).toStrictEqual(['DISK', 'PRIMARY']);
    expect(Object.keys(result as object)).toEqual(['0', '1']);
  });

  it('keeps a __proto__ key of the data as a member', async () => {
    const data: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    const compiled = compileExpression('data', 'transform');
    const result = (await evaluate(compiled, makeSignal(data))) as object;

    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__']);
  });

  it('returns undefined when nothing matches', async () => {
    const compiled = compileExpression('data.missing', 'transform');
    expect(await evaluate(compiled, alert)).toBeUndefined();
  });

  it('does not change the signal', async () => {
    const signal = makeSignal({ n: 1 });
    const before = JSON.stringify(signal);
    const compiled = compileExpression(
      '$merge([$, {"id": "other"}])',
      'transform',
    );

    await evaluate(compiled, signal);
    expect(JSON.stringify(signal)).toBe(before);
  });

  describe('when the expression raises a runtime error', () => {
    const compiled = compileExpression('data.service + 1', 'transform');

    it("carries JSONata's message, code and position", async () => {
      const error = await catchEvaluationError(() => evaluate(compiled, alert));

      expect(error.code).toBe(EXPRESSION_ERROR_CODES.failed);
      expect(error.message).toContain('must evaluate to a number');
      expect(error.jsonataCode).toBe('T2001');
      expect(error.position).toEqual(expect.any(Number));
      expect(error.limit).toBeUndefined();
    });
  });

  it('rejects a result that contains a function', async () => {
    const compiled = compileExpression(
      '{"f": function($x) { $x }}',
      'transform',
    );
    const error = await catchEvaluationError(() => evaluate(compiled, alert));
    expect(error.message).toContain('function');
  });

  it('rejects a regular expression reached through $eval', async () => {
    const compiled = compileExpression('$eval("/a+/")', 'transform');
    const error = await catchEvaluationError(() => evaluate(compiled, alert));

    expect(error.code).toBe(EXPRESSION_ERROR_CODES.failed);
    expect(error.message).toContain('regular expressions are not supported');
  });

  it('rejects invalid limits', async () => {
    const compiled = compileExpression('1', 'transform');
    await expect(evaluate(compiled, alert, { timeoutMs: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(evaluate(compiled, alert, { maxDepth: 1.5 })).rejects.toThrow(
      RangeError,
    );
  });

  it('rejects an object not made by compileExpression', async () => {
    const forged = { source: '1', purpose: 'transform' } as const;
    await expect(evaluate(forged, alert)).rejects.toThrow(TypeError);
  });
});

describe('evaluation limits', () => {
  it('default to 100 ms, depth 5000 and 100000 items', () => {
    expect(DEFAULT_EXPRESSION_LIMITS).toEqual({
      timeoutMs: 100,
      maxDepth: 5000,
      maxSequenceLength: 100_000,
    });
  });

  it('stop infinite tail recursion by time', async () => {
    // JSONata runs tail calls in a loop, so this never grows the depth.
    const compiled = compileExpression(
      '($f := function($x) { $f($x) }; $f(1))',
      'transform',
    );
    const startedAt = Date.now();
    const error = await catchEvaluationError(() =>
      evaluate(compiled, alert, { timeoutMs: 50 }),
    );
    const elapsedMs = Date.now() - startedAt;

    expect(error.limit).toBe('timeout');
    expect(error.message).toContain('timed out after 50 ms');
    expect(elapsedMs).toBeGreaterThanOrEqual(50);
    expect(elapsedMs).toBeLessThan(LIVENESS_BOUND_MS);
  });

  it('stop a long loop by time', async () => {
    const compiled = compileExpression(
      '$reduce([1..5000000], function($sum, $n) { $sum + $n })',
      'transform',
    );
    const startedAt = Date.now();
    const error = await catchEvaluationError(() =>
      evaluate(compiled, alert, {
        timeoutMs: 50,
        maxSequenceLength: 10_000_000,
      }),
    );

    expect(error.limit).toBe('timeout');
    expect(Date.now() - startedAt).toBeLessThan(LIVENESS_BOUND_MS);
  });

  it('stop a loop inside $eval by time', async () => {
    const compiled = compileExpression(
      '$eval("($f := function($x) { $f($x) }; $f(1))")',
      'transform',
    );
    const error = await catchEvaluationError(() =>
      evaluate(compiled, alert, { timeoutMs: 50 }),
    );
    expect(error.limit).toBe('timeout');
  });

  it('stop infinite non-tail recursion by depth', async () => {
    const compiled = compileExpression(
      '($f := function($x) { 1 + $f($x) }; $f(1))',
      'transform',
    );
    const startedAt = Date.now();
    const error = await catchEvaluationError(() =>
      evaluate(compiled, alert, {
        timeoutMs: LIVENESS_BOUND_MS,
        maxDepth: 200,
      }),
    );

    expect(error.code).toBe(EXPRESSION_ERROR_CODES.failed);
    expect(error.limit).toBe('depth');
    expect(error.message).toContain('maximum depth of 200');
    expect(Date.now() - startedAt).toBeLessThan(LIVENESS_BOUND_MS);
  });

  it('allow recursion within the depth', async () => {
    const compiled = compileExpression(
      '($f := function($n) { $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))',
      'transform',
    );
    expect(await evaluate(compiled, alert)).toBe(3_628_800);
  });

  it('allow a large array literal at the default depth', async () => {
    // Constructor members are in progress at once, so they count as depth.
    // Only the depth is under test, so the time limit is lifted.
    const members = Array.from({ length: 1500 }, (_, index) => index);
    const compiled = compileExpression(`[${members.join(',')}]`, 'transform');
    const result = await evaluate(compiled, alert, {
      timeoutMs: LIVENESS_BOUND_MS,
    });
    expect(result).toEqual(members);
  });

  it('stop a sequence longer than the maximum', async () => {
    const compiled = compileExpression('$count([1..1001])', 'transform');
    const error = await catchEvaluationError(() =>
      evaluate(compiled, alert, { maxSequenceLength: 1000 }),
    );

    expect(error.limit).toBe('sequence');
    expect(error.message).toContain('1001 items');
  });

  it('allow a sequence at the maximum', async () => {
    const compiled = compileExpression('$count([1..1000])', 'transform');
    const result = await evaluate(compiled, alert, { maxSequenceLength: 1000 });
    expect(result).toBe(1000);
  });

  it('apply per evaluation of one compiled expression', async () => {
    const compiled = compileExpression('$count([1..500])', 'transform');
    const [strict, loose] = await Promise.allSettled([
      evaluate(compiled, alert, { maxSequenceLength: 100 }),
      evaluate(compiled, alert, { maxSequenceLength: 1000 }),
    ]);

    expect(strict.status).toBe('rejected');
    expect(loose).toEqual({ status: 'fulfilled', value: 500 });
  });

  it('let one expression be evaluated again after a failure', async () => {
    const compiled = compileExpression('$count([1..$$.data.n])', 'transform');
    const limits = { maxSequenceLength: 10 };

    await expect(
      evaluate(compiled, makeSignal({ n: 11 }), limits),
    ).rejects.toThrow(ExpressionError);
    expect(await evaluate(compiled, makeSignal({ n: 10 }), limits)).toBe(10);
  });
});

describe('evaluateKey', () => {
  it.each([
    ['a string', 'data.service', 'db'],
    ['a number', '42', '42'],
    ['a decimal', '1.5', '1.5'],
    ['a boolean', 'true', 'true'],
    ['no result', 'data.missing', ''],
    ['null', 'null', 'null'],
    ['an object', '{"s": data.service, "n": 1}', '{"s":"db","n":1}'],
    ['an array', 'data.tags', '["disk","primary"]'],
    ['a concatenation', 'source & ":" & id', 'monitoring/db-cluster:sig-test'],
  ])('turns %s into a key', async (_case, source, key) => {
    const compiled = compileExpression(source, 'idempotencyKey');
    expect(await evaluateKey(compiled, alert)).toBe(key);
  });

  it('throws on a runtime error', async () => {
    const compiled = compileExpression('$number("x")', 'throttleKey');
    const error = await catchEvaluationError(() =>
      evaluateKey(compiled, alert),
    );

    expect(error.code).toBe(EXPRESSION_ERROR_CODES.failed);
    expect(error.purpose).toBe('throttleKey');
  });
});
