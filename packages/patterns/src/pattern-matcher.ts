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

interface Walk<T> {
  readonly active: TrieNode<T>[];
  readonly visitedNodes: number;
}

/**
 * Index of subscription patterns that returns the values whose patterns match
 * a signal type. Patterns are stored in a trie over their segments. A type is
 * matched by walking the trie with a set of active nodes, as a nondeterministic
 * automaton does, so the walk enters only nodes whose prefix matches a prefix
 * of the type. Matching is case-sensitive.
 *
 * Values are compared with SameValueZero, as a `Set` does, which is `===`
 * except that `NaN` equals `NaN`. The same value may be added under several
 * patterns.
 */
export class PatternMatcher<T> {
  private root: TrieNode<T> = createTrieNode(false);
  private pairCount = 0;

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
    for (const segment of parsed.segments) {
      node = getOrCreateChild(node, segment);
    }
    if (!addValue(node, value)) return;
    this.pairCount += 1;
    this.countPattern(value, 1);
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
    pruneEmptyNodes(path, parsed.segments);
    return true;
  }

  /**
   * Returns the values whose patterns match `type`, each value once even when
   * several of its patterns, or several ways through one pattern, match.
   * The type is split on dots without validation, because signal types are
   * validated when a signal is accepted.
   */
  match(type: string): T[] {
    const matched: T[] = [];
    for (const node of this.walk(type).active) {
      const values = node.values;
      if (values === undefined) continue;
      for (const value of values) matched.push(value);
    }
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
    return this.walk(type).visitedNodes;
  }

  /** Removes every pattern and value. */
  clear(): void {
    this.root = createTrieNode(false);
    this.pairCount = 0;
    this.patternCounts = new Map();
    this.sharedValueCount = 0;
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

  private walk(type: string): Walk<T> {
    let active: TrieNode<T>[] = [];
    addWithClosure(active, this.root);
    let visitedNodes = active.length;

    let start = 0;
    while (active.length > 0) {
      const end = type.indexOf('.', start);
      const segment = type.slice(start, end < 0 ? type.length : end);
      active = step(active, segment);
      visitedNodes += active.length;
      if (end < 0) break;
      start = end + 1;
    }
    return { active, visitedNodes };
  }
}

// Advances every active node by one type segment. Each node is kept once
// per step, so overlapping `**` paths cannot multiply. The active nodes are
// few, a handful per step, so an array with a linear check keeps them.
function step<T>(active: TrieNode<T>[], segment: string): TrieNode<T>[] {
  const next: TrieNode<T>[] = [];
  for (const node of active) {
    if (node.isMulti) addWithClosure(next, node);
    if (node.literals !== undefined)
      addWithClosure(next, node.literals.get(segment));
    addWithClosure(next, node.single);
  }
  return next;
}

// A `**` child matches zero segments, so it is active whenever its parent is.
// A node already in the list has its closure there too, which ends the loop.
function addWithClosure<T>(
  active: TrieNode<T>[],
  node: TrieNode<T> | undefined,
): void {
  let current = node;
  while (current !== undefined && !active.includes(current)) {
    active.push(current);
    current = current.multi;
  }
}

// Walks back from the pattern's end and detaches nodes that have neither
// values nor children, so removed patterns leave no dead branches behind.
function pruneEmptyNodes<T>(path: TrieNode<T>[], segments: string[]): void {
  for (let depth = segments.length; depth > 0; depth -= 1) {
    const node = path[depth];
    const parent = path[depth - 1];
    const segment = segments[depth - 1];
    if (node === undefined || parent === undefined || segment === undefined) {
      return;
    }
    if (!isEmptyNode(node)) return;
    deleteChild(parent, segment);
  }
}
