/**
 * Reports whether a pattern matches a type, both given as segment lists.
 * Deliberately a different algorithm from the trie: it backtracks over the
 * segments, and `**` either matches nothing or consumes one segment.
 */
export function referenceMatches(pattern: string[], type: string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return type.length === 0;
  if (head === '**') {
    if (referenceMatches(rest, type)) return true;
    return type.length > 0 && referenceMatches(pattern, type.slice(1));
  }
  if (type.length === 0) return false;
  return (
    (head === '*' || head === type[0]) && referenceMatches(rest, type.slice(1))
  );
}

/** Returns the values of the pairs whose pattern matches `type`. */
export function referenceMatch(
  pairs: readonly { readonly pattern: string; readonly value: number }[],
  type: string,
): Set<number> {
  const typeSegments = type.split('.');
  const matched = new Set<number>();
  for (const { pattern, value } of pairs) {
    if (referenceMatches(pattern.split('.'), typeSegments)) matched.add(value);
  }
  return matched;
}
