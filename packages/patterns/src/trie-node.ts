import { MULTI_WILDCARD, SINGLE_WILDCARD } from './parse-pattern';

/** Node of the pattern trie: one per distinct pattern prefix. */
export interface TrieNode<T> {
  /** Children reached through a literal segment, keyed by the literal. */
  readonly literals: Map<string, TrieNode<T>>;

  /** Child reached through a `*` segment. */
  single: TrieNode<T> | undefined;

  /** Child reached through a `**` segment. */
  multi: TrieNode<T> | undefined;

  /** Whether a `**` edge leads here, so the node also consumes any segment. */
  readonly isMulti: boolean;

  /** Values of the patterns that end at this node. */
  readonly values: Set<T>;
}

/** Creates an empty node. */
export function createTrieNode<T>(isMulti: boolean): TrieNode<T> {
  return {
    literals: new Map(),
    single: undefined,
    multi: undefined,
    isMulti,
    values: new Set(),
  };
}

/** Returns the child that `segment` leads to, if the trie contains it. */
export function getChild<T>(
  node: TrieNode<T>,
  segment: string,
): TrieNode<T> | undefined {
  if (segment === SINGLE_WILDCARD) return node.single;
  if (segment === MULTI_WILDCARD) return node.multi;
  return node.literals.get(segment);
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
  else node.literals.set(segment, child);
  return child;
}

/** Detaches the child that `segment` leads to. */
export function deleteChild<T>(node: TrieNode<T>, segment: string): void {
  if (segment === SINGLE_WILDCARD) node.single = undefined;
  else if (segment === MULTI_WILDCARD) node.multi = undefined;
  else node.literals.delete(segment);
}

/** Checks whether the node has neither values nor children, so it can be pruned. */
export function isEmptyNode<T>(node: TrieNode<T>): boolean {
  return (
    node.values.size === 0 &&
    node.literals.size === 0 &&
    node.single === undefined &&
    node.multi === undefined
  );
}
