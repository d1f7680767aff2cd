/** A JSONata AST node, read only for its `type` and `position`. */
interface AstNode {
  readonly type?: unknown;
  readonly position?: unknown;
}

/**
 * Finds a regular expression literal (`/.../`) in a JSONata AST and returns
 * its position, or `undefined` when there is none. The walk visits
 * every object in the tree, so it does not depend on which properties
 * (`steps`, `lhs`, `arguments`, ...) hold child nodes.
 */
export function findRegexLiteral(
  ast: unknown,
): { position: number | undefined } | undefined {
  const pending: unknown[] = [ast];
  const visited = new Set<object>();

  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || visited.has(node)) {
      continue;
    }
    visited.add(node);

    const { type, position } = node as AstNode;
    if (type === 'regex') {
      return { position: typeof position === 'number' ? position : undefined };
    }
    // A regex node's value is a RegExp, which contains no child nodes.
    if (node instanceof RegExp) {
      continue;
    }
    for (const child of Object.values(node)) {
      pending.push(child);
    }
  }
  return undefined;
}
