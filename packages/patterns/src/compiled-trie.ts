import { MULTI_WILDCARD, SINGLE_WILDCARD } from './parse-pattern';
import * as trieLayout from './trie-layout';
import type { BlockFields } from './trie-layout';
import type { TrieNode } from './trie-node';

// tsx and ts-jest compile each file to CommonJS, where every use of an
// imported binding calls a getter. Those calls made a match about five
// times slower in the match-time benchmark (about 1,000 against 190 ns at
// 10 subscriptions), so this module reads local copies instead.
const {
  addWithClosure,
  advanceBlock,
  blockSize,
  blockSizeAt,
  deleteLiteral,
  finishHash,
  hashSegment,
  hasRoomFor,
  insertLiteral,
  mixCharacter,
  NO_BLOCK,
  replaceLiteral,
  setMultiChild,
  setSingleChild,
  VALUE_END,
  VALUE_START,
  writeBlock,
} = trieLayout;

const INITIAL_LAYOUT_INTS = 1024;
const INITIAL_ACTIVE_LENGTH = 64;
const DOT = '.'.charCodeAt(0);

/** Waste, in ints or in values, below which a rebuild is never asked for. */
const TOLERATED_WASTE = 4096;

/**
 * The pattern trie compiled into one Int32Array of node blocks, as
 * `trie-layout.ts` describes, and one array of values. A match then reads a
 * few adjacent cache lines per active node. Blocks are written depth-first,
 * so a node's children mostly follow it in memory, and the values of
 * sibling nodes sit side by side.
 *
 * Changes are patched in at a cost of about the pattern's length. New
 * nodes and moved value lists are appended. A literal child goes into its
 * parent's table while the table stays at most 3/4 full, and a parent
 * whose block lacks room is copied to the end with room for its children.
 * The space left behind is counted, and {@link isWasteful} returns true
 * once compiling afresh would at least halve the memory.
 */
export class CompiledTrie<T> {
  private readonly root: TrieNode<T>;
  private readonly seed = (Math.random() * 0x1_0000_0000) | 0;
  private layout = new Int32Array(INITIAL_LAYOUT_INTS);
  private usedInts = 0;
  private wastedInts = 0;
  private values: (T | undefined)[] = [];
  private wastedValues = 0;

  // Active blocks of the current and the next step of a walk. Every walk
  // reuses them, so that a match allocates only its result.
  private active = new Int32Array(INITIAL_ACTIVE_LENGTH);
  private next = new Int32Array(INITIAL_ACTIVE_LENGTH);
  private visitedNodes = 0;

  /** Compiles the trie below `root`, which must stay its root. */
  constructor(root: TrieNode<T>) {
    this.root = root;
    this.compileNode(root, '');
  }

  /** Whether more than half of the layout or of the value array is waste. */
  get isWasteful(): boolean {
    return (
      isMostlyWaste(this.wastedInts, this.usedInts) ||
      isMostlyWaste(this.wastedValues, this.values.length)
    );
  }

  /**
   * Returns the values of the nodes active after the last segment of
   * `type`. A value stored under several patterns can occur more than once.
   */
  match(type: string): T[] {
    const count = this.walk(type);
    const { layout, active, values } = this;
    let total = 0;
    for (let index = 0; index < count; index += 1) {
      const block = active[index]!;
      total += layout[block + VALUE_END]! - layout[block + VALUE_START]!;
    }

    // An array of the final length is smaller than one grown by push, so
    // that fewer cache lines are written per match.
    const matched = new Array<T>(total);
    let next = 0;
    for (let index = 0; index < count; index += 1) {
      const block = active[index]!;
      const end = layout[block + VALUE_END]!;
      for (let at = layout[block + VALUE_START]!; at < end; at += 1) {
        matched[next] = values[at] as T;
        next += 1;
      }
    }
    return matched;
  }

  /** Counts the nodes that matching `type` visits, step by step. */
  countVisitedNodes(type: string): number {
    this.walk(type);
    return this.visitedNodes;
  }

  /**
   * Patches in a value just added under the pattern with `segments`, whose
   * trie nodes from the root are `path`. Nodes of the path without a block
   * were created by that add and are compiled here.
   */
  insertPath(path: TrieNode<T>[], segments: string[]): void {
    let depth = path.length - 1;
    while (path[depth]!.block === NO_BLOCK) depth -= 1;
    if (depth === path.length - 1) {
      this.refreshValues(path[depth]!);
      return;
    }
    this.compileNode(path[depth + 1]!, keyOf(segments[depth]!));
    this.link(path, segments, depth);
  }

  /**
   * Patches out a value just removed from the last node of `path`. The
   * nodes from depth `firstDetached` on were pruned from the trie, and
   * `firstDetached` is `path.length` when none were.
   */
  removePath(
    path: TrieNode<T>[],
    segments: string[],
    firstDetached: number,
  ): void {
    if (firstDetached === path.length) {
      this.refreshValues(path[path.length - 1]!);
      return;
    }
    for (let depth = firstDetached; depth < path.length; depth += 1) {
      this.discard(path[depth]!);
    }
    this.unlink(path[firstDetached - 1]!, segments[firstDetached - 1]!);
  }

  // Walks the trie as a nondeterministic automaton and returns the number
  // of nodes active after the last segment, left at the start of `active`.
  private walk(type: string): number {
    let count = this.walkWithin(type);
    // A typed array drops writes past its end, so a walk whose active nodes
    // outgrew the lists is repeated with longer ones. The loop ends because
    // a list never needs more entries than the trie has nodes.
    while (count < 0) {
      this.active = new Int32Array(this.active.length * 2);
      this.next = new Int32Array(this.next.length * 2);
      count = this.walkWithin(type);
    }
    return count;
  }

  // Walks as `walk` does, but returns -1 when the active lists are too
  // short. Each step keeps a node once, so overlapping `**` paths cannot
  // multiply. The walk finds each segment's end and hash in one pass over
  // the type, which measured faster than indexOf followed by hashSegment.
  private walkWithin(type: string): number {
    const { layout, seed } = this;
    let active = this.active;
    let next = this.next;
    let count = addWithClosure(layout, active, 0, this.root.block);
    if (count > active.length) return -1;
    let visited = count;
    for (let start = 0; count > 0;) {
      let end = start;
      let hash = seed;
      for (; end < type.length; end += 1) {
        const code = type.charCodeAt(end);
        if (code === DOT) break;
        hash = mixCharacter(hash, code);
      }
      hash = finishHash(hash);

      let nextCount = 0;
      for (let index = 0; index < count; index += 1) {
        const block = active[index]!;
        nextCount = advanceBlock(
          layout,
          block,
          hash,
          type,
          start,
          end,
          next,
          nextCount,
        );
      }
      if (nextCount > next.length) return -1;
      const previous = active;
      active = next;
      next = previous;
      count = nextCount;
      visited += count;
      if (end === type.length) break;
      start = end + 1;
    }
    this.active = active;
    this.next = next;
    this.visitedNodes = visited;
    return count;
  }

  // Appends blocks for `node` and its subtree, depth-first. `key` is the
  // segment that leads to `node`.
  private compileNode(node: TrieNode<T>, key: string): number {
    const valueStart = this.values.length;
    for (const value of node.values ?? []) this.values.push(value);
    const block = this.appendBlock(node, key, valueStart, this.values.length);

    if (node.single !== undefined) {
      const child = this.compileNode(node.single, '');
      setSingleChild(this.layout, block, child);
    }
    if (node.multi !== undefined) {
      const child = this.compileNode(node.multi, '');
      setMultiChild(this.layout, block, child);
    }
    for (const [segment, literal] of node.literals ?? []) {
      const child = this.compileNode(literal, segment);
      insertLiteral(this.layout, block, this.hash(segment), child);
    }
    return block;
  }

  // Points `path[depth]` at the block of `path[depth + 1]`. When its block
  // has no room for the edge, `path[depth]` moves to a new block, which its
  // own parent is then pointed at.
  private link(path: TrieNode<T>[], segments: string[], depth: number): void {
    const parent = path[depth]!;
    const child = path[depth + 1]!;
    if (this.linkInPlace(parent, segments[depth]!, child.block)) return;

    this.relocate(parent, depth === 0 ? '' : keyOf(segments[depth - 1]!));
    if (depth > 0) this.link(path, segments, depth - 1);
  }

  // Points the edge `segment` of `parent` at `child` within the parent's
  // block. Returns false when the block lacks the field or table room.
  private linkInPlace(
    parent: TrieNode<T>,
    segment: string,
    child: number,
  ): boolean {
    const { layout } = this;
    if (segment === SINGLE_WILDCARD) {
      return setSingleChild(layout, parent.block, child);
    }
    if (segment === MULTI_WILDCARD) {
      return setMultiChild(layout, parent.block, child);
    }
    const hash = this.hash(segment);
    if (replaceLiteral(layout, parent.block, hash, segment, child)) {
      return true;
    }
    const literalCount = parent.literals?.size ?? 0;
    if (!hasRoomFor(layout, parent.block, literalCount)) return false;
    insertLiteral(layout, parent.block, hash, child);
    return true;
  }

  // Writes `node` to a new block at the end, with fields and a table for
  // its current children, and counts the old block as waste.
  private relocate(node: TrieNode<T>, key: string): void {
    const old = node.block;
    const valueStart = this.layout[old + VALUE_START]!;
    const valueEnd = this.layout[old + VALUE_END]!;
    const block = this.appendBlock(node, key, valueStart, valueEnd);
    const { layout } = this;
    if (node.single !== undefined) {
      setSingleChild(layout, block, node.single.block);
    }
    if (node.multi !== undefined) {
      setMultiChild(layout, block, node.multi.block);
    }
    for (const [segment, literal] of node.literals ?? []) {
      insertLiteral(layout, block, this.hash(segment), literal.block);
    }
    this.wastedInts += blockSizeAt(layout, old);
  }

  private unlink(parent: TrieNode<T>, segment: string): void {
    if (segment === SINGLE_WILDCARD) {
      setSingleChild(this.layout, parent.block, NO_BLOCK);
    } else if (segment === MULTI_WILDCARD) {
      setMultiChild(this.layout, parent.block, NO_BLOCK);
    } else {
      deleteLiteral(this.layout, parent.block, this.hash(segment), segment);
    }
  }

  // Counts the block of a node pruned from the trie, and its values, as
  // waste.
  private discard(node: TrieNode<T>): void {
    const { layout } = this;
    this.clearValues(
      layout[node.block + VALUE_START]!,
      layout[node.block + VALUE_END]!,
    );
    this.wastedInts += blockSizeAt(layout, node.block);
    node.block = NO_BLOCK;
  }

  // Copies the values of `node` into the value array: in place when they
  // fit in the node's range or the range ends the array, else at the end.
  private refreshValues(node: TrieNode<T>): void {
    const { layout } = this;
    const start = layout[node.block + VALUE_START]!;
    const end = layout[node.block + VALUE_END]!;
    const values = node.values ?? [];
    let at = start;
    if (end === this.values.length) {
      this.values.length = start;
    } else if (values.length <= end - start) {
      this.clearValues(start + values.length, end);
    } else {
      this.clearValues(start, end);
      at = this.values.length;
    }

    layout[node.block + VALUE_START] = at;
    for (const value of values) {
      this.values[at] = value;
      at += 1;
    }
    layout[node.block + VALUE_END] = at;
  }

  // Drops the references in a range no block uses any more, so that
  // removed values can be garbage-collected.
  private clearValues(start: number, end: number): void {
    this.values.fill(undefined, start, end);
    this.wastedValues += end - start;
  }

  private appendBlock(
    node: TrieNode<T>,
    key: string,
    valueStart: number,
    valueEnd: number,
  ): number {
    const fields: BlockFields = {
      key,
      isMulti: node.isMulti,
      hasWildcardChildren:
        node.single !== undefined || node.multi !== undefined,
      literalCount: node.literals?.size ?? 0,
      valueStart,
      valueEnd,
    };
    const block = this.allocate(blockSize(fields));
    writeBlock(this.layout, block, fields);
    node.block = block;
    return block;
  }

  private allocate(size: number): number {
    const block = this.usedInts;
    const needed = block + size;
    if (needed > this.layout.length) {
      const grown = new Int32Array(Math.max(needed, this.layout.length * 2));
      grown.set(this.layout.subarray(0, block));
      this.layout = grown;
    }
    this.usedInts = needed;
    return block;
  }

  private hash(segment: string): number {
    return hashSegment(segment, 0, segment.length, this.seed);
  }
}

// Returns the key that a block stores for the node `segment` leads to.
// Wildcard children are found through their own fields, so they need none.
function keyOf(segment: string): string {
  const isWildcard = segment === SINGLE_WILDCARD || segment === MULTI_WILDCARD;
  return isWildcard ? '' : segment;
}

function isMostlyWaste(wasted: number, total: number): boolean {
  return wasted > TOLERATED_WASTE && wasted * 2 > total;
}
