import {
  EXPRESSION_ERROR_CODES,
  ExpressionCache,
  ExpressionError,
  compileExpression,
  evaluateFilter,
  type ExpressionPurpose,
} from '../src';
import { makeSignal } from './fixtures';

function countingCache(maxEntries?: number): {
  cache: ExpressionCache;
  compilations: string[];
} {
  const compilations: string[] = [];
  const cache = new ExpressionCache({
    maxEntries,
    compile: (source: string, purpose: ExpressionPurpose) => {
      compilations.push(source);
      return compileExpression(source, purpose);
    },
  });
  return { cache, compilations };
}

const FILTER = "data.severity in ['critical', 'high']";

describe('ExpressionCache', () => {
  it('compiles once per key', () => {
    const { cache, compilations } = countingCache();

    const first = cache.getOrCompile('sub-a@1:filter', FILTER, 'filter');
    const second = cache.getOrCompile('sub-a@1:filter', FILTER, 'filter');
    cache.getOrCompile('sub-b@1:filter', FILTER, 'filter');

    expect(second).toBe(first);
    expect(compilations).toHaveLength(2);
    expect(cache.size).toBe(2);
  });

  it('returns expressions that evaluate', async () => {
    const { cache } = countingCache();
    const compiled = cache.getOrCompile('sub-a@1:filter', FILTER, 'filter');
    const signal = makeSignal({ severity: 'critical' });
    expect(await evaluateFilter(compiled, signal)).toBe(true);
  });

  it('recompiles a key whose source changed', () => {
    const { cache, compilations } = countingCache();

    cache.getOrCompile('sub-a@1:filter', FILTER, 'filter');
    const changed = cache.getOrCompile('sub-a@1:filter', 'true', 'filter');

    expect(changed.source).toBe('true');
    expect(compilations).toEqual([FILTER, 'true']);
    expect(cache.size).toBe(1);
  });

  it('recompiles a key whose purpose changed', () => {
    const { cache, compilations } = countingCache();

    cache.getOrCompile('sub-a@1', 'data.id', 'idempotencyKey');
    const changed = cache.getOrCompile('sub-a@1', 'data.id', 'throttleKey');

    expect(changed.purpose).toBe('throttleKey');
    expect(compilations).toHaveLength(2);
  });

  it('evicts the least recently used entry beyond the maximum', () => {
    const { cache, compilations } = countingCache(2);

    cache.getOrCompile('a', '1', 'transform');
    cache.getOrCompile('b', '2', 'transform');
    cache.getOrCompile('a', '1', 'transform');
    cache.getOrCompile('c', '3', 'transform');
    expect(cache.size).toBe(2);

    cache.getOrCompile('a', '1', 'transform');
    expect(compilations).toEqual(['1', '2', '3']);
    cache.getOrCompile('b', '2', 'transform');
    expect(compilations).toEqual(['1', '2', '3', '2']);
  });

  it('does not cache a failed compilation', () => {
    const { cache, compilations } = countingCache();

    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(() => cache.getOrCompile('bad', '(', 'filter')).toThrow(
        ExpressionError,
      );
    }
    expect(compilations).toHaveLength(2);
    expect(cache.size).toBe(0);
  });

  it('passes the compile error on', () => {
    const { cache } = countingCache();
    try {
      cache.getOrCompile('bad', '/x/', 'filter');
      throw new Error('expected the compilation to fail');
    } catch (error) {
      expect((error as ExpressionError).code).toBe(
        EXPRESSION_ERROR_CODES.invalid,
      );
    }
  });

  it('forgets deleted and cleared entries', () => {
    const { cache, compilations } = countingCache();

    cache.getOrCompile('a', '1', 'transform');
    cache.getOrCompile('b', '2', 'transform');
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);

    cache.getOrCompile('b', '2', 'transform');
    expect(compilations).toEqual(['1', '2', '2']);
  });

  it('defaults to the real compiler and 10000 entries', () => {
    const cache = new ExpressionCache();
    for (let index = 0; index < 10_001; index += 1) {
      cache.getOrCompile(`sub-${index}@1:filter`, 'true', 'filter');
    }
    expect(cache.size).toBe(10_000);
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])(
    'rejects maxEntries %p',
    (maxEntries) => {
      expect(() => new ExpressionCache({ maxEntries })).toThrow(RangeError);
    },
  );
});
