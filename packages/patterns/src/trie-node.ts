import { MULTI_WILDCARD, SINGLE_WILDCARD } from './parse-pattern';
import { NO_BLOCK } from './trie-layout';

/**
 * Node of the pattern trie: one per distinct pattern prefix. The literal
 * map and the value list are created on first use, because most nodes are
 * leaves or hold no value.
 */
export interface TrieNode<T> {
  /** Children reached through a literal segment, keyed by the literal. */
  literals: Map<string, TrieNode<T>> | undefined;

  /** Child reached through a `*` segment. */
  single: TrieNode<T> | undefined;

  /** Child reached through a `**` segment. */
  multi: TrieNode<T> | undefined;

  /** Whether a `**` edge leads here, so the node also consumes any segment. */
  readonly isMulti: boolean;

  /** Values of the patterns that end at this node, each once. */
  values: T[] | undefined;

  /** Index of `values` for adding and removing, built once they are many. */
  valueIndex: Set<T> | undefined;

  /**
   * Offset of the node's block in the compiled trie, or `NO_BLOCK` before
   * the node is compiled. A value left from a discarded compiled trie is
   * overwritten when the trie is compiled again.
   */
  block: number;
}

/** Creates an empty node. */
export function createTrieNode<T>(isMulti: boolean): TrieNode<T> {
  return {
    literals: undefined,
    single: undefined,
    multi: undefined,
    isMulti,
    values: undefined,
    valueIndex: undefined,
    block: NO_BLOCK,
  };
}

/** Returns the child that `segment` leads to, if the trie contains it. */
export function getChild<T>(
  node: TrieNode<T>,
  segment: string,
): TrieNode<T> | undefined {
  if (segment === SINGLE_WILDCARD) return node.single;
  if (segment === MULTI_WILDCARD) return node.multi;
  return node.literals?.get(segment);
}

/** Returns the child that `segment` leads to, creating it when missing. */
export function getOrCreateChild<T>(
  node: TrieNode<T>,
  segment: string,
): TrieNode<T> {
  const existing = getChild(node, segment);
  if (existing !== undefined) return existing;

  const child = createTrieNode<T>(segment === MULTI_WILDCARD);
  if (segment === SINGLE_WILDCARD) node.single = child;
  else if (segment === MULTI_WILDCARD) node.multi = child;
  else (node.literals ??= new Map()).set(segment, child);
  return child;
}

/** Detaches the child that `segment` leads to. */
export function deleteChild<T>(node: TrieNode<T>, segment: string): void {
  if (segment === SINGLE_WILDCARD) node.single = undefined;
  else if (segment === MULTI_WILDCARD) node.multi = undefined;
  else {
    node.literals?.delete(segment);
    if (node.literals?.size === 0) node.literals = undefined;
  }
}

/** Values kept without an index. Past it, a Set speeds up membership checks. */
const UNINDEXED_VALUES = 16;

/** Adds a value at the node. Returns false when it was there already. */
export function addValue<T>(node: TrieNode<T>, value: T): boolean {
  if (hasValue(node, value)) return false;
  (node.values ??= []).push(value);
  if (node.valueIndex) node.valueIndex.add(value);
  else if (node.values.length > UNINDEXED_VALUES)
    node.valueIndex = new Set(node.values);
  return true;
}

/** Removes a value from the node. Returns false when it was not there. */
export function removeValue<T>(node: TrieNode<T>, value: T): boolean {
  const values = node.values;
  if (values === undefined || !hasValue(node, value)) return false;
  // includes() and Set compare with SameValueZero. indexOf() uses ===, so
  // it never finds NaN.
  const index = values.findIndex((item) => sameValueZero(item, value));
  values.splice(index, 1);
  node.valueIndex?.delete(value);
  if (values.length === 0) {
    node.values = undefined;
    node.valueIndex = undefined;
  }
  return true;
}

function hasValue<T>(node: TrieNode<T>, value: T): boolean {
  if (node.valueIndex) return node.valueIndex.has(value);
  return node.values?.includes(value) ?? false;
}

/** Checks whether the node has neither values nor children, so it can be pruned. */
export function isEmptyNode<T>(node: TrieNode<T>): boolean {
  return (
    node.values === undefined &&
    node.literals === undefined &&
    node.single === undefined &&
    node.multi === undefined
  );
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
