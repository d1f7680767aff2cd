import type { ExpressionPurpose } from '../errors/expression-error';
import {
  compileExpression,
  type CompiledExpression,
} from './compile-expression';

/** Options of an {@link ExpressionCache}. */
export interface ExpressionCacheOptions {
  /**
   * Maximum number of compiled expressions kept. Beyond it, the least
   * recently used entry is evicted.
   *
   * @defaultValue 10000
   */
  readonly maxEntries?: number;
  /**
   * Compiler used on a cache miss, replaceable to instrument compilations.
   *
   * @defaultValue {@link compileExpression}
   */
  readonly compile?: (
    source: string,
    purpose: ExpressionPurpose,
  ) => CompiledExpression;
}

/** Default {@link ExpressionCacheOptions}. */
export const DEFAULT_EXPRESSION_CACHE_OPTIONS = Object.freeze({
  maxEntries: 10_000,
  compile: compileExpression,
});

/**
 * Compiled expressions by a caller-chosen key, such as
 * `<subscriptionId>@<version>:<purpose>`, so that each version of a
 * subscription's expression is compiled once while it stays cached.
 *
 * An entry is reused only when the source and purpose match the ones it was
 * compiled from, so a key reused for a changed expression recompiles it.
 */
export class ExpressionCache {
  readonly #entries = new Map<string, CompiledExpression>();
  readonly #maxEntries: number;
  readonly #compile: NonNullable<ExpressionCacheOptions['compile']>;

  /** @throws RangeError when `maxEntries` is not a positive integer */
  constructor(options: ExpressionCacheOptions = {}) {
    const maxEntries =
      options.maxEntries ?? DEFAULT_EXPRESSION_CACHE_OPTIONS.maxEntries;
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new RangeError(
        `maxEntries must be a positive integer, got ${String(maxEntries)}`,
      );
    }
    this.#maxEntries = maxEntries;
    this.#compile = options.compile ?? DEFAULT_EXPRESSION_CACHE_OPTIONS.compile;
  }

  /** Number of compiled expressions kept. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Returns the compiled expression stored under `key`, compiling `source`
   * when the key is new or its source or purpose changed. A failed
   * compilation is not cached.
   *
   * @throws ExpressionError as {@link compileExpression} does
   */
  getOrCompile(
    key: string,
    source: string,
    purpose: ExpressionPurpose,
  ): CompiledExpression {
    const cached = this.#entries.get(key);
    if (cached?.source === source && cached.purpose === purpose) {
      // Reinserting moves the key to the end of the Map's insertion order,
      // which this cache treats as most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }

    const compiled = this.#compile(source, purpose);
    this.#entries.delete(key);
    this.#entries.set(key, compiled);
    this.#evictOverflow();
    return compiled;
  }

  /** Removes the entry under `key` and returns whether there was one. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#entries.clear();
  }

  #evictOverflow(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) {
        return;
      }
      this.#entries.delete(key);
    }
  }
}
