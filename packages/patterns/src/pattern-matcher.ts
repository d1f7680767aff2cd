import { CompiledTrie } from './compiled-trie';
import { PatternError } from './pattern-error';
import { parsePattern } from './parse-pattern';
import {
  addValue,
  createTrieNode,
  deleteChild,
  getChild,
  getOrCreateChild,
  isEmptyNode,
  removeValue,
  type TrieNode,
} from './trie-node';

/**
 * Index of subscription patterns that returns the values whose patterns match
 * a signal type. Patterns are stored in a trie over their segments. A type is
 * matched by walking the trie with a set of active nodes, as a nondeterministic
 * automaton does, so the walk enters only nodes whose prefix matches a prefix
 * of the type. Matching is case-sensitive.
 *
 * The walk runs over a compiled copy of the trie in typed arrays, built by
 * the first match and then patched by every add and remove. It is compiled
 * afresh only when changes have left more than half of it unused.
 *
 * Values are compared with SameValueZero, as a `Set` does, which is `===`
 * except that `NaN` equals `NaN`. The same value may be added under several
 * patterns. While any value is, every match de-duplicates its result with a
 * `Set`, which costs a read of each matched value.
 */
export class PatternMatcher<T> {
  private root: TrieNode<T> = createTrieNode(false);
  private pairCount = 0;
  private compiled: CompiledTrie<T> | undefined;

  // Patterns per value, so that `match` can skip de-duplication while no
  // value is stored under more than one pattern. A `Set` hashes each matched
  // value, which reads the value object: a cache miss per value once the
  // heap outgrows the CPU caches.
  private patternCounts = new Map<T, number>();
  private sharedValueCount = 0;

  /** Number of distinct (pattern, value) pairs added and not removed. */
  get size(): number {
    return this.pairCount;
  }

  /**
   * Adds `value` under `pattern`. Adding a pair that is already present
   * changes nothing.
   * @throws {@link PatternError} when the pattern is invalid.
   */
  add(pattern: string, value: T): void {
    const parsed = parsePattern(pattern);
    if (!parsed.ok) throw new PatternError(pattern, parsed.message);

    let node = this.root;
    const path = [node];
    for (const segment of parsed.segments) {
      node = getOrCreateChild(node, segment);
      path.push(node);
    }
    if (!addValue(node, value)) return;
    this.pairCount += 1;
    this.countPattern(value, 1);
    this.compiled?.insertPath(path, parsed.segments);
    this.dropCompiledIfWasteful();
  }

  /**
   * Removes `value` from under `pattern` and prunes trie nodes left empty.
   * Returns whether the pair was present, so an invalid or unknown pattern
   * returns `false`.
   */
  remove(pattern: string, value: T): boolean {
    const parsed = parsePattern(pattern);
    if (!parsed.ok) return false;

    const path = this.findPath(parsed.segments);
    const node = path[path.length - 1];
    if (node === undefined || !removeValue(node, value)) return false;

    this.pairCount -= 1;
    this.countPattern(value, -1);
    const firstDetached = pruneEmptyNodes(path, parsed.segments);
    this.compiled?.removePath(path, parsed.segments, firstDetached);
    this.dropCompiledIfWasteful();
    return true;
  }

  /**
   * Returns the values whose patterns match `type`, each value once even when
   * several of its patterns, or several ways through one pattern, match.
   * The type is split on dots without validation, because signal types are
   * validated when a signal is accepted.
   */
  match(type: string): T[] {
    const matched = this.compile().match(type);
    // Each node is active once, so only a value under several patterns
    // can appear twice.
    if (this.sharedValueCount === 0) return matched;
    return [...new Set(matched)];
  }

  /**
   * Counts the trie nodes that matching `type` visits. Each step of the walk
   * adds its active nodes, starting with those active before the first
   * segment. The count shows, without timing, that the cost of a match does
   * not grow with the number of patterns that cannot match.
   */
  countVisitedNodes(type: string): number {
    return this.compile().countVisitedNodes(type);
  }

  /** Removes every pattern and value. */
  clear(): void {
    this.root = createTrieNode(false);
    this.pairCount = 0;
    this.compiled = undefined;
    this.patternCounts = new Map();
    this.sharedValueCount = 0;
  }

  private compile(): CompiledTrie<T> {
    this.compiled ??= new CompiledTrie(this.root);
    return this.compiled;
  }

  // The next match then compiles the trie afresh, in time linear in its
  // size. Waste grows in step with the work of each change, so rebuilds
  // add at most a constant factor to the cost of changes. At the 100 000
  // subscriptions of the match-time benchmark on a 2-core VM, a compile
  // took 30-75 ms and a remove, add and match about 9 µs.
  private dropCompiledIfWasteful(): void {
    if (this.compiled?.isWasteful) this.compiled = undefined;
  }

  // Adds `change` (1 or -1) to the number of patterns that store `value`.
  private countPattern(value: T, change: 1 | -1): void {
    const before = this.patternCounts.get(value) ?? 0;
    const after = before + change;
    if (after === 0) this.patternCounts.delete(value);
    else this.patternCounts.set(value, after);
    if (before < 2 && after >= 2) this.sharedValueCount += 1;
    if (before >= 2 && after < 2) this.sharedValueCount -= 1;
  }

  // Returns the nodes from the root to the pattern's end, or an empty array
  // when the trie does not contain the whole pattern.
  private findPath(segments: string[]): TrieNode<T>[] {
    const path = [this.root];
    let node: TrieNode<T> | undefined = this.root;
    for (const segment of segments) {
      node = getChild(node, segment);
      if (node === undefined) return [];
      path.push(node);
    }
    return path;
  }
}

// Walks back from the pattern's end and detaches nodes that have neither
// values nor children, so removed patterns leave no dead branches behind.
// Returns the depth of the highest detached node, or `path.length` when
// none was detached.
function pruneEmptyNodes<T>(path: TrieNode<T>[], segments: string[]): number {
  let firstDetached = path.length;
  for (let depth = segments.length; depth > 0; depth -= 1) {
    const node = path[depth];
    const parent = path[depth - 1];
    const segment = segments[depth - 1];
    if (node === undefined || parent === undefined || segment === undefined) {
      break;
    }
    if (!isEmptyNode(node)) break;
    deleteChild(parent, segment);
    firstDetached = depth;
  }
  return firstDetached;
}
